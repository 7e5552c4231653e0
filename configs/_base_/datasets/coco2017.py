# MS-COCO 2017 with three splits, as COCO 2014: train2017 minus a hold-out of 5,000 images (the
# smallest hashes of their ids: no list file, the same everywhere) trains, the hold-out selects
# the checkpoint (protocol="held_out"), val2017 is the test split (test2017 has no public
# labels); protocol="paper" trains on all of train2017 and selects on val2017. The 80 classes in
# alphabetical order as COCO 2014, images without annotations dropped.
# Put the official files under data_root:
#   data/coco2017/annotations/instances_{train,val}2017.json, data/coco2017/{train,val}2017/*.jpg
from mmengine.config import read_base

from mlrkit.datasets.coco2017 import Coco2017MultiLabel

with read_base():
    from ._file_loaders import *

data_root = "data/coco2017"

hold_out_size = 5000

train_dataloader = dict(**train_loader,
                        dataset=dict(type=Coco2017MultiLabel, root=data_root, split="train",
                                hold_out_size=hold_out_size, hold_out_part="rest",
                                pipeline=train_pipeline))
val_dataloader = dict(**eval_loader,
                      dataset=dict(type=Coco2017MultiLabel, root=data_root, split="train",
                              hold_out_size=hold_out_size, hold_out_part="held_out",
                              pipeline=test_pipeline))
test_dataloader = dict(**eval_loader,
                       dataset=dict(type=Coco2017MultiLabel, root=data_root, split="val",
                               pipeline=test_pipeline))
# Model selection (docs/protocol.md): the checkpoint with the best val mAP is reported on test;
# protocol="paper" selects on the test split itself, as ML-GCN and Deep-LIFT did (and every
# table made that way says so).
protocol = "held_out"
# protocol="paper": train on every train2017 image
paper_protocol_train = dict(hold_out_size=0)
