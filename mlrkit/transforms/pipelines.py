"""The standard pipelines as plain config lists, for configs and scripts.

Normalisation is not part of them: the model's data preprocessor normalises on the device with
the backbone's pretrained mean and std.

Example:
    >>> train_dataloader = dict(dataset=dict(type="CocoMultiLabel", ...,
    ...                                      pipeline=mlgcn_train_pipeline(448)))
"""

from __future__ import annotations

from collections.abc import Sequence

from mlrkit.transforms.multi_scale_crop import MLGCN_SCALES

__all__ = ["mlgcn_train_pipeline", "eval_pipeline"]


def mlgcn_train_pipeline(
    size: int = 448, scales: Sequence[float] = MLGCN_SCALES, max_distort: int = 2
) -> list[dict]:
    """ML-GCN's training augmentation: multi-scale crop resized to S x S, then a random flip.

    ``max_distort=2`` is what ML-GCN's training engine passes (its class default is 1).

    Args:
        size: output side S.
        scales: crop scales relative to the shorter image side.
        max_distort: how far crop height and width may differ, in scale steps.

    Returns:
        transform configs for a dataset's ``pipeline``.
    """
    return [
        dict(type="MultiScaleCrop", size=size, scales=tuple(scales), max_distort=max_distort),
        dict(type="RandomHorizontalFlip", p=0.5),
    ]


def eval_pipeline(size: int = 448) -> list[dict]:
    """ML-GCN's evaluation transform: the whole image warped to S x S.

    Returns:
        transform configs for a dataset's ``pipeline``.
    """
    return [dict(type="Resize", size=size)]
