# Deep-LIFT in the official code's reading (configs/_base_/models/deeplift_official_r101.py)
# on PASCAL VOC 2007 at full scale, with the same data, backbone weights and schedule as the
# paper-text reading (deeplift_agcn_r101_448.py), so the two differ only in the model.
# Backbone weights: torchvision's ImageNet ResNet-101, which both papers used (timm
# `resnet101.tv_in1k`); a stronger timm tag makes the numbers incomparable with the tables.
#   mlrkit train configs/voc2007/deeplift_official_r101_448.py
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.voc2007 import *
    from .._base_.default_runtime import *
    from .._base_.models.deeplift_official_r101 import *
    from .._base_.schedules.paper_sgd import *

model.backbone.pretrained_file = "checkpoints/resnet101.pth"
model.train_difficult = "positive"  # the official code trains VOC difficult labels as positives
