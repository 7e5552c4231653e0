# MS-COCO 2014 as ML-GCN uses it: train2014 for training, val2014 for evaluation, 80 classes
# in alphabetical order, images without annotations dropped. Set data_root to your copy:
#   data/coco/annotations/instances_{train,val}2014.json, data/coco/{train,val}2014/*.jpg
from mmengine.dataset import DefaultSampler, default_collate

from mlrkit.datasets.coco import CocoMultiLabel
from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize

data_root = "data/coco"
image_size = 448

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
        ann_file=data_root + "/annotations/instances_val2014.json",
        img_dir=data_root + "/val2014",
        split="val2014",
        pipeline=[dict(type=Resize, size=image_size)],
    ),
)
test_dataloader = val_dataloader
val_evaluator = dict(type=MultiLabelMetric)
test_evaluator = val_evaluator
