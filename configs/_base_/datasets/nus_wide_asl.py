# NUS-WIDE, 81 concepts, the split ASL and ML-Decoder use: nus_wid_data.csv (columns filename,
# label, split) with its "train" and "val" rows. Put under data_root:
#   data/nus_wide/nus_wid_data.csv, data/nus_wide/images/<filename of the CSV>
from mmengine.dataset import DefaultSampler, default_collate

from mlrkit.datasets.nus_wide import NUSWideMultiLabel
from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize

data_root = "data/nus_wide"
image_size = 448
train_pipeline = [dict(type=MultiScaleCrop, size=image_size,
                       scales=(1.0, 0.875, 0.75, 0.66, 0.5), max_distort=2),
                  dict(type=RandomHorizontalFlip, p=0.5)]
test_pipeline = [dict(type=Resize, size=image_size)]
loader = dict(batch_size=32, num_workers=8, persistent_workers=True,
              collate_fn=dict(type=default_collate))

train_dataloader = dict(**loader, sampler=dict(type=DefaultSampler, shuffle=True),
                        dataset=dict(type=NUSWideMultiLabel, root=data_root, split="train",
                                source="csv", pipeline=train_pipeline))
val_dataloader = dict(**loader, sampler=dict(type=DefaultSampler, shuffle=False),
                      dataset=dict(type=NUSWideMultiLabel, root=data_root, split="val",
                              source="csv", pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type=MultiLabelMetric)
test_evaluator = val_evaluator
