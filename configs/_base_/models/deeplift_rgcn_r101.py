# Deep-LIFT with the Residual-GCN label encoder (paper eq. 4, one block 512 -> 1024 -> 1024 ->
# 1024 -> 2048, tau 0.5) and the LIFT head with channel attention (CAM avg+max).
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.embeddings.glove import GloVe300
from mlrkit.encoders.residual_gcn import ResidualGCNEncoder
from mlrkit.heads.deep_lift import DeepLIFTHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet101", pretrained_file=None),
    encoder=dict(type=ResidualGCNEncoder, num_blocks=1, hidden_dims=(512, 1024, 1024, 1024),
                 graph=dict(kind="reweighted", tau=0.5, p=0.25)),
    head=dict(type=DeepLIFTHead, channel_attention="avg+max"),
    label_embedding=dict(type=GloVe300),
    loss=dict(type=BinaryCrossEntropyLoss),
    channels_last=True,
)
