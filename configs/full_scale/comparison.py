# Full-scale sibling of configs/comparison.py: paper Tables I (COCO) and II (VOC2007)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*; the ML-GCN rows with ML-GCN's own recipe,
# configs/_base_/schedules/mlgcn_sgd.py), one run per variant, dataset and seed. Backbone
# weights: torchvision's ImageNet ResNet-101 (timm `resnet101.tv_in1k`), as both papers; a
# stronger timm tag makes the table incomparable with the paper's. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
#   mlrkit bench configs/full_scale/comparison.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/comparison.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/comparison.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
from mmengine.config import read_base

with read_base():
    from ..comparison import *  # noqa: I001
    from .._base_.bench_full_scale import *

TABLE_I, TABLE_II = bench.tables
# configs/comparison.py on the full-scale experiments: its variants, Table I on COCO and Table II
# on VOC2007, each with the methods the paper cites (WARP, CNN-RNN, ...) as printed.
bench = dict(
    FULL_SCALE,
    name="comparison_full_scale",
    variants=[dict(v, base=R101_448[v.base]) for v in bench.variants],
    tables=[
        dict(TABLE_I, cited=True, columns=[dict(c, dataset="coco") for c in TABLE_I.columns]),
        dict(
            TABLE_II,
            title="Table II: per-class AP on VOC2007",
            cited=True,
            columns=[dict(c, dataset="voc") for c in TABLE_II.columns],
        ),
    ],
)
