"""Evaluation resize: warp the whole image to S x S, ignoring its aspect ratio."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torchvision.transforms.v2 import functional as F

from mlrkit.registry import TRANSFORMS
from mlrkit.transforms._checks import check_image, to_hw, to_interpolation

__all__ = ["Resize"]


@TRANSFORMS.register_module()
class Resize:
    """Resize to exactly ``size``, aspect ratio not kept (ML-GCN's evaluation ``Warp``).

    Unlike torchvision's ``Resize(int)``, which scales the shorter side, an int here means a
    square S x S output, as ML-GCN evaluates.

    Args:
        size: output size S or (H, W).
        interpolation: ``"bilinear"`` (ML-GCN), ``"bicubic"``, ``"nearest"``, ...
        antialias: antialias when downscaling (PIL always does).

    Shapes:
        - input: uint8 (C, H_in, W_in)
        - output: uint8 (C, H, W) with (H, W) = ``size``
    """

    def __init__(
        self, size: int | Sequence[int], interpolation: str = "bilinear", antialias: bool = True
    ):
        self.size = to_hw(size, "Resize")
        self.interpolation = to_interpolation(interpolation, "Resize")
        self.antialias = antialias

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        check_image(image, "Resize")
        if tuple(image.shape[-2:]) == self.size:
            return image
        return F.resize(
            image, list(self.size), interpolation=self.interpolation, antialias=self.antialias
        )

    def __repr__(self) -> str:
        return f"Resize(size={self.size}, interpolation={self.interpolation.value!r})"
