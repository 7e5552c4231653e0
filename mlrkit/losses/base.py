"""What every multi-label loss shares: input checks, the ignore mask and the reduction."""

from __future__ import annotations

from torch import Tensor, nn

__all__ = ["MultiLabelLoss", "REDUCTIONS"]

REDUCTIONS = ("mean", "sum")


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
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"{name}: reduction must be one of {list(REDUCTIONS)}, got {reduction!r}."
            )
        self.reduction = reduction
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
