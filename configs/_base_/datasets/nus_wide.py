# NUS-WIDE, 81 concepts, official release: the Train list for training, the Test list for
# evaluation (161,789 / 107,859 images, those still downloadable). Put under data_root:
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

train_dataloader = dict(**train_loader,
                        dataset=dict(type=NUSWideMultiLabel, root=data_root, split="train",
                                source="official", pipeline=train_pipeline))
val_dataloader = dict(**eval_loader,
                      dataset=dict(type=NUSWideMultiLabel, root=data_root, split="test",
                              source="official", pipeline=test_pipeline))
test_dataloader = val_dataloader
# Two labelled splits only (NUS-WIDE has no official val split): no held-out val split
# yet, so the checkpoint is selected on the test split (protocol="paper") and every table says
# so. Give val_dataloader a split disjoint from train and test for protocol="held_out".
protocol = "paper"
