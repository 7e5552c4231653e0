# The modern multi-label recipe, sized for the built-in data (small models trained from scratch
# on the CPU, 8 epochs like cpu_adamw.py so that the two recipes compare epoch for epoch).
#
# It is the recipe of ASL (Ridnik et al., "Asymmetric Loss For Multi-Label Classification",
# ICCV 2021, github.com/Alibaba-MIIL/ASL), ML-Decoder (Ridnik et al., "ML-Decoder: Scalable and
# Versatile Classification Head", WACV 2023, github.com/Alibaba-MIIL/ML_Decoder) and Query2Label
# (Liu et al., "Query2Label: A Simple Transformer Way to Multi-Label Classification", 2021,
# github.com/SlongLiu/query2labels), as written out in modern_full.py: AdamW with weight decay
# off for norms and biases, one-cycle lr, an exponential moving average of the weights (the EMA
# weights are validated, selected and saved), mixed precision, RandAugment + Cutout from
# torchvision, the asymmetric loss. Inheriting this one file switches all of it on for any head
# or encoder (the parts outside the optimizer live in `recipe`, see mlrkit/engine/recipe.py and
# docs/recipes.md).
#
# Built-in adaptations: lr 2e-3 (from scratch, like cpu_adamw.py), EMA momentum 0.004 (decay
# 0.996, about 250 of the run's ~1,250 iterations; 0.9997 would average over more iterations than
# the run has), 8 epochs, validation every epoch (for the held-out selection).
from mmengine.config import read_base

with read_base():
    from .modern_full import *

optim_wrapper.optimizer.lr = 2e-3
param_scheduler[0].eta_max = 2e-3
train_cfg.max_epochs = 8
recipe.ema.momentum = 0.004
