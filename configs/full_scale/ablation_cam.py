# Full-scale sibling of configs/ablation_cam.py: paper Table IV (CAM variant)
# on MS-COCO 2014 and PASCAL VOC2007 with ResNet-101 (ImageNet weights) at 448x448 and the paper's
# SGD schedule (configs/coco/*, configs/voc2007/*), one run per variant, dataset and seed. Needs
# GPUs, both datasets under data/ and checkpoints/resnet101.pth (see configs/coco/*.py), e.g.
#   mlrkit bench configs/full_scale/ablation_cam.py --jobs 4   # one GPU per run
#   mlrkit bench configs/full_scale/ablation_cam.py --jobs 2 \
#       --launcher pytorch --nproc-per-node 4
#   mlrkit bench configs/full_scale/ablation_cam.py --launcher slurm --nproc-per-node 4 \
#       --slurm-partition gpu --slurm-time 48:00:00
from mmengine.config import read_base

with read_base():
    from ..ablation_cam import *  # noqa: I001
    from .._base_.bench_full_scale import *
    from .._base_.bench_paper_ablations import *

# configs/ablation_cam.py on the full-scale experiments: its variants, its table with
# COCO's columns and VOC's mAP.
bench = dict(
    FULL_SCALE,
    name="ablation_cam_full_scale",
    base=R101_448[bench.base],
    variants=bench.variants,
    tables=[dict(bench.tables[0], **ABLATION_TABLE_FULL_SCALE)],
)
