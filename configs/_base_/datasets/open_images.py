# Open Images V6 image-level labels (the 601 boxable classes): train for training, validation
# for evaluation. Human-verified labels only: Confidence 1 = positive, 0 = negative, every other
# (image, class) unknown and masked out of the loss and the metrics. Put under data_root:
#   data/openimages/train-annotations-human-imagelabels-boxable.csv (and validation-...)
#   data/openimages/class-descriptions-boxable.csv
#   data/openimages/{train,validation}/<ImageID>.jpg
# V7: labels_csv=".../oidv7-train-annotations-human-imagelabels.csv",
#     classes_csv=".../oidv7-class-descriptions.csv",
#     trainable_file=".../oidv7-classes-trainable.txt"
from mmengine.dataset import DefaultSampler, default_collate

from mlrkit.datasets.open_images import OpenImagesMultiLabel
from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip
from mlrkit.transforms.resize import Resize

data_root = "data/openimages"
image_size = 448
train_pipeline = [dict(type=MultiScaleCrop, size=image_size,
                       scales=(1.0, 0.875, 0.75, 0.66, 0.5), max_distort=2),
                  dict(type=RandomHorizontalFlip, p=0.5)]
test_pipeline = [dict(type=Resize, size=image_size)]
loader = dict(batch_size=32, num_workers=8, persistent_workers=True,
              collate_fn=dict(type=default_collate))

train_dataloader = dict(**loader, sampler=dict(type=DefaultSampler, shuffle=True),
                        dataset=dict(
    type=OpenImagesMultiLabel, split="train",
    labels_csv=data_root + "/train-annotations-human-imagelabels-boxable.csv",
    classes_csv=data_root + "/class-descriptions-boxable.csv",
    img_dir=data_root + "/train", pipeline=train_pipeline))
val_dataloader = dict(**loader, sampler=dict(type=DefaultSampler, shuffle=False),
                      dataset=dict(
    type=OpenImagesMultiLabel, split="validation",
    labels_csv=data_root + "/validation-annotations-human-imagelabels-boxable.csv",
    classes_csv=data_root + "/class-descriptions-boxable.csv",
    img_dir=data_root + "/validation", pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type=MultiLabelMetric)
test_evaluator = val_evaluator
