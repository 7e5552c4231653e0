# Paper Table IV: the channel-attention module (CAM, eq. 6) of the Deep-LIFT head: none, average
# pooling only, max pooling only, both (the default), with the AGCN encoder, on the built-in data.
#   mlrkit bench configs/ablation_cam.py [--quick]
# Full scale (COCO and VOC2007 on GPUs): configs/full_scale/ablation_cam.py.
from mmengine.config import read_base

with read_base():
    from ._base_.bench_paper_ablations import *
    from ._base_.bench_quick import *

bench = dict(
    base="synthetic/deeplift_agcn.py",
    seeds=[0],
    variants=[
        dict(name="none", overrides={"model.head.channel_attention": "none"}),
        dict(name="avg", overrides={"model.head.channel_attention": "avg"}),
        dict(name="max", overrides={"model.head.channel_attention": "max"}),
        dict(name="avg+max", overrides={"model.head.channel_attention": "avg+max"}),
    ],
    quick=QUICK,
    tables=[
        dict(
            name="table_IV",
            title="Table IV: channel attention (CAM) of the Deep-LIFT head",
            paper="table_IV_cam",
            **ABLATION_TABLE,  # paper_setting, columns
            row_header="CAM",
            rows=[
                dict(variant="none", paper="Ours without CAM"),
                dict(variant="avg", paper="Ours+AvgPool"),
                dict(variant="max", paper="Ours+MaxPool"),
                dict(variant="avg+max", paper="Ours+AvgPool+MaxPool"),
            ],
        )
    ],
)
