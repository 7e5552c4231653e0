# CSRA (class-specific residual attention, from the mlrkit-csra plugin) on the built-in
# dataset: the pooled baseline's backbone (ResNet-18 cut after its second stage, 128 channels,
# 6x6 map at 48 px, no label encoder) with the CSRA head instead of average pooling + linear;
# AdamW for 8 epochs. Needs the plugin: `pip install -e plugins/mlrkit-csra`.
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.synthetic_voc import *
    from .._base_.default_runtime import *
    from .._base_.models.pooled_r101 import *
    from .._base_.schedules.cpu_adamw import *

model.backbone = dict(type=TimmBackbone, model_name="resnet18", out_index=2)
# by registered name: the plugin is imported when mlrkit looks the name up
model.head = dict(type="CSRAHead", num_heads=1, lam=0.1)
default_hooks.logger.interval = 20
