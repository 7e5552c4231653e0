# The Deep-LIFT paper's recipe (Sec. IV-A): SGD, momentum 0.9, weight decay 1e-4, lr 0.01
# decayed x0.1 every 30 epochs; the backbone learns at 0.1x (as ML-GCN), gradients clipped at
# 10 (ML-GCN). The paper does not state the number of epochs: 60 covers two decays.
from mmengine.optim import OptimWrapper, StepLR
from torch.optim import SGD

optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=SGD, lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={"backbone": dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=10.0),
)
param_scheduler = [dict(type=StepLR, step_size=30, gamma=0.1, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=60, val_interval=1)
val_cfg = dict()
test_cfg = dict()
