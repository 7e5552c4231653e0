"""ChannelAttention: CBAM's channel attention module, used by the Deep-LIFT head."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from mlrkit.checks import positive_int

__all__ = ["ChannelAttention", "POOLS"]

POOLS = ("avg", "max")


class ChannelAttention(nn.Module):
    r"""Channel attention of CBAM: a sigmoid gate per channel from pooled descriptors.

    Woo et al., "CBAM: Convolutional Block Attention Module", ECCV 2018,
    https://arxiv.org/abs/1807.06521; Deep-LIFT eq. 6 applies it to the K LIFT maps:

    .. math::

        M_c(A) = \sigma\big(\mathrm{MLP}(\mathrm{AvgPool}(A)) + \mathrm{MLP}(\mathrm{MaxPool}(A))
        \big), \qquad \mathrm{MLP}(a) = W_1\, \mathrm{ReLU}(W_0 a + b_0) + b_1,

    one MLP with one hidden layer shared by the pooled descriptors. ``pools`` keeps one of
    the two terms for Deep-LIFT's Table IV (avg only, max only).

    Args:
        channels: number of channels C (K, the labels, in Deep-LIFT).
        reduction: hidden width is ``max(1, C // reduction)``.
        pools: the descriptors summed inside the sigmoid, a non-empty subset of
            ``("avg", "max")``.

    Shapes:
        - x: (B, C, H, W)
        - output: (B, C, 1, 1), the gate M_c in (0, 1)
    """

    def __init__(self, channels: int, reduction: int = 4, pools: Sequence[str] = POOLS) -> None:
        super().__init__()
        name = type(self).__name__
        positive_int(name, "channels", channels)
        positive_int(name, "reduction", reduction)
        pools = tuple(pools)
        if not pools or any(p not in POOLS for p in pools) or len(set(pools)) != len(pools):
            raise ValueError(
                f"{name}: pools must be a non-empty subset of {list(POOLS)}, got {list(pools)}."
            )
        self.channels, self.pools = channels, pools
        hidden = max(1, channels // reduction)
        self.mlp = nn.Sequential(
            nn.Linear(channels, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, channels)
        )

    def forward(self, x: Tensor) -> Tensor:
        logits = 0
        if "avg" in self.pools:
            logits = logits + self.mlp(x.mean(dim=(2, 3)))  # (B, C)
        if "max" in self.pools:
            logits = logits + self.mlp(x.amax(dim=(2, 3)))  # (B, C)
        return torch.sigmoid(logits)[:, :, None, None]  # (B, C) -> (B, C, 1, 1)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, pools={self.pools}"
