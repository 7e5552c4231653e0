# Paper Figure 6: mAP against the graph threshold tau (0.1 .. 1.0) for ML-GCN with the binary and
# the re-weighted graph, and Deep-LIFT with the AGCN and RGCN encoders, on the built-in data.
# 40 runs: about 1 h on 2 cores (mlrkit bench configs/ablation_tau.py --jobs 2); --quick runs
# two tau values per series at smoke-test sizes. The PNG goes to <work dir>/figures/.
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_tau.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_quick import *

TAUS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
# (variant name prefix, legend label, base experiment, overrides besides tau)
SERIES = [
    (
        "mlgcn-binary",
        "ML-GCN (binary)",
        "synthetic/mlgcn.py",
        {"model.encoder.graph.kind": "binary"},
    ),
    ("mlgcn-reweighted", "ML-GCN (re-weighted)", "synthetic/mlgcn.py", {}),
    ("deeplift-agcn", "Deep-LIFT (AGCN)", "synthetic/deeplift_agcn.py", {}),
    ("deeplift-rgcn", "Deep-LIFT (RGCN)", "synthetic/deeplift_rgcn.py", {}),
]
bench = dict(
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
    quick=dict(
        QUICK,
        variants=[f"{prefix}_tau{tau}" for prefix, *_ in SERIES for tau in (0.3, 0.7)],
    ),
    figures=[
        dict(
            name="figure_6",
            title="Figure 6: mAP against the graph threshold tau",
            metric="mAP",
            x_label="tau",
            paper="figure_6_tau",
            series=[
                dict(label=label, points=[[tau, f"{prefix}_tau{tau}"] for tau in TAUS])
                for prefix, label, *_ in SERIES
            ],
        )
    ],
)
