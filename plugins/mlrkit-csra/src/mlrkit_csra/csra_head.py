"""CSRAHead: class-specific residual attention (Zhu & Wu, ICCV 2021), as an mlrkit head."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mlrkit.checks import positive_int
from mlrkit.heads.base import MultiLabelHead
from mlrkit.registry import HEADS

__all__ = ["CSRAHead", "TEMPERATURES"]

#: Temperatures of the official multi-head settings, by number of heads (``inf``: max pooling;
#: the official code writes it as 99).
TEMPERATURES: dict[int, tuple[float, ...]] = {
    1: (1.0,),
    2: (1.0, math.inf),
    4: (1.0, 2.0, 4.0, math.inf),
    6: (1.0, 2.0, 3.0, 4.0, 5.0, math.inf),
    8: (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, math.inf),
}


@HEADS.register_module()
class CSRAHead(MultiLabelHead):
    r"""Class-specific residual attention: average pooling plus a spatial attention residual.

    Zhu and Wu, "Residual Attention: A Simple but Effective Method for Multi-Label
    Recognition", ICCV 2021, https://arxiv.org/abs/2108.02456. Per class k, a 1x1 convolution
    without bias scores every location j of the feature map F; the weight is normalised, as
    in the official code:

    .. math::

        s_{k,j} = \frac{m_k^\top F_{:,j}}{\lVert m_k \rVert}, \qquad
        b_k = \frac{1}{HW} \sum_j s_{k,j}, \qquad
        a_k = \sum_j \mathrm{softmax}_j(T s_{k,:})\, s_{k,j}, \qquad
        \hat y_k = b_k + \lambda a_k,

    with :math:`a_k = \max_j s_{k,j}` for :math:`T = \infty`. Several heads (each with its own
    1x1 convolution and temperature) are summed: :math:`\hat y = \sum_h \hat y^{(h)}`. The
    official settings are :data:`TEMPERATURES` (1 head: T = 1; 4 heads: 1, 2, 4, inf; ...);
    its defaults are 1 head and :math:`\lambda = 0.1` (VOC2007).

    Args:
        num_classes: number of labels K.
        in_channels: channels D of the backbone's feature map.
        num_heads: number of attention heads, one of the official settings (1, 2, 4, 6, 8);
            ignored when ``temperatures`` is given.
        lam: weight :math:`\lambda` of the attention logit.
        temperatures: the heads' temperatures T > 0 (``math.inf`` for max pooling), instead of
            the official setting for ``num_heads``.
        normalize: divide each class's score by the norm of its weight (official code).

    Shapes:
        - features: (B, D, H, W)
        - label_features: ignored (no label encoder)
        - output: logits (B, K)

    Raises:
        ValueError: naming this class, for an unknown ``num_heads``, a temperature that is not
            positive, or a ``lam`` that is not a finite number.
    """

    uses_label_features = False

    def __init__(
        self,
        num_classes: int,
        in_channels: int,
        num_heads: int = 1,
        lam: float = 0.1,
        temperatures: Sequence[float] | None = None,
        normalize: bool = True,
    ) -> None:
        super().__init__(num_classes, in_channels)
        name = type(self).__name__
        if temperatures is None:
            positive_int(name, "num_heads", num_heads)
            if num_heads not in TEMPERATURES:
                raise ValueError(
                    f"{name}: num_heads must be one of {sorted(TEMPERATURES)} (the official "
                    f"temperature settings), got {num_heads}; or give temperatures=[...]."
                )
            temperatures = TEMPERATURES[num_heads]
        temperatures = tuple(float(t) for t in temperatures)
        if not temperatures or any(not t > 0 for t in temperatures):  # also refuses NaN
            raise ValueError(
                f"{name}: temperatures must be one or more positive numbers (math.inf for max "
                f"pooling), got {list(temperatures)}."
            )
        if isinstance(lam, bool) or not isinstance(lam, (int, float)) or not math.isfinite(lam):
            raise ValueError(f"{name}: lam must be a finite number, got {lam!r}.")
        self.temperatures = temperatures
        self.num_heads = len(temperatures)
        self.lam = float(lam)
        self.normalize = bool(normalize)
        # the heads' 1x1 convolutions, as one weight: (heads, K, D)
        self.weight = nn.Parameter(torch.empty(self.num_heads, num_classes, in_channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Initialise each head like ``nn.Conv2d(D, K, 1)`` (Kaiming uniform, a = sqrt(5))."""
        for weight in self.weight:
            nn.init.kaiming_uniform_(weight, a=math.sqrt(5))

    def class_scores(self, features: Tensor) -> Tensor:
        """The per-class score of every location, for every head.

        Shapes:
            - features: (B, D, H, W)
            - output: (B, heads, K, H*W)
        """
        weight = F.normalize(self.weight, dim=-1) if self.normalize else self.weight
        return torch.einsum("hkd,bdn->bhkn", weight, features.flatten(2))  # (B, heads, K, H*W)

    def forward(self, features: Tensor, label_features: Tensor | None = None) -> Tensor:
        self.check_inputs(features, label_features)
        scores = self.class_scores(features)  # (B, heads, K, N)
        logits = 0
        for h, temperature in enumerate(self.temperatures):
            score = scores[:, h]  # (B, K, N)
            base = score.mean(dim=-1)  # (B, K)
            if math.isinf(temperature):
                attention = score.amax(dim=-1)  # (B, K)
            else:
                weights = torch.softmax(temperature * score, dim=-1)  # (B, K, N)
                attention = (weights * score).sum(dim=-1)  # (B, K)
            logits = logits + base + self.lam * attention
        return logits  # (B, K)

    def extra_repr(self) -> str:
        temps = ", ".join("inf" if math.isinf(t) else f"{t:g}" for t in self.temperatures)
        return (
            f"{super().extra_repr()}, temperatures=({temps}), lam={self.lam}, "
            f"normalize={self.normalize}"
        )
