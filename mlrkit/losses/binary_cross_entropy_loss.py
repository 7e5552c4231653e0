"""BinaryCrossEntropyLoss: the Deep-LIFT training loss (eq. 8)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from mlrkit.registry import LOSSES

from .base import MultiLabelLoss

__all__ = ["BinaryCrossEntropyLoss"]


@LOSSES.register_module()
class BinaryCrossEntropyLoss(MultiLabelLoss):
    r"""Binary cross-entropy on the logits, one binary problem per label (Deep-LIFT eq. 8).

    .. math::

        \ell_{bk} = -\big(y_{bk} \log \sigma(\hat y_{bk})
        + (1 - y_{bk}) \log(1 - \sigma(\hat y_{bk}))\big),

    averaged over the batch and the labels that are not ignored (``reduction="mean"``; without
    ignored entries this is ML-GCN's ``MultiLabelSoftMarginLoss``). Computed stably from the
    logits (``binary_cross_entropy_with_logits``).

    Args:
        reduction: ``"mean"`` (default) or ``"sum"`` over the entries not ignored.
        loss_weight: factor applied to the reduced loss.

    Shapes:
        - logits, targets: (B, K); ignore: (B, K) bool or None
        - output: scalar
    """

    def elementwise(self, logits: Tensor, targets: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(logits, targets, reduction="none")  # (B, K)
