"""AsymmetricLoss: ASL of Ridnik et al. (ICCV 2021), asymmetric focusing and clipping."""

from __future__ import annotations

import torch
from torch import Tensor

from mlrkit.registry import LOSSES

from .base import MultiLabelLoss

__all__ = ["AsymmetricLoss"]


@LOSSES.register_module()
class AsymmetricLoss(MultiLabelLoss):
    r"""Asymmetric loss for multi-label classification.

    Ridnik et al., "Asymmetric Loss For Multi-Label Classification", ICCV 2021,
    https://arxiv.org/abs/2009.14119; checked against the official ``AsymmetricLoss``
    (github.com/Alibaba-MIIL/ASL, ``src/loss_functions/losses.py``). With
    :math:`p = \sigma(\hat y)` and the shifted probability :math:`p_m = \max(p - m, 0)`:

    .. math::

        \ell = -\big(y\,(1 - p)^{\gamma_+} \log p
        + (1 - y)\, p_m^{\gamma_-} \log(1 - p_m)\big),

    probabilities clamped to at least ``eps`` inside the logs. The focusing weights
    :math:`(1 - p)^{\gamma_+}` and :math:`p_m^{\gamma_-}` are constants for the gradient by
    default (``detach_focal_weight=True``), as in the official code since March 2021
    (``disable_torch_grad_focal_loss=True``): the gradient is that of the weighted log-likelihood
    only. ``detach_focal_weight=False`` differentiates through the weights too (the official
    code's first version, and the textbook focal-loss gradient). The official code sums over the
    batch and labels, so ``reduction="sum"`` is the default here: its learning rates (Adam,
    1e-4) assume that scale; with ``"mean"`` the loss is B x K times smaller.

    Args:
        gamma_neg: focusing exponent of negatives, :math:`\gamma_-` (official: 4).
        gamma_pos: focusing exponent of positives, :math:`\gamma_+` (official: 1).
        clip: probability margin m of the negatives (official: 0.05); 0 disables it.
        eps: floor of the probabilities inside the logs.
        detach_focal_weight: compute the focusing weights without gradient (official default,
            True); False lets the gradient flow through them.
        reduction: ``"sum"`` (official) or ``"mean"`` over the entries not ignored.
        loss_weight: factor applied to the reduced loss.

    Shapes:
        - logits, targets: (B, K); ignore: (B, K) bool or None
        - output: scalar
    """

    def __init__(
        self,
        gamma_neg: float = 4.0,
        gamma_pos: float = 1.0,
        clip: float = 0.05,
        eps: float = 1e-8,
        detach_focal_weight: bool = True,
        reduction: str = "sum",
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__(reduction, loss_weight)
        name = type(self).__name__
        if not (gamma_neg >= 0 and gamma_pos >= 0):
            raise ValueError(
                f"{name}: gamma_neg and gamma_pos must be >= 0, got {gamma_neg}, {gamma_pos}."
            )
        if not 0 <= clip < 1:
            raise ValueError(f"{name}: clip must be in [0, 1), got {clip}.")
        if not eps > 0:
            raise ValueError(f"{name}: eps must be > 0, got {eps}.")
        self.gamma_neg, self.gamma_pos = float(gamma_neg), float(gamma_pos)
        self.clip, self.eps = float(clip), float(eps)
        self.detach_focal_weight = detach_focal_weight

    def elementwise(self, logits: Tensor, targets: Tensor) -> Tensor:
        prob = torch.sigmoid(logits)  # (B, K)
        prob_neg = 1 - prob  # 1 - p
        if self.clip > 0:
            prob_neg = (prob_neg + self.clip).clamp(max=1)  # 1 - p_m
        log_likelihood = targets * torch.log(prob.clamp(min=self.eps)) + (1 - targets) * torch.log(
            prob_neg.clamp(min=self.eps)
        )
        if self.gamma_neg == 0 and self.gamma_pos == 0:
            return -log_likelihood
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.detach_focal_weight):
            p_true = prob * targets + prob_neg * (1 - targets)  # p for positives, 1 - p_m else
            gamma = self.gamma_pos * targets + self.gamma_neg * (1 - targets)
            weight = torch.pow(1 - p_true, gamma)  # (B, K)
        return -log_likelihood * weight

    def extra_repr(self) -> str:
        return (
            f"gamma_neg={self.gamma_neg}, gamma_pos={self.gamma_pos}, clip={self.clip}, "
            f"detach_focal_weight={self.detach_focal_weight}, "
            f"{super().extra_repr()}"
        )
