"""RandomHorizontalFlip: equals torch.flip, honours p, reproducible under a seed."""

from __future__ import annotations

import pytest
import torch

from mlrkit.registry import TRANSFORMS
from mlrkit.transforms.random_horizontal_flip import RandomHorizontalFlip


def test_p1_equals_torch_flip_and_p0_is_identity():
    image = torch.randint(0, 256, (3, 5, 7), dtype=torch.uint8)
    flipped = RandomHorizontalFlip(p=1.0)(image)
    assert flipped.dtype == torch.uint8
    assert torch.equal(flipped, torch.flip(image, dims=[-1]))
    assert torch.equal(RandomHorizontalFlip(p=0.0)(image), image)


def test_half_flipped_and_deterministic_under_seed():
    image = torch.arange(3 * 2 * 4, dtype=torch.uint8).reshape(3, 2, 4)
    flip = RandomHorizontalFlip(p=0.5)

    def draws(seed: int) -> list[bool]:
        torch.manual_seed(seed)
        return [not torch.equal(flip(image), image) for _ in range(400)]

    first = draws(0)
    assert first == draws(0)
    assert first != draws(1)
    assert 150 < sum(first) < 250  # Binomial(400, 0.5): outside this is > 5 sigma away


def test_registered_and_bad_arguments():
    assert isinstance(TRANSFORMS.build(dict(type="RandomHorizontalFlip")), RandomHorizontalFlip)
    with pytest.raises(ValueError, match="p must be in"):
        RandomHorizontalFlip(p=1.5)
    with pytest.raises(ValueError, match="uint8"):
        RandomHorizontalFlip()(torch.zeros(3, 4, 4))
