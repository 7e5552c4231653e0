# Query2Label at its official settings with the transformer as wide as the backbone (d = D = 128; 1
# encoder and 2 decoder layers, 4 heads, FFN 4d, learned label queries) on the built-in dataset
# under the modern recipe (configs/_base_/schedules/modern_builtin.py), sized for a laptop CPU:
# ResNet-18 cut after its second stage (128 channels, 6x6 map at 48 px), trained from scratch for 8
# epochs.
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.synthetic_voc import *
    from .._base_.default_runtime import *
    from .._base_.models.query2label_r101 import *
    from .._base_.schedules.modern_builtin import *

model.backbone = dict(type=TimmBackbone, model_name="resnet18", out_index=2)
default_hooks.logger.interval = 20
