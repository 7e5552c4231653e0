# MS-COCO 2014 with three splits: train2014 minus a hold-out of 5,000 images trains, the
# hold-out (the 5,000 train2014 images with the smallest hash of their id: no list file, the
# same on every machine) selects the checkpoint (protocol="held_out"), and val2014, the split
# papers report, is the test split. 80 classes in alphabetical order, images without
# annotations dropped (as ML-GCN). protocol="paper" trains on all of train2014 and selects on
# val2014, as ML-GCN and Deep-LIFT did (`paper_protocol_train` below). Set data_root to your copy:
#   data/coco/annotations/instances_{train,val}2014.json, data/coco/{train,val}2014/*.jpg
from mmengine.dataset import DefaultSampler, default_collate

from mlrkit.datasets.coco import CocoMultiLabel
from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize

data_root = "data/coco"
image_size = 448
hold_out_size = 5000

train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type=DefaultSampler, shuffle=True),
    collate_fn=dict(type=default_collate),
    dataset=dict(
        type=CocoMultiLabel,
        ann_file=data_root + "/annotations/instances_train2014.json",
        img_dir=data_root + "/train2014",
        split="train2014",
        hold_out_size=hold_out_size,
        hold_out_part="rest",
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
    dataset=dict(
        type=CocoMultiLabel,
        ann_file=data_root + "/annotations/instances_train2014.json",
        img_dir=data_root + "/train2014",
        split="train2014-held-out",
        hold_out_size=hold_out_size,
        hold_out_part="held_out",
        pipeline=[dict(type=Resize, size=image_size)],
    ),
)
test_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type=DefaultSampler, shuffle=False),
    collate_fn=dict(type=default_collate),
    dataset=dict(
        type=CocoMultiLabel,
        ann_file=data_root + "/annotations/instances_val2014.json",
        img_dir=data_root + "/val2014",
        split="val2014",
        pipeline=[dict(type=Resize, size=image_size)],
    ),
)
# Model selection (docs/protocol.md): the checkpoint with the best val mAP is reported on test;
# protocol="paper" selects on the test split itself, as ML-GCN and Deep-LIFT did (and every
# table made that way says so).
protocol = "held_out"
val_evaluator = dict(type=MultiLabelMetric)
test_evaluator = val_evaluator
# protocol="paper": train on every train2014 image (the papers had no hold-out)
paper_protocol_train = dict(hold_out_size=0)
