# Deep-LIFT in the official code's reading (configs/_base_/models/deeplift_official_r101.py)
# on the built-in dataset, sized as the other built-in configs (ResNet-18 cut after stage 2,
# 48 px, 8 epochs of AdamW from scratch).
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.synthetic_voc import *
    from .._base_.default_runtime import *
    from .._base_.models.deeplift_official_r101 import *
    from .._base_.schedules.cpu_adamw import *

model.backbone = dict(type=TimmBackbone, model_name="resnet18", out_index=2)
default_hooks.logger.interval = 20
