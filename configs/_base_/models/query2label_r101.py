# Query2Label (Liu et al. 2021, github.com/SlongLiu/query2labels) on ResNet-101, at the official
# code's defaults: the transformer is as wide as the backbone (d = 2048, no input projection),
# 1 encoder and 2 decoder layers without decoder self-attention, 4 heads, FFN 8192, dropout 0.1,
# sine positional encoding, learned label queries (docs/heads.md).
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.heads.query2label import Query2LabelHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet101", pretrained_file=None),
    head=dict(type=Query2LabelHead, num_encoder_layers=1, num_decoder_layers=2, num_heads=4,
              dropout=0.1, queries="learned", decoder_self_attention=False,
              position_encoding="sine"),
    loss=dict(type=BinaryCrossEntropyLoss),
    channels_last=True,
)
