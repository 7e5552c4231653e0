# The modern multi-label recipe at full scale (ResNet-101 with ImageNet weights at 448x448 on
# MS-COCO / VOC, GPUs): the training recipe of ASL (Ridnik et al., "Asymmetric Loss For
# Multi-Label Classification", ICCV 2021, github.com/Alibaba-MIIL/ASL), ML-Decoder (Ridnik et
# al., "ML-Decoder: Scalable and Versatile Classification Head", WACV 2023,
# github.com/Alibaba-MIIL/ML_Decoder) and Query2Label (Liu et al., "Query2Label: A Simple
# Transformer Way to Multi-Label Classification", 2021, github.com/SlongLiu/query2labels).
#
# AdamW lr 1e-4 with weight decay 1e-2 (Query2Label's) off for norms and biases (ASL's
# add_weight_decay), one-cycle lr with 20 % warm-up, 40 epochs (ML-Decoder on COCO), EMA decay
# 0.9997 (all three), mixed precision (bf16 where the GPU has it, fp16 with loss scaling
# elsewhere), RandAugment + Cutout on the training images, ASL with gamma_neg 4, gamma_pos 0,
# clip 0.05. Inheriting this one file switches all of it on for any head or encoder: the parts
# outside the optimizer live in `recipe` (see mlrkit/engine/recipe.py and docs/recipes.md).
from mmengine.optim import OneCycleLR, OptimWrapper
from torch.optim import AdamW
from torchvision.transforms.v2 import RandAugment, RandomErasing

from mlrkit.losses.asymmetric_loss import AsymmetricLoss

optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=AdamW, lr=1e-4, weight_decay=1e-2),
    # no weight decay on norm weights, biases and any other 1-d parameter
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0),
)
# `end` is filled in with train_cfg.max_epochs when the run starts; steps every iteration.
param_scheduler = [dict(type=OneCycleLR, eta_max=1e-4, pct_start=0.2, by_epoch=True,
                        convert_to_iter_based=True)]
train_cfg = dict(by_epoch=True, max_epochs=40, val_interval=1)
val_cfg = dict()
test_cfg = dict()

recipe = dict(
    name="modern",
    # ML-Decoder / Query2Label: gamma_neg 4, gamma_pos 0, clip 0.05, focusing weights detached
    loss=dict(type=AsymmetricLoss, gamma_neg=4.0, gamma_pos=0.0, clip=0.05,
              detach_focal_weight=True, reduction="sum"),
    ema=dict(momentum=0.0003, update_buffers=True),  # decay 0.9997
    mixed_precision="auto",  # bf16 autocast on CPUs with native bf16, bf16/fp16 on GPUs
    # after the dataset's multi-scale crop and flip, on uint8 (3, 448, 448) tensors:
    # RandAugment (2 ops, magnitude 9) and Cutout (ASL's CutoutPIL: half the side, i.e. a
    # quarter of the area) as torchvision's RandomErasing, filled grey
    train_augment=[
        dict(type=RandAugment, num_ops=2, magnitude=9),
        dict(type=RandomErasing, p=1.0, scale=(0.25, 0.25), ratio=(1.0, 1.0),
             value=[124, 116, 104]),
    ],
)
