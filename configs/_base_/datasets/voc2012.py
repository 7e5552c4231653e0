# PASCAL VOC2012: train for training, val for evaluation (the test labels are not public), the
# 20 classes in the standard order; "difficult" labels ignored in AP and P/R as for VOC2007.
# Put the official devkit under data_root:
#   data/VOCdevkit/VOC2012/{Annotations,ImageSets/Main,JPEGImages}
from mmengine.config import read_base

from mlrkit.datasets.voc2012 import VOC2012MultiLabel

with read_base():
    from ._file_loaders import *

data_root = "data/VOCdevkit/VOC2012"

train_dataloader = dict(**train_loader,
                        dataset=dict(type=VOC2012MultiLabel, root=data_root, split="train",
                                pipeline=train_pipeline))
val_dataloader = dict(**eval_loader,
                      dataset=dict(type=VOC2012MultiLabel, root=data_root, split="val",
                              pipeline=test_pipeline))
test_dataloader = val_dataloader
# Two labelled splits only (VOC2012's test labels are not public): no held-out val split
# yet, so the checkpoint is selected on the test split (protocol="paper") and every table says
# so. Give val_dataloader a split disjoint from train and test for protocol="held_out".
protocol = "paper"
