"""Argument and input checks shared by the transforms."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torchvision.transforms.v2 import InterpolationMode

__all__ = ["check_image", "to_hw", "to_interpolation"]


def check_image(image: torch.Tensor, owner: str) -> None:
    """Refuse anything but a uint8 (C, H, W) tensor, naming the transform ``owner``."""
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"{owner} expects a uint8 tensor (C, H, W), got {type(image).__name__}")
    if image.dtype != torch.uint8 or image.ndim != 3:
        raise ValueError(
            f"{owner} expects a uint8 tensor (C, H, W), got {image.dtype} of shape "
            f"{tuple(image.shape)}; decode images with the dataset, normalise in the model"
        )


def to_hw(size: int | Sequence[int], owner: str) -> tuple[int, int]:
    """``S`` or ``(H, W)`` as ``(H, W)``, both positive integers."""
    hw = (size, size) if isinstance(size, int) else tuple(size)
    if len(hw) != 2 or not all(isinstance(v, int) and v > 0 for v in hw):
        raise ValueError(f"{owner}: size must be a positive int S or a pair (H, W), got {size!r}")
    return hw


# The modes torchvision resizes tensors with (box, hamming, lanczos are PIL-only).
TENSOR_INTERPOLATIONS = ("nearest", "nearest-exact", "bilinear", "bicubic")


def to_interpolation(name: str | InterpolationMode, owner: str) -> InterpolationMode:
    """An interpolation given by name: one of :data:`TENSOR_INTERPOLATIONS`."""
    value = name.value if isinstance(name, InterpolationMode) else name
    if value not in TENSOR_INTERPOLATIONS:
        raise ValueError(
            f"{owner}: interpolation must be one of {TENSOR_INTERPOLATIONS}, got {name!r}"
        )
    return InterpolationMode(value)
