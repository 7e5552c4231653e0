"""Resize: warps to exactly S x S (ML-GCN's Warp), agrees with PIL's bilinear resize."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from mlrkit.registry import TRANSFORMS
from mlrkit.transforms.resize import Resize


def test_warps_to_square_ignoring_aspect():
    image = torch.randint(0, 256, (3, 37, 91), dtype=torch.uint8)
    out = Resize(24)(image)
    assert out.shape == (3, 24, 24) and out.dtype == torch.uint8
    assert Resize((10, 30))(image).shape == (3, 10, 30)


def test_same_size_is_unchanged():
    image = torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8)
    assert torch.equal(Resize(16)(image), image)


def test_matches_pil_bilinear():
    g = torch.Generator().manual_seed(0)
    image = torch.randint(0, 256, (3, 120, 90), dtype=torch.uint8, generator=g)
    ours = Resize(64)(image).permute(1, 2, 0).numpy().astype(int)
    pil = Image.fromarray(image.permute(1, 2, 0).numpy()).resize((64, 64), Image.BILINEAR)
    assert np.abs(ours - np.asarray(pil).astype(int)).max() <= 1


def test_registered_and_bad_arguments():
    assert TRANSFORMS.build(dict(type="Resize", size=8)).size == (8, 8)
    with pytest.raises(ValueError, match="size"):
        Resize(-1)
    with pytest.raises(ValueError, match="interpolation"):
        Resize(8, interpolation="box")
    with pytest.raises(TypeError, match="Resize"):
        Resize(8)([[0]])
