# A short schedule for small models trained from scratch on the CPU (built-in datasets):
# AdamW with a one-cycle learning rate. SGD at the paper's lr assumes ImageNet weights.
from mmengine.optim import OneCycleLR, OptimWrapper
from torch.optim import AdamW

optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=AdamW, lr=2e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=10.0),
)
# `end` is filled in with train_cfg.max_epochs when the run starts, so overriding the number of
# epochs keeps a whole cycle; the schedule steps every iteration.
param_scheduler = [dict(type=OneCycleLR, eta_max=2e-3, pct_start=0.25, by_epoch=True,
                        convert_to_iter_based=True)]
train_cfg = dict(by_epoch=True, max_epochs=8, val_interval=8)
val_cfg = dict()
test_cfg = dict()
