# PASCAL VOC2012 with three splits. The test labels are not public (results on test come from
# the evaluation server), so the field trains on the official `train` list and reports the
# official `val` list; mlrkit does the same and selects the checkpoint on a hold-out of train:
# `train` minus 1,000 images trains, the 1,000 `train` images with the smallest hash of their
# id (no list file, the same on every machine) select the checkpoint (protocol="held_out"), and
# the official `val` list is the test split. protocol="paper" trains on all of `train` and
# selects on `val` itself (`paper_protocol_train` below). The 20 classes in the standard
# order; "difficult" labels ignored in AP and P/R as for VOC2007. Put the official devkit under
# data_root:
#   data/VOCdevkit/VOC2012/{Annotations,ImageSets/Main,JPEGImages}
from mmengine.config import read_base

from mlrkit.datasets.voc2012 import VOC2012MultiLabel

with read_base():
    from ._file_loaders import *

data_root = "data/VOCdevkit/VOC2012"
hold_out_size = 1000  # of the 5,717 `train` images

train_dataloader = dict(**train_loader,
                        dataset=dict(type=VOC2012MultiLabel, root=data_root, split="train",
                                hold_out_size=hold_out_size, hold_out_part="rest",
                                pipeline=train_pipeline))
val_dataloader = dict(**eval_loader,
                      dataset=dict(type=VOC2012MultiLabel, root=data_root, split="train",
                              hold_out_size=hold_out_size, hold_out_part="held_out",
                              pipeline=test_pipeline))
test_dataloader = dict(**eval_loader,
                       dataset=dict(type=VOC2012MultiLabel, root=data_root, split="val",
                               pipeline=test_pipeline))
# Model selection (docs/protocol.md): the checkpoint with the best val mAP is reported on test;
# protocol="paper" selects on the test split itself, as the papers did (and every table made
# that way says so).
protocol = "held_out"
# protocol="paper": train on every `train` image
paper_protocol_train = dict(hold_out_size=0)
