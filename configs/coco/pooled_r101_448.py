# The pooled ResNet-101 baseline on MS-COCO 2014 at full scale (the paper's setting, sec. IV-A):
# ResNet-101 with ImageNet weights at 448x448, batch 32, SGD lr 0.01 (backbone x0.1) decayed x0.1
# every 30 epochs.
# Needs a GPU machine, the data under data_root, and local ImageNet weights:
#   mlrkit train configs/coco/pooled_r101_448.py \
#       --cfg-options model.backbone.pretrained_file=checkpoints/resnet101.pth
# (any timm resnet101 state dict saved with torch.save works; nothing is downloaded).
# Backbone weights: torchvision's ImageNet ResNet-101, which both papers used (timm
# `resnet101.tv_in1k`); a stronger timm tag (e.g. `resnet101.a1h_in1k`) makes the numbers
# incomparable with the papers' tables. The weights file's sha256 is recorded in run_info.json.
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.coco import *
    from .._base_.default_runtime import *
    from .._base_.models.pooled_r101 import *
    from .._base_.schedules.paper_sgd import *

model.backbone.pretrained_file = "checkpoints/resnet101.pth"
