# A plugin head in a regenerated table: CSRA (plugins/mlrkit-csra; one head with the official
# VOC2007 setting lambda 0.1, and four heads with the official COCO setting lambda 0.5) on the
# pooled backbone without a label encoder, against the pooled baseline and Deep-LIFT (AGCN), on
# the built-in data (configs/synthetic/*, ResNet-18 cut after stage 2, 48 px, 8 epochs).
# Needs the plugin installed: `pip install -e plugins/mlrkit-csra`.
#   mlrkit bench configs/plugins/csra_vs_deeplift.py            (about 4 min on 2 cores)
#   mlrkit bench configs/plugins/csra_vs_deeplift.py --quick    (a smoke bench, under a minute)
from mmengine.config import read_base

with read_base():
    from .._base_.bench_quick import *

bench = dict(
    base="../synthetic/deeplift_agcn.py",
    seeds=[0],
    variants=[
        dict(name="Pooled (avg)", base="../synthetic/pooled.py"),
        dict(name="CSRA (1 head)", base="csra_synthetic.py"),
        dict(
            name="CSRA (4 heads)",
            base="csra_synthetic.py",
            overrides={"model.head.num_heads": 4, "model.head.lam": 0.5},
        ),
        dict(name="Deep-LIFT (AGCN)"),
    ],
    quick=dict(
        QUICK,
        variants=["CSRA (1 head)", "Deep-LIFT (AGCN)"],
    ),
    tables=[
        dict(
            name="csra_vs_deeplift",
            title="A plugin head: CSRA (mlrkit-csra) against Deep-LIFT",
            paper=None,
            row_header="Head",
            rows=[
                dict(variant="Pooled (avg)"),
                dict(variant="CSRA (1 head)"),
                dict(variant="CSRA (4 heads)"),
                dict(variant="Deep-LIFT (AGCN)"),
            ],
            columns=[
                dict(metric="mAP"),
                dict(metric="CF1"),
                dict(metric="OF1"),
                dict(metric="CF1@3"),
                dict(metric="OF1@3"),
            ],
        )
    ],
)
