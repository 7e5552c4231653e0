# Query2Label on MS-COCO 2014 at full scale: ResNet-101 with ImageNet weights at 448x448 under the
# modern recipe (AdamW, one-cycle lr, EMA, mixed precision, RandAugment + Cutout, ASL; see
# configs/_base_/schedules/modern_full.py), the recipe of the Query2Label and ML-Decoder papers.
# The head is at its official settings (configs/_base_/models/query2label_r101.py, docs/heads.md).
# Needs a GPU machine, the data under data_root, and local ImageNet weights:
#   mlrkit train configs/coco/query2label_r101_448.py \
#       --cfg-options model.backbone.pretrained_file=checkpoints/resnet101.pth
# (any timm resnet101 state dict saved with torch.save works; nothing is downloaded).
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.coco import *
    from .._base_.default_runtime import *
    from .._base_.models.query2label_r101 import *
    from .._base_.schedules.modern_full import *

model.backbone.pretrained_file = "checkpoints/resnet101.pth"
