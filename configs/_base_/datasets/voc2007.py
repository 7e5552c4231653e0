# PASCAL VOC 2007 with three splits: the official `train` list trains, the official `val` list
# (the rest of trainval) selects the checkpoint (protocol="held_out"), `test` is the test split.
# protocol="paper" trains on trainval and selects on test, as ML-GCN and Deep-LIFT did
# (`paper_protocol_train` below). The 20 classes in the standard order; "difficult" labels are
# ignored in AP and P/R (docs/conventions.md; ML-GCN's treatment is
# MultiLabelMetric(difficult_mode="negative")). In training they are left out of the loss
# unless the model says otherwise (model.train_difficult; the full-scale configs: "positive").
# Set data_root to the VOC2007 folder:
#   data/VOCdevkit/VOC2007/{Annotations,ImageSets/Main,JPEGImages}
from mmengine.dataset import DefaultSampler, default_collate

from mlrkit.datasets.voc import VOCMultiLabel
from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize

data_root = "data/VOCdevkit/VOC2007"
image_size = 448

train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type=DefaultSampler, shuffle=True),
    collate_fn=dict(type=default_collate),
    dataset=dict(
        type=VOCMultiLabel, root=data_root, split="train",
        pipeline=[dict(type=MultiScaleCrop, size=image_size,
                       scales=(1.0, 0.875, 0.75, 0.66, 0.5), max_distort=2),
                  dict(type=RandomHorizontalFlip, p=0.5)],
    ),
)
val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type=DefaultSampler, shuffle=False),
    collate_fn=dict(type=default_collate),
    dataset=dict(type=VOCMultiLabel, root=data_root, split="val",
                 pipeline=[dict(type=Resize, size=image_size)]),
)
test_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type=DefaultSampler, shuffle=False),
    collate_fn=dict(type=default_collate),
    dataset=dict(type=VOCMultiLabel, root=data_root, split="test",
                 pipeline=[dict(type=Resize, size=image_size)]),
)
# Model selection (docs/protocol.md): the checkpoint with the best val mAP is reported on test;
# protocol="paper" selects on the test split itself, as ML-GCN and Deep-LIFT did (and every
# table made that way says so).
protocol = "held_out"
val_evaluator = dict(type=MultiLabelMetric)
test_evaluator = val_evaluator
# protocol="paper": train on trainval (train + val), as the papers did
paper_protocol_train = dict(split="trainval")
