"""What every multi-label loss shares: input checks, the ignore mask and the reduction."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from mlrkit.checks import one_of

__all__ = ["MultiLabelLoss", "REDUCTIONS", "TRAIN_DIFFICULT_MODES", "difficult_in_training"]

REDUCTIONS = ("mean", "sum")

#: How VOC "difficult" labels enter the training loss (see :func:`difficult_in_training`).
TRAIN_DIFFICULT_MODES = ("ignore", "positive", "negative")


def difficult_in_training(
    targets: Tensor, difficult: Tensor, mode: str = "ignore"
) -> tuple[Tensor, Tensor | None]:
    """The targets and ignore mask a loss sees, for one treatment of "difficult" labels.

    ``"ignore"``: difficult entries take no part in the loss (their target is unchanged, the
    mask is True there). ``"positive"``: they are trained as positives (target 1, no mask), as
    ML-GCN's and the official Deep-LIFT code's engine do (a 0 in VOC's ImageSets files becomes
    1). ``"negative"``: trained as negatives (target 0, no mask), what a loader that drops the
    flag gives.

    Args:
        targets: 0/1 targets.
        difficult: True where a label is difficult.
        mode: one of :data:`TRAIN_DIFFICULT_MODES`.

    Shapes:
        - targets, difficult: (B, K)
        - output: targets (B, K) and ignore (B, K) bool, or None

    Raises:
        ValueError: for an unknown ``mode``.
    """
    one_of("difficult_in_training", "mode", mode, TRAIN_DIFFICULT_MODES)
    difficult = difficult.bool()
    if mode == "ignore":
        return targets, difficult
    value = 1.0 if mode == "positive" else 0.0
    return torch.where(difficult, torch.full_like(targets, value), targets), None


class MultiLabelLoss(nn.Module):
    """Base of the losses: ``forward(logits, targets, ignore=None) -> scalar``.

    Subclasses implement :meth:`elementwise`, the loss of each (image, label) entry; this base
    checks the inputs, drops the ignored entries and reduces.

    Args:
        reduction: ``"mean"`` over the entries not ignored, or ``"sum"`` of them.
        loss_weight: factor applied to the reduced loss.

    Shapes:
        - logits: (B, K)
        - targets: (B, K), 0/1 (soft targets in [0, 1] are accepted)
        - ignore: (B, K) bool, True where the entry takes no part (e.g. VOC "difficult")
        - output: scalar
    """

    def __init__(self, reduction: str = "mean", loss_weight: float = 1.0) -> None:
        super().__init__()
        name = type(self).__name__
        self.reduction = one_of(name, "reduction", reduction, REDUCTIONS)
        self.loss_weight = float(loss_weight)

    def elementwise(self, logits: Tensor, targets: Tensor) -> Tensor:
        """The loss of each entry, (B, K), before masking and reduction."""
        raise NotImplementedError

    def forward(self, logits: Tensor, targets: Tensor, ignore: Tensor | None = None) -> Tensor:
        name = type(self).__name__
        if logits.ndim != 2 or targets.shape != logits.shape:
            raise ValueError(
                f"{name}: logits and targets must both be (B, K); got logits "
                f"{tuple(logits.shape)} and targets {tuple(targets.shape)}."
            )
        loss = self.elementwise(logits, targets.to(logits.dtype))  # (B, K)
        if ignore is None:
            total, count = loss.sum(), loss.numel()
        else:
            if ignore.shape != logits.shape:
                raise ValueError(
                    f"{name}: ignore must be (B, K) like the logits {tuple(logits.shape)}, got "
                    f"{tuple(ignore.shape)}."
                )
            keep = ~ignore.bool()
            total = loss.masked_fill(~keep, 0.0).sum()
            count = keep.sum().clamp_min(1)
        if self.reduction == "mean":
            total = total / count
        return self.loss_weight * total

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, loss_weight={self.loss_weight}"
