# NUS-WIDE, 81 concepts, official release with three splits: the official Train list (161,789
# images, those still downloadable) minus a hold-out of 10,000 images trains, the hold-out (the
# 10,000 Train images with the smallest hash of their path: no list file, the same on every
# machine) selects the checkpoint (protocol="held_out"), and the official Test list (107,859)
# is the test split. NUS-WIDE has no official val split; protocol="paper" trains on all of
# Train and selects on Test, as the papers did (`paper_protocol_train` below). Put under
# data_root:
#   data/nus_wide/ImageList/{Train,Test}Imagelist.txt, data/nus_wide/Concepts81.txt,
#   data/nus_wide/Groundtruth/TrainTestLabels/Labels_<concept>_{Train,Test}.txt,
#   data/nus_wide/Flickr/<concept>/<image>.jpg
# For ASL / ML-Decoder's split: source="csv" with data/nus_wide/nus_wid_data.csv, images under
# data/nus_wide/images/ and splits "train" / "val" (see nus_wide_asl.py).
from mmengine.config import read_base

from mlrkit.datasets.nus_wide import NUSWideMultiLabel

with read_base():
    from ._file_loaders import *

data_root = "data/nus_wide"
hold_out_size = 10000  # of the Train list, about the share COCO holds out (5,000 of 82,081)

train_dataloader = dict(**train_loader,
                        dataset=dict(type=NUSWideMultiLabel, root=data_root, split="train",
                                source="official", hold_out_size=hold_out_size,
                                hold_out_part="rest", pipeline=train_pipeline))
val_dataloader = dict(**eval_loader,
                      dataset=dict(type=NUSWideMultiLabel, root=data_root, split="train",
                              source="official", hold_out_size=hold_out_size,
                              hold_out_part="held_out", pipeline=test_pipeline))
test_dataloader = dict(**eval_loader,
                       dataset=dict(type=NUSWideMultiLabel, root=data_root, split="test",
                               source="official", pipeline=test_pipeline))
# Model selection (docs/protocol.md): the checkpoint with the best val mAP is reported on test;
# protocol="paper" selects on the test split itself, as the papers did (and every table made
# that way says so).
protocol = "held_out"
# protocol="paper": train on every image of the Train list
paper_protocol_train = dict(hold_out_size=0)
