# Open Images V6 image-level labels (the 601 boxable classes) with its three official splits:
# train trains, validation selects the checkpoint (protocol="held_out"), test is the test
# split. Human-verified labels only: Confidence 1 = positive, 0 = negative, every other
# (image, class) unknown and masked out of the loss and the metrics. protocol="paper" selects
# on test itself. Put under data_root:
#   data/openimages/{train,validation,test}-annotations-human-imagelabels-boxable.csv
#   data/openimages/class-descriptions-boxable.csv
#   data/openimages/{train,validation,test}/<ImageID>.jpg
# V7: labels_csv=".../oidv7-train-annotations-human-imagelabels.csv" (and -val-, -test-),
#     classes_csv=".../oidv7-class-descriptions.csv",
#     trainable_file=".../oidv7-classes-trainable.txt"
from mmengine.config import read_base

from mlrkit.datasets.open_images import OpenImagesMultiLabel

with read_base():
    from ._file_loaders import *

data_root = "data/openimages"

train_dataloader = dict(**train_loader,
                        dataset=dict(
    type=OpenImagesMultiLabel, split="train",
    labels_csv=data_root + "/train-annotations-human-imagelabels-boxable.csv",
    classes_csv=data_root + "/class-descriptions-boxable.csv",
    img_dir=data_root + "/train", pipeline=train_pipeline))
val_dataloader = dict(**eval_loader,
                      dataset=dict(
    type=OpenImagesMultiLabel, split="validation",
    labels_csv=data_root + "/validation-annotations-human-imagelabels-boxable.csv",
    classes_csv=data_root + "/class-descriptions-boxable.csv",
    img_dir=data_root + "/validation", pipeline=test_pipeline))
test_dataloader = dict(**eval_loader,
                       dataset=dict(
    type=OpenImagesMultiLabel, split="test",
    labels_csv=data_root + "/test-annotations-human-imagelabels-boxable.csv",
    classes_csv=data_root + "/class-descriptions-boxable.csv",
    img_dir=data_root + "/test", pipeline=test_pipeline))
# Model selection (docs/protocol.md): the checkpoint with the best val mAP is reported on test;
# protocol="paper" selects on the test split itself (and every table made that way says so).
protocol = "held_out"
