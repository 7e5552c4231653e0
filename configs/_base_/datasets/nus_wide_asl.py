# NUS-WIDE, 81 concepts, the split ASL and ML-Decoder use: nus_wid_data.csv (columns filename,
# label, split) with its "train" and "val" rows. Put under data_root:
#   data/nus_wide/nus_wid_data.csv, data/nus_wide/images/<filename of the CSV>
from mmengine.config import read_base

from mlrkit.datasets.nus_wide import NUSWideMultiLabel

with read_base():
    from ._file_loaders import *

data_root = "data/nus_wide"

train_dataloader = dict(**train_loader,
                        dataset=dict(type=NUSWideMultiLabel, root=data_root, split="train",
                                source="csv", pipeline=train_pipeline))
val_dataloader = dict(**eval_loader,
                      dataset=dict(type=NUSWideMultiLabel, root=data_root, split="val",
                              source="csv", pipeline=test_pipeline))
test_dataloader = val_dataloader
# Two labelled splits only (this split has no third part): no held-out val split
# yet, so the checkpoint is selected on the test split (protocol="paper") and every table says
# so. Give val_dataloader a split disjoint from train and test for protocol="held_out".
protocol = "paper"
