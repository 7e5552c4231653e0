# ADD-GCN (Ye et al., ECCV 2020, github.com/Yejin0111/ADD-GCN) on ResNet-101, as the official
# model and trainer compute it: class activation maps (spatial max -> s_m), semantic attention to
# one 1024-d node per label, static + dynamic GCN (-> s_r), logits (s_m + s_r) / 2
# (docs/heads.md).
from mlrkit.backbones.timm_backbone import TimmBackbone
from mlrkit.heads.add_gcn import ADDGCNHead
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

model = dict(
    type=MultiLabelClassifier,
    backbone=dict(type=TimmBackbone, model_name="resnet101", pretrained_file=None),
    head=dict(type=ADDGCNHead, hidden_channels=None, static_graph=True, dynamic_graph=True),
    loss=dict(type=BinaryCrossEntropyLoss),
    channels_last=True,
)
