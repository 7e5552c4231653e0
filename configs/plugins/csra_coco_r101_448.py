# CSRA (mlrkit-csra plugin; one head, lambda 0.1) on the pooled ResNet-101 at full scale
# (coco, 448x448, the paper recipe of ../coco/pooled_r101_448.py). Needs the plugin
# (`pip install -e plugins/mlrkit-csra`), GPUs, the data and checkpoints/resnet101.pth.
from mmengine.config import read_base

with read_base():
    from ..coco.pooled_r101_448 import *

# by registered name: the plugin is imported when mlrkit looks the name up
model.head = dict(type="CSRAHead", num_heads=1, lam=0.1)
