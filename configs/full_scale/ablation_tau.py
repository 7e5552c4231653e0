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
TAUS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
# (variant name prefix, legend label, base experiment, overrides besides tau)
SERIES = [
    (
        "mlgcn-binary",
        "ML-GCN (binary)",
        "../{dataset}/mlgcn_r101_448.py",
        {"model.encoder.graph.kind": "binary"},
    ),
    ("mlgcn-reweighted", "ML-GCN (re-weighted)", "../{dataset}/mlgcn_r101_448.py", {}),
    ("deeplift-agcn", "Deep-LIFT (AGCN)", "../{dataset}/deeplift_agcn_r101_448.py", {}),
    ("deeplift-rgcn", "Deep-LIFT (RGCN)", "../{dataset}/deeplift_rgcn_r101_448.py", {}),
]
bench = dict(
    name="ablation_tau_full_scale",
    datasets=dict(coco="coco", voc="voc2007"),
    seeds=[0],
    variants=[
        dict(
            name=f"{prefix}_tau{tau}",
            base=base,
            overrides={**overrides, "model.encoder.graph.tau": tau},
        )
        for prefix, _, base, overrides in SERIES
        for tau in TAUS
    ],
    figures=[
        dict(
            name=f"figure_6_{dataset}",
            title=f"Figure 6: mAP against tau on {title}",
            metric="mAP",
            x_label="tau",
            paper="figure_6_tau",
            dataset=dataset,
            series=[
                dict(label=label, points=[[tau, f"{prefix}_tau{tau}"] for tau in TAUS])
                for prefix, label, *_ in SERIES
            ],
        )
        for dataset, title in (("coco", "MS-COCO"), ("voc", "VOC2007"))
    ],
)
