# ML-GCN (Chen et al., CVPR 2019): a 2-layer GCN (300 -> 1024 -> 2048) over GloVe label
# embeddings on the re-weighted co-occurrence graph (tau 0.4, p 0.25) gives one classifier per
# label, applied to the max-pooled ResNet-101 feature.
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.embeddings.glove import GloVe300
from mlrkit.encoders.gcn import GCNEncoder
from mlrkit.heads.mlgcn import MLGCNHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet101", pretrained_file=None),
    encoder=dict(type=GCNEncoder, hidden_dims=(1024,),
                 graph=dict(kind="reweighted", tau=0.4, p=0.25)),
    head=dict(type=MLGCNHead),
    label_embedding=dict(type=GloVe300),
    loss=dict(type=BinaryCrossEntropyLoss),
    channels_last=True,
)
