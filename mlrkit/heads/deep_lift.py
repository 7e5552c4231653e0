"""DeepLIFTHead: label-specific feature maps, channel attention and a pooled MLP (eq. 5-7)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from mlrkit.registry import HEADS

from .base import MultiLabelHead, _positive_int
from .channel_attention import ChannelAttention

__all__ = ["DeepLIFTHead", "CAM_VARIANTS"]

#: ``cam`` value -> the pooled descriptors of the channel attention (Table IV).
CAM_VARIANTS: dict[str, tuple[str, ...]] = {
    "none": (),
    "avg": ("avg",),
    "max": ("max",),
    "avg+max": ("avg", "max"),
}


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
    with the visual feature at (h, w). The channel attention is CBAM's over the K label
    channels (:class:`~mlrkit.heads.channel_attention.ChannelAttention`, a shared MLP with one
    hidden layer); ``cam`` selects Table IV's variant: ``"none"`` (:math:`A_{att} = A`),
    ``"avg"``, ``"max"`` or ``"avg+max"`` (the paper's model). The final MLP has one hidden
    layer with LeakyReLU(0.2) as :math:`h`.

    ``forward`` returns the LIFT map and the attention LIFT map with the logits, inside the
    autograd graph, so Grad-CAM (paper Fig. 7) takes its gradients from the same pass.

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the feature map (= the encoder's output width).
        cam: channel attention variant, one of :data:`CAM_VARIANTS`.
        cam_reduction: the attention MLP's hidden width is ``max(1, K // cam_reduction)``.
            CBAM uses 16 on 64..2048 channels; with K = 20..80 label channels, 4 keeps a
            bottleneck of 5..20.
        hidden_channels: hidden width of the final MLP (default 2K, its input width).
        negative_slope: slope of the final MLP's LeakyReLU.

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
        cam: str = "avg+max",
        cam_reduction: int = 4,
        hidden_channels: int | None = None,
        negative_slope: float = 0.2,
    ) -> None:
        super().__init__(num_classes, in_channels)
        name = type(self).__name__
        if cam not in CAM_VARIANTS:
            raise ValueError(f"{name}: cam must be one of {list(CAM_VARIANTS)}, got {cam!r}.")
        hidden = 2 * num_classes if hidden_channels is None else hidden_channels
        _positive_int(name, "hidden_channels", hidden)
        if not negative_slope >= 0:
            raise ValueError(f"{name}: negative_slope must be >= 0, got {negative_slope}.")
        self.cam = cam
        pools = CAM_VARIANTS[cam]
        self.channel_attention = (
            ChannelAttention(num_classes, cam_reduction, pools) if pools else None
        )
        self.classifier = nn.Sequential(
            nn.Linear(2 * num_classes, hidden),
            nn.LeakyReLU(negative_slope),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, features: Tensor, label_features: Tensor | None = None) -> dict[str, Tensor]:
        self.check_inputs(features, label_features)
        lift_map = torch.einsum("kd,bdhw->bkhw", label_features, features)  # (B, K, H, W)
        if self.channel_attention is None:
            att_lift_map = lift_map
        else:
            att_lift_map = self.channel_attention(lift_map) * lift_map  # (B, K, H, W)
        pooled = torch.cat(
            [att_lift_map.mean(dim=(2, 3)), att_lift_map.amax(dim=(2, 3))], dim=1
        )  # (B, 2K)
        return {
            "logits": self.classifier(pooled),  # (B, K)
            "lift_map": lift_map,
            "att_lift_map": att_lift_map,
        }

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, cam={self.cam!r}"
