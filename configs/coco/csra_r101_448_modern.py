# CSRA (the mlrkit-csra plugin; 4 heads, lambda 0.5, the CSRA authors' setting on COCO) on MS-COCO
# 2014 at full scale: ResNet-101 with ImageNet weights at 448x448, no label encoder, under the
# modern recipe (configs/_base_/schedules/modern_full.py). Needs the plugin: `pip install -e
# plugins/mlrkit-csra`.
from mmengine.config import read_base

with read_base():  # order matters: the recipe's schedule replaces the experiment's
    from .pooled_r101_448 import *  # noqa: I001
    from .._base_.schedules.modern_full import *

# by registered name: the plugin is imported when mlrkit looks the name up
model.head = dict(type="CSRAHead", num_heads=4, lam=0.5)
