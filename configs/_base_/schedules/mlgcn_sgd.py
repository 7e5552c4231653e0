# ML-GCN's own recipe (its code, github.com/megvii-research/ML-GCN: demo_coco_gcn.py,
# demo_voc2007_gcn.py and engine.py): SGD lr 0.1, the pre-trained backbone at lr x0.1 (lrp),
# momentum 0.9, weight decay 1e-4, gradient norm clipped at 10, 20 epochs with the lr decayed
# x0.1 at the epochs of --epoch_step (default 30, so never within the 20 epochs), batch 32
# (its README commands). The ML-GCN paper's text gives 100 epochs decayed every 40 instead;
# set train_cfg.max_epochs=100 and param_scheduler's milestones=[40, 80] for that reading.
from mmengine.optim import MultiStepLR, OptimWrapper
from torch.optim import SGD

optim_wrapper = dict(
    type=OptimWrapper,
    optimizer=dict(type=SGD, lr=0.1, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={"backbone": dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=10.0),
)
param_scheduler = [dict(type=MultiStepLR, milestones=[30], gamma=0.1, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=1)
val_cfg = dict()
test_cfg = dict()
