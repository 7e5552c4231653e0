# Full-scale sibling of configs/deeplift_readings.py: Deep-LIFT as the paper's text describes
# it and as the official code computes it (docs/conventions.md), on MS-COCO 2014 and PASCAL
# VOC2007 with ResNet-101 (torchvision ImageNet weights, timm `resnet101.tv_in1k`) at 448x448
# and the paper's SGD schedule, one run per reading, dataset and seed. Needs GPUs, both
# datasets under data/ and checkpoints/resnet101.pth, e.g.
#   mlrkit bench configs/full_scale/deeplift_readings.py --jobs 4   # one GPU per run
from mmengine.config import read_base

with read_base():
    from ..deeplift_readings import *  # noqa: I001
    from .._base_.bench_full_scale import *
    from .._base_.bench_paper_ablations import *

# configs/deeplift_readings.py on the full-scale experiments: its variants, its table with
# COCO's columns and VOC's mAP.
bench = dict(
    FULL_SCALE,
    name="deeplift_readings_full_scale",
    variants=[dict(v, base=R101_448[v.base]) for v in bench.variants],
    tables=[dict(bench.tables[0], **ABLATION_TABLE_FULL_SCALE)],
)
