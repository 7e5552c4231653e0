# The "ResNet-101" baseline of the paper: backbone feature map -> global pooling -> linear.
# ImageNet weights load from a local file only: set `pretrained_file` (e.g. timm's
# resnet101.a1h_in1k weights saved with torch.save(state_dict)).
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.heads.global_pool import GlobalPoolHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet101", pretrained_file=None),
    head=dict(type=GlobalPoolHead, pool="avg"),
    loss=dict(type=BinaryCrossEntropyLoss),
    channels_last=True,
)
