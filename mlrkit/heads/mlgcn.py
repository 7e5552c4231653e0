"""MLGCNHead: ML-GCN's classifier, the pooled image feature against each label's feature."""

from __future__ import annotations

from torch import Tensor

from mlrkit.registry import HEADS

from .base import MultiLabelHead

__all__ = ["MLGCNHead"]


@HEADS.register_module()
class MLGCNHead(MultiLabelHead):
    r"""Global max pooling, then one dot product per label with its GCN feature.

    Chen et al., "Multi-Label Image Recognition with Graph Convolutional Networks", CVPR 2019,
    https://arxiv.org/abs/1904.03582:

    .. math::

        \hat y = L \, \mathrm{maxpool}(F), \qquad \text{i.e. logits} = \mathrm{maxpool}(F)\,L^\top

    The label features L from the encoder are the K classifiers; the head has no parameters.

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the feature map (= the encoder's output width).

    Shapes:
        - features: (B, D, H, W)
        - label_features: (K, D)
        - output: logits (B, K)
    """

    uses_label_features = True

    def forward(self, features: Tensor, label_features: Tensor | None = None) -> Tensor:
        self.check_inputs(features, label_features)
        pooled = features.amax(dim=(2, 3))  # (B, D)
        return pooled @ label_features.T  # (B, K)
