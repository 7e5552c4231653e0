# ML-GCN (re-weighted graph) on PASCAL VOC 2007 at full scale under the modern recipe (AdamW
# without decay on norms and biases, one-cycle lr, EMA weights, mixed precision, RandAugment +
# Cutout, ASL; see configs/_base_/schedules/modern_full.py): model and data as
# voc2007/mlgcn_r101_448.py. The head comparison of configs/full_scale/comparison_modern.py trains
# every head this way.
from mmengine.config import read_base

with read_base():  # order matters: the recipe's schedule replaces the experiment's
    from .mlgcn_r101_448 import *  # noqa: I001
    from .._base_.schedules.modern_full import *
