# Full-scale sibling of configs/ablation_tau.py: paper Figure 6 (mAP against tau)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*), one run per variant, dataset and seed. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
# (80 runs)
#   mlrkit bench configs/full_scale/ablation_tau.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/ablation_tau.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/ablation_tau.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
bench = dict(
    name="ablation_tau_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    seeds=[0],
    variants=[
        # ML-GCN (binary): synthetic/mlgcn.py
        dict(
            name="mlgcn-binary_tau0.1",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.1},
        ),
        dict(
            name="mlgcn-binary_tau0.2",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.2},
        ),
        dict(
            name="mlgcn-binary_tau0.3",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.3},
        ),
        dict(
            name="mlgcn-binary_tau0.4",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.4},
        ),
        dict(
            name="mlgcn-binary_tau0.5",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.5},
        ),
        dict(
            name="mlgcn-binary_tau0.6",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.6},
        ),
        dict(
            name="mlgcn-binary_tau0.7",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.7},
        ),
        dict(
            name="mlgcn-binary_tau0.8",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.8},
        ),
        dict(
            name="mlgcn-binary_tau0.9",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.9},
        ),
        dict(
            name="mlgcn-binary_tau1.0",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 1.0},
        ),
        # ML-GCN (re-weighted): synthetic/mlgcn.py
        dict(
            name="mlgcn-reweighted_tau0.1",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.1},
        ),
        dict(
            name="mlgcn-reweighted_tau0.2",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.2},
        ),
        dict(
            name="mlgcn-reweighted_tau0.3",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.3},
        ),
        dict(
            name="mlgcn-reweighted_tau0.4",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.4},
        ),
        dict(
            name="mlgcn-reweighted_tau0.5",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.5},
        ),
        dict(
            name="mlgcn-reweighted_tau0.6",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.6},
        ),
        dict(
            name="mlgcn-reweighted_tau0.7",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.7},
        ),
        dict(
            name="mlgcn-reweighted_tau0.8",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.8},
        ),
        dict(
            name="mlgcn-reweighted_tau0.9",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.9},
        ),
        dict(
            name="mlgcn-reweighted_tau1.0",
            base="../{dataset}/mlgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 1.0},
        ),
        # Deep-LIFT (AGCN): synthetic/deeplift_agcn.py
        dict(
            name="deeplift-agcn_tau0.1",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.1},
        ),
        dict(
            name="deeplift-agcn_tau0.2",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.2},
        ),
        dict(
            name="deeplift-agcn_tau0.3",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.3},
        ),
        dict(
            name="deeplift-agcn_tau0.4",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.4},
        ),
        dict(
            name="deeplift-agcn_tau0.5",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.5},
        ),
        dict(
            name="deeplift-agcn_tau0.6",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.6},
        ),
        dict(
            name="deeplift-agcn_tau0.7",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.7},
        ),
        dict(
            name="deeplift-agcn_tau0.8",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.8},
        ),
        dict(
            name="deeplift-agcn_tau0.9",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.9},
        ),
        dict(
            name="deeplift-agcn_tau1.0",
            base="../{dataset}/deeplift_agcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 1.0},
        ),
        # Deep-LIFT (RGCN): synthetic/deeplift_rgcn.py
        dict(
            name="deeplift-rgcn_tau0.1",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.1},
        ),
        dict(
            name="deeplift-rgcn_tau0.2",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.2},
        ),
        dict(
            name="deeplift-rgcn_tau0.3",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.3},
        ),
        dict(
            name="deeplift-rgcn_tau0.4",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.4},
        ),
        dict(
            name="deeplift-rgcn_tau0.5",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.5},
        ),
        dict(
            name="deeplift-rgcn_tau0.6",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.6},
        ),
        dict(
            name="deeplift-rgcn_tau0.7",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.7},
        ),
        dict(
            name="deeplift-rgcn_tau0.8",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.8},
        ),
        dict(
            name="deeplift-rgcn_tau0.9",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 0.9},
        ),
        dict(
            name="deeplift-rgcn_tau1.0",
            base="../{dataset}/deeplift_rgcn_r101_448.py",
            overrides={"model.encoder.graph.tau": 1.0},
        ),
    ],
    figures=[
        dict(
            name="figure_6_coco",
            title="Figure 6: mAP against tau on MS-COCO",
            metric="mAP",
            x_label="tau",
            paper="figure_6_tau",
            dataset="coco",
            series=[
                dict(
                    label="ML-GCN (binary)",
                    points=[
                        [0.1, "mlgcn-binary_tau0.1"],
                        [0.2, "mlgcn-binary_tau0.2"],
                        [0.3, "mlgcn-binary_tau0.3"],
                        [0.4, "mlgcn-binary_tau0.4"],
                        [0.5, "mlgcn-binary_tau0.5"],
                        [0.6, "mlgcn-binary_tau0.6"],
                        [0.7, "mlgcn-binary_tau0.7"],
                        [0.8, "mlgcn-binary_tau0.8"],
                        [0.9, "mlgcn-binary_tau0.9"],
                        [1.0, "mlgcn-binary_tau1.0"],
                    ],
                ),
                dict(
                    label="ML-GCN (re-weighted)",
                    points=[
                        [0.1, "mlgcn-reweighted_tau0.1"],
                        [0.2, "mlgcn-reweighted_tau0.2"],
                        [0.3, "mlgcn-reweighted_tau0.3"],
                        [0.4, "mlgcn-reweighted_tau0.4"],
                        [0.5, "mlgcn-reweighted_tau0.5"],
                        [0.6, "mlgcn-reweighted_tau0.6"],
                        [0.7, "mlgcn-reweighted_tau0.7"],
                        [0.8, "mlgcn-reweighted_tau0.8"],
                        [0.9, "mlgcn-reweighted_tau0.9"],
                        [1.0, "mlgcn-reweighted_tau1.0"],
                    ],
                ),
                dict(
                    label="Deep-LIFT (AGCN)",
                    points=[
                        [0.1, "deeplift-agcn_tau0.1"],
                        [0.2, "deeplift-agcn_tau0.2"],
                        [0.3, "deeplift-agcn_tau0.3"],
                        [0.4, "deeplift-agcn_tau0.4"],
                        [0.5, "deeplift-agcn_tau0.5"],
                        [0.6, "deeplift-agcn_tau0.6"],
                        [0.7, "deeplift-agcn_tau0.7"],
                        [0.8, "deeplift-agcn_tau0.8"],
                        [0.9, "deeplift-agcn_tau0.9"],
                        [1.0, "deeplift-agcn_tau1.0"],
                    ],
                ),
                dict(
                    label="Deep-LIFT (RGCN)",
                    points=[
                        [0.1, "deeplift-rgcn_tau0.1"],
                        [0.2, "deeplift-rgcn_tau0.2"],
                        [0.3, "deeplift-rgcn_tau0.3"],
                        [0.4, "deeplift-rgcn_tau0.4"],
                        [0.5, "deeplift-rgcn_tau0.5"],
                        [0.6, "deeplift-rgcn_tau0.6"],
                        [0.7, "deeplift-rgcn_tau0.7"],
                        [0.8, "deeplift-rgcn_tau0.8"],
                        [0.9, "deeplift-rgcn_tau0.9"],
                        [1.0, "deeplift-rgcn_tau1.0"],
                    ],
                ),
            ],
        ),
        dict(
            name="figure_6_voc",
            title="Figure 6: mAP against tau on VOC2007",
            metric="mAP",
            x_label="tau",
            paper="figure_6_tau",
            dataset="voc",
            series=[
                dict(
                    label="ML-GCN (binary)",
                    points=[
                        [0.1, "mlgcn-binary_tau0.1"],
                        [0.2, "mlgcn-binary_tau0.2"],
                        [0.3, "mlgcn-binary_tau0.3"],
                        [0.4, "mlgcn-binary_tau0.4"],
                        [0.5, "mlgcn-binary_tau0.5"],
                        [0.6, "mlgcn-binary_tau0.6"],
                        [0.7, "mlgcn-binary_tau0.7"],
                        [0.8, "mlgcn-binary_tau0.8"],
                        [0.9, "mlgcn-binary_tau0.9"],
                        [1.0, "mlgcn-binary_tau1.0"],
                    ],
                ),
                dict(
                    label="ML-GCN (re-weighted)",
                    points=[
                        [0.1, "mlgcn-reweighted_tau0.1"],
                        [0.2, "mlgcn-reweighted_tau0.2"],
                        [0.3, "mlgcn-reweighted_tau0.3"],
                        [0.4, "mlgcn-reweighted_tau0.4"],
                        [0.5, "mlgcn-reweighted_tau0.5"],
                        [0.6, "mlgcn-reweighted_tau0.6"],
                        [0.7, "mlgcn-reweighted_tau0.7"],
                        [0.8, "mlgcn-reweighted_tau0.8"],
                        [0.9, "mlgcn-reweighted_tau0.9"],
                        [1.0, "mlgcn-reweighted_tau1.0"],
                    ],
                ),
                dict(
                    label="Deep-LIFT (AGCN)",
                    points=[
                        [0.1, "deeplift-agcn_tau0.1"],
                        [0.2, "deeplift-agcn_tau0.2"],
                        [0.3, "deeplift-agcn_tau0.3"],
                        [0.4, "deeplift-agcn_tau0.4"],
                        [0.5, "deeplift-agcn_tau0.5"],
                        [0.6, "deeplift-agcn_tau0.6"],
                        [0.7, "deeplift-agcn_tau0.7"],
                        [0.8, "deeplift-agcn_tau0.8"],
                        [0.9, "deeplift-agcn_tau0.9"],
                        [1.0, "deeplift-agcn_tau1.0"],
                    ],
                ),
                dict(
                    label="Deep-LIFT (RGCN)",
                    points=[
                        [0.1, "deeplift-rgcn_tau0.1"],
                        [0.2, "deeplift-rgcn_tau0.2"],
                        [0.3, "deeplift-rgcn_tau0.3"],
                        [0.4, "deeplift-rgcn_tau0.4"],
                        [0.5, "deeplift-rgcn_tau0.5"],
                        [0.6, "deeplift-rgcn_tau0.6"],
                        [0.7, "deeplift-rgcn_tau0.7"],
                        [0.8, "deeplift-rgcn_tau0.8"],
                        [0.9, "deeplift-rgcn_tau0.9"],
                        [1.0, "deeplift-rgcn_tau1.0"],
                    ],
                ),
            ],
        ),
    ],
)
