# ML-GCN on PASCAL VOC 2007 at full scale (the paper's setting, sec. IV-A): ResNet-101 with
# ImageNet weights at 448x448, batch 32, SGD lr 0.01 (backbone x0.1) decayed x0.1 every 30 epochs.
# Needs a GPU machine, the data under data_root, and local ImageNet weights:
#   mlrkit train configs/voc2007/mlgcn_r101_448.py \
#       --cfg-options model.backbone.pretrained_file=checkpoints/resnet101.pth
# (any timm resnet101 state dict saved with torch.save works; nothing is downloaded).
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.voc2007 import *
    from .._base_.default_runtime import *
    from .._base_.models.mlgcn_r101 import *
    from .._base_.schedules.paper_sgd import *

model.backbone.pretrained_file = "checkpoints/resnet101.pth"
