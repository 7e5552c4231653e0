# Deep-LIFT as the official code (github.com/yidaiqiushen/Deep-LIFT, models.py) computes it,
# built from options of the same components as the paper-text model (deeplift_agcn_r101.py);
# docs/conventions.md lists every difference:
# - the complete graph (A = ones, self-loops included; tau unused),
# - AGCN scored by a one-layer additive score with PReLU, normalised by a softmax,
# - a bias and a ReLU on every layer (the last included), BatchNorm (no affine) on the
#   input embeddings,
# - the label features multiplied by a learned 2048 x 2048 matrix before the LIFT product,
# - no channel attention (commented out there), the avg- and max-pooled maps summed and fed
#   to a K -> K -> K MLP with LeakyReLU(0.2),
# - VOC "difficult" labels trained as positives (set in the VOC configs: train_difficult).
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.embeddings.glove import GloVe300
from mlrkit.encoders.attention_gcn import AttentionGCNEncoder
from mlrkit.heads.deep_lift import DeepLIFTHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet101", pretrained_file=None),
    encoder=dict(type=AttentionGCNEncoder, hidden_dims=(1024,), score="linear",
                 normalization="softmax", bias=True, activation="relu", activate_last=True,
                 input_norm=True, graph=dict(kind="complete", normalize=False)),
    head=dict(type=DeepLIFTHead, channel_attention="none", pooling="sum", projection=True),
    label_embedding=dict(type=GloVe300),
    loss=dict(type=BinaryCrossEntropyLoss),
    channels_last=True,
)
