"""GlobalPoolHead: global pooling and a linear classifier (the "ResNet-101" baseline)."""

from __future__ import annotations

from torch import Tensor, nn

from mlrkit.checks import one_of
from mlrkit.registry import HEADS

from .base import MultiLabelHead

__all__ = ["GlobalPoolHead"]

POOLS = ("avg", "max")


@HEADS.register_module()
class GlobalPoolHead(MultiLabelHead):
    r"""Global average or max pooling followed by a linear layer to K logits.

    .. math::

        \hat y = W \, \mathrm{pool}(F) + b

    The baseline of the Deep-LIFT and ML-GCN papers (ResNet-101 with a K-way linear layer).

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the feature map.
        pool: ``"avg"`` or ``"max"``.

    Shapes:
        - features: (B, D, H, W)
        - label_features: ignored
        - output: logits (B, K)
    """

    uses_label_features = False

    def __init__(self, num_classes: int, in_channels: int, pool: str = "avg") -> None:
        super().__init__(num_classes, in_channels)
        self.pool = one_of(type(self).__name__, "pool", pool, POOLS)
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, features: Tensor, label_features: Tensor | None = None) -> Tensor:
        self.check_inputs(features, label_features)
        if self.pool == "avg":
            pooled = features.mean(dim=(2, 3))  # (B, D)
        else:
            pooled = features.amax(dim=(2, 3))  # (B, D)
        return self.fc(pooled)  # (B, K)
