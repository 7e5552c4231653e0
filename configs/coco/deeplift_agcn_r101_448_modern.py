# Deep-LIFT (AGCN) on MS-COCO 2014 at full scale under the modern recipe (AdamW without decay on
# norms and biases, one-cycle lr, EMA weights, mixed precision, RandAugment + Cutout, ASL; see
# configs/_base_/schedules/modern_full.py): model and data as coco/deeplift_agcn_r101_448.py. The
# head comparison of configs/full_scale/comparison_modern.py trains every head this way.
from mmengine.config import read_base

with read_base():  # order matters: the recipe's schedule replaces the experiment's
    from .deeplift_agcn_r101_448 import *  # noqa: I001
    from .._base_.schedules.modern_full import *
