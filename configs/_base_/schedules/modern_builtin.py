# The modern multi-label recipe, sized for the built-in data (small models trained from scratch
# on the CPU, 8 epochs like cpu_adamw.py so that the two recipes compare epoch for epoch).
#
# It is the recipe of ASL (Ridnik et al., "Asymmetric Loss For Multi-Label Classification",
# ICCV 2021, github.com/Alibaba-MIIL/ASL), ML-Decoder (Ridnik et al., "ML-Decoder: Scalable and
# Versatile Classification Head", WACV 2023, github.com/Alibaba-MIIL/ML_Decoder) and Query2Label
# (Liu et al., "Query2Label: A Simple Transformer Way to Multi-Label Classification", 2021,
# github.com/SlongLiu/query2labels): Adam-family optimizer with weight decay off for norms and
# biases, a one-cycle learning rate, an exponential moving average of the weights (the EMA
# weights are validated, selected and saved), mixed precision, RandAugment + Cutout, and the
# asymmetric loss. Inheriting this one file switches all of it on for any head or encoder: the
# parts outside the optimizer live in `recipe` (see mlrkit/engine/recipe.py and docs/recipes.md).
#
# Built-in adaptations (documented in docs/recipes.md): lr 2e-3 (from scratch, like cpu_adamw.py),
# EMA momentum 0.004 (decay 0.996: ~250 of the ~1,250 iterations; 0.9997 would average over
# more iterations than the run has), validation every epoch (for the held-out selection).
from mmengine.optim import OneCycleLR, OptimWrapper
from torch.optim import AdamW
from torchvision.transforms.v2 import RandAugment, RandomErasing

from mlrkit.losses.asymmetric_loss import AsymmetricLoss

optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=AdamW, lr=2e-3, weight_decay=1e-2),
    # no weight decay on norm weights, biases and any other 1-d parameter
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0),
)
# `end` is filled in with train_cfg.max_epochs when the run starts; steps every iteration.
param_scheduler = [dict(type=OneCycleLR, eta_max=2e-3, pct_start=0.2, by_epoch=True,
                        convert_to_iter_based=True)]
train_cfg = dict(by_epoch=True, max_epochs=8, val_interval=1)
val_cfg = dict()
test_cfg = dict()

recipe = dict(
    name="modern",
    # ML-Decoder / Query2Label: gamma_neg 4, gamma_pos 0, clip 0.05, focusing weights detached
    loss=dict(type=AsymmetricLoss, gamma_neg=4.0, gamma_pos=0.0, clip=0.05,
              detach_focal_weight=True, reduction="sum"),
    ema=dict(momentum=0.004, update_buffers=True),
    mixed_precision="auto",  # bf16 autocast on CPUs with native bf16, bf16/fp16 on GPUs
    # on the uint8 (3, H, W) tensors, after the dataset's own crop / flip: RandAugment (2 ops,
    # magnitude 9, torchvision's defaults) and Cutout as torchvision's RandomErasing of a
    # square of a quarter of the image (ASL's CutoutPIL cuts half the side), filled grey
    train_augment=[
        dict(type=RandAugment, num_ops=2, magnitude=9),
        dict(type=RandomErasing, p=1.0, scale=(0.25, 0.25), ratio=(1.0, 1.0),
             value=[124, 116, 104]),
    ],
)
