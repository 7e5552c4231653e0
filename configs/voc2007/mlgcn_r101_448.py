# ML-GCN on PASCAL VOC 2007 at full scale with ML-GCN's own recipe (configs/_base_/schedules/
# mlgcn_sgd.py: SGD lr 0.1, backbone x0.1, momentum 0.9, weight decay 1e-4, 20 epochs), so
# the ML-GCN rows are ML-GCN's numbers, not ML-GCN trained with Deep-LIFT's schedule.
# ResNet-101 with ImageNet weights at 448x448, batch 32. Backbone weights: torchvision's
# ImageNet ResNet-101, which both papers used (timm `resnet101.tv_in1k`, saved with
# torch.save to checkpoints/resnet101.pth; nothing is downloaded); a stronger timm tag
# (e.g. `resnet101.a1h_in1k`) makes the numbers incomparable with the papers' tables.
#   mlrkit train configs/voc2007/mlgcn_r101_448.py
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.voc2007 import *
    from .._base_.default_runtime import *
    from .._base_.models.mlgcn_r101 import *
    from .._base_.schedules.mlgcn_sgd import *

model.backbone.pretrained_file = "checkpoints/resnet101.pth"
model.train_difficult = "positive"  # ML-GCN trains VOC difficult labels as positives
