"""DeepLIFTHead: label-specific feature maps, channel attention and a pooled MLP (eq. 5-7)."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import torch
from torch import Tensor, nn

from mlrkit.checks import positive_int
from mlrkit.registry import HEADS

from .base import MultiLabelHead
from .channel_attention import ChannelAttention

__all__ = ["DeepLIFTHead", "CHANNEL_ATTENTION_VARIANTS", "CAM_VARIANTS", "POOLINGS"]

#: ``channel_attention`` value -> the pooled descriptors of the channel attention (the
#: paper's channel-attention module, "CAM", eq. 6; its Table IV).
CHANNEL_ATTENTION_VARIANTS: dict[str, tuple[str, ...]] = {
    "none": (),
    "avg": ("avg",),
    "max": ("max",),
    "avg+max": ("avg", "max"),
}
#: Deprecated name of :data:`CHANNEL_ATTENTION_VARIANTS`.
CAM_VARIANTS = CHANNEL_ATTENTION_VARIANTS

#: How the average- and max-pooled attention LIFT maps enter the final MLP: side by side
#: (the paper's text, 2K inputs) or summed (the official code, K inputs).
POOLINGS = ("concat", "sum")


@HEADS.register_module()
class DeepLIFTHead(MultiLabelHead):
    r"""The Deep-LIFT head: one LIFT map per label, channel attention over them, pooled MLP.

    Li et al., "Deep-LIFT: Deep Label-Specific Feature Learning for Image Annotation", IEEE
    Transactions on Cybernetics, https://doi.org/10.1109/TCYB.2021.3049630:

    .. math::

        A = L F \ \ (\text{eq. 5}), \qquad
        M_c = \sigma\big(\mathrm{MLP}(\mathrm{AvgPool}(A)) + \mathrm{MLP}(\mathrm{MaxPool}(A))
        \big) \ \ (\text{eq. 6}), \qquad
        A_{att} = M_c \odot A \ \ (\text{eq. 7}),

        \hat y = W_2\, h\big(W_1 [\mathrm{AvgPool}(A_{att}) \,\|\, \mathrm{MaxPool}(A_{att})]
        + b_1\big) + b_2,

    each entry of the LIFT map :math:`A_{k,h,w}` being the inner product of label k's feature
    with the visual feature at (h, w). The channel attention (eq. 6, the paper's
    channel-attention module, "CAM") is CBAM's over the K label channels
    (:class:`~mlrkit.heads.channel_attention.ChannelAttention`, a shared MLP with one hidden
    layer); ``channel_attention`` selects Table IV's variant: ``"none"``
    (:math:`A_{att} = A`), ``"avg"``, ``"max"`` or ``"avg+max"`` (the paper's model). The
    final MLP has one hidden layer with LeakyReLU(0.2) as :math:`h`. This channel attention
    is part of the model; the Grad-CAM explanations of ``mlrkit cam`` (:mod:`mlrkit.cam`) are
    computed afterwards, from its outputs.

    Two options give the official code's forward: ``projection=True`` multiplies the label
    features by a learned D x D matrix before the LIFT product, :math:`A = (L W_p) F` (the
    official ``self.W``, 2048 x 2048 = 4,194,304 parameters at ResNet-101's width, Xavier
    initialised with gain 1.414; with it the model has the paper's 51.51 M parameters), and
    ``pooling="sum"`` feeds :math:`\mathrm{AvgPool}(A_{att}) + \mathrm{MaxPool}(A_{att})` (K
    inputs) to the MLP instead of the concatenation.

    ``forward`` returns the LIFT map and the attention LIFT map with the logits, inside the
    autograd graph, so the Grad-CAM explanations (paper Fig. 7) take their gradients from the
    same pass.

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the feature map (= the encoder's output width).
        channel_attention: channel attention variant, one of
            :data:`CHANNEL_ATTENTION_VARIANTS` (formerly ``cam``, still accepted with a
            FutureWarning).
        channel_attention_reduction: the attention MLP's hidden width is
            ``max(1, K // channel_attention_reduction)`` (formerly ``cam_reduction``). CBAM
            uses 16 on 64..2048 channels; with K = 20..80 label channels, 4 keeps a bottleneck
            of 5..20.
        hidden_channels: hidden width of the final MLP (default: its input width, 2K or K).
        negative_slope: slope of the final MLP's LeakyReLU.
        projection: learn the D x D projection of the label features (official code).
        pooling: ``"concat"`` (paper) or ``"sum"`` (official code), one of :data:`POOLINGS`.

    Shapes:
        - features: (B, D, H, W)
        - label_features: (K, D)
        - output: dict with ``logits`` (B, K), ``lift_map`` and ``att_lift_map`` (B, K, H, W)
    """

    uses_label_features = True

    def __init__(
        self,
        num_classes: int,
        in_channels: int,
        channel_attention: str = "avg+max",
        channel_attention_reduction: int = 4,
        hidden_channels: int | None = None,
        negative_slope: float = 0.2,
        projection: bool = False,
        pooling: str = "concat",
        *,
        cam: str | None = None,
        cam_reduction: int | None = None,
    ) -> None:
        super().__init__(num_classes, in_channels)
        name = type(self).__name__
        if cam is not None:  # configs and checkpoints written before the rename
            channel_attention = _renamed(name, "cam", cam, "channel_attention", channel_attention)
        if cam_reduction is not None:
            channel_attention_reduction = _renamed(
                name,
                "cam_reduction",
                cam_reduction,
                "channel_attention_reduction",
                channel_attention_reduction,
            )
        if channel_attention not in CHANNEL_ATTENTION_VARIANTS:
            raise ValueError(
                f"{name}: channel_attention must be one of {list(CHANNEL_ATTENTION_VARIANTS)}, "
                f"got {channel_attention!r}."
            )
        if pooling not in POOLINGS:
            raise ValueError(f"{name}: pooling must be one of {list(POOLINGS)}, got {pooling!r}.")
        inputs = 2 * num_classes if pooling == "concat" else num_classes
        hidden = inputs if hidden_channels is None else hidden_channels
        positive_int(name, "hidden_channels", hidden)
        if not negative_slope >= 0:
            raise ValueError(f"{name}: negative_slope must be >= 0, got {negative_slope}.")
        self.channel_attention_variant, self.pooling = channel_attention, pooling
        if projection:
            self.projection = nn.Parameter(torch.empty(in_channels, in_channels))  # (D, D)
            nn.init.xavier_uniform_(self.projection, gain=1.414)
        else:
            self.register_parameter("projection", None)
        pools = CHANNEL_ATTENTION_VARIANTS[channel_attention]
        self.channel_attention = (
            ChannelAttention(num_classes, channel_attention_reduction, pools) if pools else None
        )
        self.classifier = nn.Sequential(
            nn.Linear(inputs, hidden),
            nn.LeakyReLU(negative_slope),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, features: Tensor, label_features: Tensor | None = None) -> dict[str, Tensor]:
        self.check_inputs(features, label_features)
        if self.projection is not None:
            label_features = label_features @ self.projection  # (K, D)
        lift_map = torch.einsum("kd,bdhw->bkhw", label_features, features)  # (B, K, H, W)
        if self.channel_attention is None:
            att_lift_map = lift_map
        else:
            att_lift_map = self.channel_attention(lift_map) * lift_map  # (B, K, H, W)
        avg, peak = att_lift_map.mean(dim=(2, 3)), att_lift_map.amax(dim=(2, 3))  # (B, K) each
        if self.pooling == "concat":
            pooled = torch.cat([avg, peak], dim=1)  # (B, 2K)
        else:
            pooled = avg + peak  # (B, K)
        return {
            "logits": self.classifier(pooled),  # (B, K)
            "lift_map": lift_map,
            "att_lift_map": att_lift_map,
        }

    @property
    def cam(self) -> str:
        """Deprecated name of :attr:`channel_attention_variant`."""
        warnings.warn(
            f"{type(self).__name__}.cam is deprecated; use .channel_attention_variant",
            FutureWarning,
            stacklevel=2,
        )
        return self.channel_attention_variant

    def extra_repr(self) -> str:
        projection = self.projection is not None
        return (
            f"{super().extra_repr()}, channel_attention={self.channel_attention_variant!r}, "
            f"pooling={self.pooling!r}, projection={projection}"
        )


def _renamed(owner: str, old: str, value: Any, new: str, current: Any) -> Any:
    """The value given under a deprecated keyword of :class:`DeepLIFTHead`, with a warning.

    The shipped configs name only the new keyword, so an old one comes from a config, an
    override or a checkpoint's config written before the rename, laid over them: it wins.
    """
    default = inspect.signature(DeepLIFTHead.__init__).parameters[new].default
    replaced = f" (it replaces {new}={current!r})" if current not in (default, value) else ""
    warnings.warn(
        f"{owner}: the keyword {old!r} is deprecated (it sets the head's channel attention, "
        f"not a Grad-CAM explanation); use {new}={value!r}{replaced}",
        FutureWarning,
        stacklevel=3,
    )
    return value
