# ML-Decoder (Ridnik et al., WACV 2023, github.com/Alibaba-MIIL/ML_Decoder) on ResNet-101 in
# place of global pooling, at the official defaults: tokens projected to 768 with a ReLU, one
# decoder layer without self-attention, 8 heads, FFN 2048, dropout 0.1, frozen random queries,
# min(100, K) groups (K on COCO and VOC: full decoding) (docs/heads.md).
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.heads.ml_decoder import MLDecoderHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet101", pretrained_file=None),
    head=dict(type=MLDecoderHead, embed_dim=768, num_groups=-1, num_layers=1, num_heads=8,
              ffn_dim=2048, dropout=0.1, queries="fixed"),
    loss=dict(type=BinaryCrossEntropyLoss),
    channels_last=True,
)
