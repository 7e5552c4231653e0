# Paper Table VI: number of residual blocks of the Residual-GCN label encoder (1 to 4, each
# 512 -> 1024 -> 1024 -> 1024 -> D), on the Deep-LIFT head, on the built-in data.
#   mlrkit bench configs/ablation_rgcn_blocks.py [--quick]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_rgcn_blocks.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_paper_ablations import *
    from ._base_.bench_quick import *

bench = dict(
    base="synthetic/deeplift_rgcn.py",
    seeds=[0],
    variants=[
        dict(name="1-block", overrides={"model.encoder.num_blocks": 1}),
        dict(name="2-block", overrides={"model.encoder.num_blocks": 2}),
        dict(name="3-block", overrides={"model.encoder.num_blocks": 3}),
        dict(name="4-block", overrides={"model.encoder.num_blocks": 4}),
    ],
    quick=QUICK,
    tables=[
        dict(
            name="table_VI",
            title="Table VI: number of RGCN residual blocks",
            paper="table_VI_rgcn_blocks",
            **ABLATION_TABLE,  # paper_setting, columns
            row_header="RGCN",
            rows=[
                dict(variant="1-block", paper="1-block"),
                dict(variant="2-block", paper="2-block"),
                dict(variant="3-block", paper="3-block"),
                dict(variant="4-block", paper="4-block"),
            ],
        )
    ],
)
