# The pooled baseline on the built-in dataset under the modern recipe (AdamW without decay on
# norms and biases, one-cycle lr, EMA weights, mixed precision, RandAugment + Cutout, ASL; see
# configs/_base_/schedules/modern_builtin.py): model and data as synthetic/pooled.py.
from mmengine.config import read_base

with read_base():  # order matters: the recipe's schedule replaces the experiment's
    from .pooled import *  # noqa: I001
    from .._base_.schedules.modern_builtin import *
