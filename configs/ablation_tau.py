# Paper Figure 6: mAP against the graph threshold tau (0.1 .. 1.0) for ML-GCN with the binary and
# the re-weighted graph, and Deep-LIFT with the AGCN and RGCN encoders, on the built-in data.
# 40 runs: about 1 h on 2 cores (mlrkit bench configs/ablation_tau.py --jobs 2); --quick runs
# two tau values per series at smoke-test sizes. The PNG goes to <work dir>/figures/.
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_tau.py.
QUICK = {
    "train_dataloader.dataset.num_samples": 640,
    "val_dataloader.dataset.num_samples": 256,
    "test_dataloader.dataset.num_samples": 256,
    "train_cfg.max_epochs": 2,
    "train_cfg.val_interval": 2,
}
bench = dict(
    seeds=[0],
    variants=[
        # ML-GCN (binary): synthetic/mlgcn.py
        dict(
            name="mlgcn-binary_tau0.1",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.1},
        ),
        dict(
            name="mlgcn-binary_tau0.2",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.2},
        ),
        dict(
            name="mlgcn-binary_tau0.3",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.3},
        ),
        dict(
            name="mlgcn-binary_tau0.4",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.4},
        ),
        dict(
            name="mlgcn-binary_tau0.5",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.5},
        ),
        dict(
            name="mlgcn-binary_tau0.6",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.6},
        ),
        dict(
            name="mlgcn-binary_tau0.7",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.7},
        ),
        dict(
            name="mlgcn-binary_tau0.8",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.8},
        ),
        dict(
            name="mlgcn-binary_tau0.9",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 0.9},
        ),
        dict(
            name="mlgcn-binary_tau1.0",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.kind": "binary", "model.encoder.graph.tau": 1.0},
        ),
        # ML-GCN (re-weighted): synthetic/mlgcn.py
        dict(
            name="mlgcn-reweighted_tau0.1",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.1},
        ),
        dict(
            name="mlgcn-reweighted_tau0.2",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.2},
        ),
        dict(
            name="mlgcn-reweighted_tau0.3",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.3},
        ),
        dict(
            name="mlgcn-reweighted_tau0.4",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.4},
        ),
        dict(
            name="mlgcn-reweighted_tau0.5",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.5},
        ),
        dict(
            name="mlgcn-reweighted_tau0.6",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.6},
        ),
        dict(
            name="mlgcn-reweighted_tau0.7",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.7},
        ),
        dict(
            name="mlgcn-reweighted_tau0.8",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.8},
        ),
        dict(
            name="mlgcn-reweighted_tau0.9",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 0.9},
        ),
        dict(
            name="mlgcn-reweighted_tau1.0",
            base="synthetic/mlgcn.py",
            overrides={"model.encoder.graph.tau": 1.0},
        ),
        # Deep-LIFT (AGCN): synthetic/deeplift_agcn.py
        dict(
            name="deeplift-agcn_tau0.1",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.1},
        ),
        dict(
            name="deeplift-agcn_tau0.2",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.2},
        ),
        dict(
            name="deeplift-agcn_tau0.3",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.3},
        ),
        dict(
            name="deeplift-agcn_tau0.4",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.4},
        ),
        dict(
            name="deeplift-agcn_tau0.5",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.5},
        ),
        dict(
            name="deeplift-agcn_tau0.6",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.6},
        ),
        dict(
            name="deeplift-agcn_tau0.7",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.7},
        ),
        dict(
            name="deeplift-agcn_tau0.8",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.8},
        ),
        dict(
            name="deeplift-agcn_tau0.9",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 0.9},
        ),
        dict(
            name="deeplift-agcn_tau1.0",
            base="synthetic/deeplift_agcn.py",
            overrides={"model.encoder.graph.tau": 1.0},
        ),
        # Deep-LIFT (RGCN): synthetic/deeplift_rgcn.py
        dict(
            name="deeplift-rgcn_tau0.1",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.1},
        ),
        dict(
            name="deeplift-rgcn_tau0.2",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.2},
        ),
        dict(
            name="deeplift-rgcn_tau0.3",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.3},
        ),
        dict(
            name="deeplift-rgcn_tau0.4",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.4},
        ),
        dict(
            name="deeplift-rgcn_tau0.5",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.5},
        ),
        dict(
            name="deeplift-rgcn_tau0.6",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.6},
        ),
        dict(
            name="deeplift-rgcn_tau0.7",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.7},
        ),
        dict(
            name="deeplift-rgcn_tau0.8",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.8},
        ),
        dict(
            name="deeplift-rgcn_tau0.9",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 0.9},
        ),
        dict(
            name="deeplift-rgcn_tau1.0",
            base="synthetic/deeplift_rgcn.py",
            overrides={"model.encoder.graph.tau": 1.0},
        ),
    ],
    quick=dict(
        overrides=QUICK,
        variants=[
            "mlgcn-binary_tau0.3",
            "mlgcn-binary_tau0.7",
            "mlgcn-reweighted_tau0.3",
            "mlgcn-reweighted_tau0.7",
            "deeplift-agcn_tau0.3",
            "deeplift-agcn_tau0.7",
            "deeplift-rgcn_tau0.3",
            "deeplift-rgcn_tau0.7",
        ],
    ),
    figures=[
        dict(
            name="figure_6",
            title="Figure 6: mAP against the graph threshold tau",
            metric="mAP",
            x_label="tau",
            paper="figure_6_tau",
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
        )
    ],
)
