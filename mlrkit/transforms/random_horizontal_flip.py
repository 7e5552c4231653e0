"""Horizontal flip with probability p, on uint8 image tensors."""

from __future__ import annotations

import torch
from torchvision.transforms.v2 import functional as F

from mlrkit.registry import TRANSFORMS
from mlrkit.transforms._checks import check_image

__all__ = ["RandomHorizontalFlip"]


@TRANSFORMS.register_module()
class RandomHorizontalFlip:
    """Mirror the image left-right with probability ``p`` (torch's global generator).

    Args:
        p: flip probability, in [0, 1].

    Shapes:
        - input: uint8 (C, H, W)
        - output: uint8 (C, H, W)
    """

    def __init__(self, p: float = 0.5):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p = float(p)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        check_image(image, "RandomHorizontalFlip")
        if torch.rand(()).item() < self.p:
            return F.horizontal_flip(image)
        return image

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"
