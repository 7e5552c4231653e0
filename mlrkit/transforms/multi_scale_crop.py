"""ML-GCN's training crop: a multi-scale crop at fixed grid offsets, resized to S x S."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torchvision.transforms.v2 import functional as F

from mlrkit.registry import TRANSFORMS
from mlrkit.transforms._checks import check_image, to_hw, to_interpolation

__all__ = ["MultiScaleCrop", "MLGCN_SCALES", "fixed_crop_offsets"]

#: The crop scales ML-GCN trains with (its engine.py), relative to the image's shorter side.
MLGCN_SCALES = (1.0, 0.875, 0.75, 0.66, 0.5)


@TRANSFORMS.register_module()
class MultiScaleCrop:
    """Crop at a random scale and aspect from a fixed grid of positions, then resize.

    The algorithm of ML-GCN's ``util.MultiScaleCrop`` (from TSN), on tensors:

    1. candidate side lengths ``int(min(H, W) * s)`` for each scale ``s``, each snapped to the
       output side when within 3 pixels of it;
    2. every (crop height i, crop width j) pair with ``|i - j| <= max_distort`` (indices into
       the scales) is a candidate; one is drawn uniformly;
    3. the offset is drawn uniformly from the fixed grid (:func:`fixed_crop_offsets`: corners
       and centre, plus edge centres and quarter points with ``more_fix_crop``), or anywhere
       when ``fix_crop=False``;
    4. the crop is resized to ``size`` (bilinear with antialiasing, close to PIL's filter).

    A crop that reaches past the image (possible only after snapping) is zero-padded, as PIL's
    ``crop`` pads. Randomness comes from torch's global generator, so ``torch.manual_seed``
    and the DataLoader's per-worker seeding make it reproducible.

    Args:
        size: output size S or (H, W).
        scales: crop side lengths as fractions of the shorter image side.
        max_distort: how many scale steps the crop height and width may differ by (ML-GCN's
            class default is 1, its training engine passes 2).
        fix_crop: offsets from the fixed grid (True) or uniform (False).
        more_fix_crop: use the 13-position grid rather than the 5-position one.
        interpolation: ``"bilinear"`` (ML-GCN), ``"bicubic"``, ``"nearest"``, ...
        antialias: antialias when downscaling (PIL always does).

    Shapes:
        - input: uint8 (C, H_in, W_in)
        - output: uint8 (C, H, W) with (H, W) = ``size``
    """

    def __init__(
        self,
        size: int | Sequence[int],
        scales: Sequence[float] = MLGCN_SCALES,
        max_distort: int = 1,
        fix_crop: bool = True,
        more_fix_crop: bool = True,
        interpolation: str = "bilinear",
        antialias: bool = True,
    ):
        self.size = to_hw(size, "MultiScaleCrop")
        self.scales = tuple(float(s) for s in scales)
        if not self.scales or not all(0 < s <= 1 for s in self.scales):
            raise ValueError(f"MultiScaleCrop: scales must be in (0, 1], got {tuple(scales)!r}")
        if not isinstance(max_distort, int) or max_distort < 0:
            raise ValueError(f"MultiScaleCrop: max_distort must be an int >= 0, got {max_distort}")
        self.max_distort = max_distort
        self.fix_crop = fix_crop
        self.more_fix_crop = more_fix_crop
        self.interpolation = to_interpolation(interpolation, "MultiScaleCrop")
        self.antialias = antialias

    def crop_sizes(self, height: int, width: int) -> list[tuple[int, int]]:
        """The candidate (crop height, crop width) pairs for an image of that size."""
        base = min(height, width)
        sides = [max(1, int(base * s)) for s in self.scales]
        out_h, out_w = self.size
        crop_h = [out_h if abs(x - out_h) < 3 else x for x in sides]
        crop_w = [out_w if abs(x - out_w) < 3 else x for x in sides]
        return [
            (h, w)
            for i, h in enumerate(crop_h)
            for j, w in enumerate(crop_w)
            if abs(i - j) <= self.max_distort
        ]

    def get_params(self, height: int, width: int) -> tuple[int, int, int, int]:
        """Draw a crop for an image of that size: ``(top, left, crop_height, crop_width)``."""
        pairs = self.crop_sizes(height, width)
        crop_h, crop_w = pairs[_draw(len(pairs))]
        if self.fix_crop:
            offsets = fixed_crop_offsets(height, width, crop_h, crop_w, self.more_fix_crop)
            top, left = offsets[_draw(len(offsets))]
        else:
            top, left = _uniform_offset(height - crop_h), _uniform_offset(width - crop_w)
        return top, left, crop_h, crop_w

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        check_image(image, "MultiScaleCrop")
        top, left, crop_h, crop_w = self.get_params(image.shape[-2], image.shape[-1])
        return F.resized_crop(
            image,
            top,
            left,
            crop_h,
            crop_w,
            list(self.size),
            interpolation=self.interpolation,
            antialias=self.antialias,
        )

    def __repr__(self) -> str:
        return (
            f"MultiScaleCrop(size={self.size}, scales={self.scales}, "
            f"max_distort={self.max_distort}, fix_crop={self.fix_crop}, "
            f"more_fix_crop={self.more_fix_crop}, interpolation={self.interpolation.value!r})"
        )


def fixed_crop_offsets(
    height: int, width: int, crop_h: int, crop_w: int, more_fix_crop: bool = True
) -> list[tuple[int, int]]:
    """The fixed grid of crop positions of ML-GCN / TSN, as ``(top, left)``.

    The steps are a quarter of the free space (floored); the 5 positions are the four corners
    and the centre; ``more_fix_crop`` adds the four edge centres and the four quarter points.
    Positions are listed in ML-GCN's order, duplicates included (a small free space repeats
    positions, which weights them the same way ML-GCN's ``random.choice`` does).
    """
    h_step = (height - crop_h) // 4
    w_step = (width - crop_w) // 4
    grid = [(0, 0), (0, 4), (4, 0), (4, 4), (2, 2)]  # (row, column) steps
    if more_fix_crop:
        grid += [(2, 0), (2, 4), (4, 2), (0, 2), (1, 1), (1, 3), (3, 1), (3, 3)]
    return [(r * h_step, c * w_step) for r, c in grid]


def _draw(n: int) -> int:
    """A uniform index in [0, n) from torch's global generator."""
    return int(torch.randint(n, ()).item())


def _uniform_offset(free: int) -> int:
    """A uniform offset in [0, free]; a crop larger than the image (free < 0) is centred."""
    return _draw(free + 1) if free >= 0 else free // 2
