# CSRA (mlrkit-csra plugin) on the built-in dataset under the modern recipe (see
# configs/_base_/schedules/modern_builtin.py): the same model and data as csra_synthetic.py.
# Needs the plugin: `pip install -e plugins/mlrkit-csra`.
from mmengine.config import read_base

with read_base():  # order matters: the recipe's schedule replaces the experiment's
    from .csra_synthetic import *  # noqa: I001
    from .._base_.schedules.modern_builtin import *
