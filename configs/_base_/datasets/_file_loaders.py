# What the file-based dataset configs share (COCO 2017, VOC2012, NUS-WIDE, Open Images): ML-GCN's
# 448 px pipelines, loaders of batch 32 with 8 workers, and the metric with its defaults.
from mmengine.dataset import DefaultSampler, default_collate

from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize

image_size = 448
train_pipeline = [dict(type=MultiScaleCrop, size=image_size,
                       scales=(1.0, 0.875, 0.75, 0.66, 0.5), max_distort=2),
                  dict(type=RandomHorizontalFlip, p=0.5)]
test_pipeline = [dict(type=Resize, size=image_size)]
train_loader = dict(batch_size=32, num_workers=8, persistent_workers=True,
                    collate_fn=dict(type=default_collate),
                    sampler=dict(type=DefaultSampler, shuffle=True))
eval_loader = dict(batch_size=32, num_workers=8, persistent_workers=True,
                   collate_fn=dict(type=default_collate),
                   sampler=dict(type=DefaultSampler, shuffle=False))
val_evaluator = dict(type=MultiLabelMetric)
test_evaluator = val_evaluator
