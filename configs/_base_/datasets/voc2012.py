# PASCAL VOC2012: train for training, val for evaluation (the test labels are not public), the
# 20 classes in the standard order; "difficult" labels ignored in AP and P/R as for VOC2007.
# Put the official devkit under data_root:
#   data/VOCdevkit/VOC2012/{Annotations,ImageSets/Main,JPEGImages}
from mmengine.dataset import DefaultSampler, default_collate

from mlrkit.datasets.voc2012 import VOC2012MultiLabel
from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize

data_root = "data/VOCdevkit/VOC2012"
image_size = 448
train_pipeline = [dict(type=MultiScaleCrop, size=image_size,
                       scales=(1.0, 0.875, 0.75, 0.66, 0.5), max_distort=2),
                  dict(type=RandomHorizontalFlip, p=0.5)]
test_pipeline = [dict(type=Resize, size=image_size)]
loader = dict(batch_size=32, num_workers=8, persistent_workers=True,
              collate_fn=dict(type=default_collate))

train_dataloader = dict(**loader, sampler=dict(type=DefaultSampler, shuffle=True),
                        dataset=dict(type=VOC2012MultiLabel, root=data_root, split="train",
                                pipeline=train_pipeline))
val_dataloader = dict(**loader, sampler=dict(type=DefaultSampler, shuffle=False),
                      dataset=dict(type=VOC2012MultiLabel, root=data_root, split="val",
                              pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type=MultiLabelMetric)
test_evaluator = val_evaluator
