# Deep-LIFT (RGCN) on the built-in dataset, sized for a laptop CPU: ResNet-18 cut after its second
# stage (128 channels, 6x6 map at 48 px), trained from scratch with AdamW for 8 epochs.
from mmengine.config import read_base

with read_base():
    from .._base_.datasets.synthetic_voc import *
    from .._base_.default_runtime import *
    from .._base_.models.deeplift_rgcn_r101 import *
    from .._base_.schedules.cpu_adamw import *

model.backbone = dict(type=TimmBackbone, model_name="resnet18", out_index=2)
default_hooks.logger.interval = 20
