# plugins/csra_coco_r101_448.py under the modern recipe (configs/_base_/schedules/
# modern_full.py: AdamW without decay on norms and biases, one-cycle lr 1e-4, EMA 0.9997,
# mixed precision, RandAugment + Cutout, ASL, 40 epochs): the same model and data.
from mmengine.config import read_base

with read_base():  # order matters: the recipe's schedule replaces the experiment's
    from ..plugins.csra_coco_r101_448 import *  # noqa: I001
    from .._base_.schedules.modern_full import *
