# MS-COCO 2017: train2017 for training, val2017 for evaluation (test2017 has no public labels),
# the 80 classes in alphabetical order as COCO 2014, images without annotations dropped.
# Put the official files under data_root:
#   data/coco2017/annotations/instances_{train,val}2017.json, data/coco2017/{train,val}2017/*.jpg
from mmengine.config import read_base

from mlrkit.datasets.coco2017 import Coco2017MultiLabel

with read_base():
    from ._file_loaders import *

data_root = "data/coco2017"

train_dataloader = dict(**train_loader,
                        dataset=dict(type=Coco2017MultiLabel, root=data_root, split="train",
                                pipeline=train_pipeline))
val_dataloader = dict(**eval_loader,
                      dataset=dict(type=Coco2017MultiLabel, root=data_root, split="val",
                              pipeline=test_pipeline))
test_dataloader = val_dataloader
