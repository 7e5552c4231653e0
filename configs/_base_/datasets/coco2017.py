# MS-COCO 2017: train2017 for training, val2017 for evaluation (test2017 has no public labels),
# the 80 classes in alphabetical order as COCO 2014, images without annotations dropped.
# Put the official files under data_root:
#   data/coco2017/annotations/instances_{train,val}2017.json, data/coco2017/{train,val}2017/*.jpg
from mmengine.dataset import DefaultSampler, default_collate

from mlrkit.datasets.coco2017 import Coco2017MultiLabel
from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize

data_root = "data/coco2017"
image_size = 448
train_pipeline = [dict(type=MultiScaleCrop, size=image_size,
                       scales=(1.0, 0.875, 0.75, 0.66, 0.5), max_distort=2),
                  dict(type=RandomHorizontalFlip, p=0.5)]
test_pipeline = [dict(type=Resize, size=image_size)]
loader = dict(batch_size=32, num_workers=8, persistent_workers=True,
              collate_fn=dict(type=default_collate))

train_dataloader = dict(**loader, sampler=dict(type=DefaultSampler, shuffle=True),
                        dataset=dict(type=Coco2017MultiLabel, root=data_root, split="train",
                                pipeline=train_pipeline))
val_dataloader = dict(**loader, sampler=dict(type=DefaultSampler, shuffle=False),
                      dataset=dict(type=Coco2017MultiLabel, root=data_root, split="val",
                              pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type=MultiLabelMetric)
test_evaluator = val_evaluator
