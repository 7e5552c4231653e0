# Paper Table V: depth of the Attention-GCN label encoder, 2 to 5 layers with the paper's widths
# (1024 | 512, 1024 | 512, 1024, 1024 | 512, 1024, 1024, 1024, then the backbone's D), on the
# Deep-LIFT head, on the built-in data.
#   mlrkit bench configs/ablation_agcn_layers.py [--quick]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_agcn_layers.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_paper_ablations import *
    from ._base_.bench_quick import *

bench = dict(
    base="synthetic/deeplift_agcn.py",
    seeds=[0],
    variants=[
        dict(name="2-layer", overrides={"model.encoder.hidden_dims": [1024]}),
        dict(name="3-layer", overrides={"model.encoder.hidden_dims": [512, 1024]}),
        dict(name="4-layer", overrides={"model.encoder.hidden_dims": [512, 1024, 1024]}),
        dict(name="5-layer", overrides={"model.encoder.hidden_dims": [512, 1024, 1024, 1024]}),
    ],
    quick=QUICK,
    tables=[
        dict(
            name="table_V",
            title="Table V: number of AGCN layers",
            paper="table_V_agcn_layers",
            **ABLATION_TABLE,  # paper_setting, columns
            row_header="AGCN",
            rows=[
                dict(variant="2-layer", paper="2-layer"),
                dict(variant="3-layer", paper="3-layer"),
                dict(variant="4-layer", paper="4-layer"),
                dict(variant="5-layer", paper="5-layer"),
            ],
        )
    ],
)
