# Deep-LIFT with the Attention-GCN label encoder (paper eq. 3, 2 layers 1024 -> 2048, tau 0.5)
# and the LIFT head with channel attention (eq. 5-7, CAM avg+max).
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.embeddings.glove import GloVe300
from mlrkit.encoders.attention_gcn import AttentionGCNEncoder
from mlrkit.heads.deep_lift import DeepLIFTHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet101", pretrained_file=None),
    encoder=dict(type=AttentionGCNEncoder, hidden_dims=(1024,),
                 graph=dict(kind="binary", tau=0.5)),
    head=dict(type=DeepLIFTHead, channel_attention="avg+max"),
    label_embedding=dict(type=GloVe300),
    loss=dict(type=BinaryCrossEntropyLoss),
    channels_last=True,
)
