"""What every head shares: its sizes and the checks on what comes in."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor, nn

from mlrkit.checks import positive_int

__all__ = ["MultiLabelHead"]

# Plugins written before mlrkit.checks existed import this private name from here.
_positive_int = positive_int


class MultiLabelHead(nn.Module):
    """Base of the heads: ``forward(features, label_features)`` -> logits or a dict of them.

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the backbone's feature map.

    Raises:
        ValueError: for a non-positive size.
    """

    #: Whether ``forward`` needs the label features L (K, D) from a label encoder.
    uses_label_features: ClassVar[bool] = False

    def __init__(self, num_classes: int, in_channels: int) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_classes = positive_int(name, "num_classes", num_classes)
        self.in_channels = positive_int(name, "in_channels", in_channels)

    def check_inputs(self, features: Tensor, label_features: Tensor | None) -> None:
        """Raise a ValueError naming this head when an input has the wrong shape.

        Shapes:
            - features: (B, D, H, W)
            - label_features: (K, D), or None for heads that use none
        """
        name = type(self).__name__
        if features.ndim != 4 or features.shape[1] != self.in_channels:
            raise ValueError(
                f"{name}: expected a feature map (B, {self.in_channels}, H, W), got shape "
                f"{tuple(features.shape)}."
            )
        if not self.uses_label_features:
            return
        if label_features is None:
            raise ValueError(
                f"{name} needs label features (K, D) from a label encoder; got None. Give the "
                "classifier an encoder, e.g. encoder=dict(type='GCNEncoder')."
            )
        expected = (self.num_classes, self.in_channels)
        if tuple(label_features.shape) != expected:
            raise ValueError(
                f"{name}: label features must have shape {expected} (K labels, D channels), "
                f"got {tuple(label_features.shape)}."
            )

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, in_channels={self.in_channels}"
