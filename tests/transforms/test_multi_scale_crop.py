"""MultiScaleCrop: ML-GCN's crop sizes and grid offsets, shapes, determinism, PIL agreement."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.transforms.v2 import functional as F

from mlrkit.registry import TRANSFORMS
from mlrkit.transforms.multi_scale_crop import MLGCN_SCALES, MultiScaleCrop, fixed_crop_offsets


def smooth_image(height: int, width: int, seed: int = 0) -> torch.Tensor:
    """A uint8 (3, H, W) image with structure at several scales (upsampled noise)."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.randint(0, 256, (3, max(2, height // 8), max(2, width // 8)), generator=g)
    return F.resize(coarse.to(torch.uint8), [height, width], antialias=True)


def test_crop_sizes_match_mlgcn_for_448():
    # int(448 * s) for s in (1, .875, .75, .66, .5) = 448, 392, 336, 295, 224
    sides = [448, 392, 336, 295, 224]
    crop = MultiScaleCrop(448, max_distort=1)
    expected = [(h, w) for i, h in enumerate(sides) for j, w in enumerate(sides) if abs(i - j) <= 1]
    assert crop.crop_sizes(448, 448) == expected
    assert len(expected) == 13
    assert len(MultiScaleCrop(448, max_distort=2).crop_sizes(448, 448)) == 5 + 8 + 6


def test_crop_sizes_use_shorter_side_and_snap_to_output():
    crop = MultiScaleCrop(448, scales=(1.0, 0.875), max_distort=0)
    # shorter side 450: int(450) = 450 is within 3 px of 448 and snaps; int(393.75) = 393 does not
    assert crop.crop_sizes(450, 600) == [(448, 448), (393, 393)]
    # snapping is per axis, against the output height and width
    crop = MultiScaleCrop((100, 200), scales=(1.0,), max_distort=0)
    assert crop.crop_sizes(101, 300) == [(100, 101)]


def test_fixed_offsets_are_mlgcn_grid():
    # free space 40 x 20 -> steps 10 (rows) and 5 (columns)
    five = fixed_crop_offsets(100, 80, 60, 60, more_fix_crop=False)
    assert five == [(0, 0), (0, 20), (40, 0), (40, 20), (20, 10)]
    thirteen = fixed_crop_offsets(100, 80, 60, 60, more_fix_crop=True)
    assert thirteen[:5] == five
    assert thirteen[5:] == [(20, 0), (20, 20), (40, 10), (0, 10), (10, 5), (10, 15), (30, 5),
                            (30, 15)]  # fmt: skip


def test_sampled_params_are_allowed_and_cover_all_sizes():
    crop = MultiScaleCrop(64, max_distort=1)
    allowed = set(crop.crop_sizes(120, 90))
    seen = set()
    torch.manual_seed(0)
    for _ in range(600):
        top, left, h, w = crop.get_params(120, 90)
        assert (h, w) in allowed
        assert (top, left) in set(fixed_crop_offsets(120, 90, h, w))
        seen.add((h, w))
    assert seen == allowed


def test_random_offsets_without_fixed_grid_stay_inside():
    crop = MultiScaleCrop(32, fix_crop=False)
    torch.manual_seed(1)
    for _ in range(200):
        top, left, h, w = crop.get_params(50, 70)
        assert 0 <= top <= 50 - h and 0 <= left <= 70 - w


@pytest.mark.parametrize("shape", [(3, 448, 448), (3, 97, 131), (1, 40, 30), (3, 20, 500)])
def test_output_shape_and_dtype(shape):
    image = torch.randint(0, 256, shape, dtype=torch.uint8)
    out = MultiScaleCrop((48, 64))(image)
    assert out.dtype == torch.uint8
    assert out.shape == (shape[0], 48, 64)


def test_full_scale_crop_without_resize_is_a_window_of_the_input():
    image = smooth_image(64, 80)
    crop = MultiScaleCrop(64, scales=(1.0,), max_distort=0)
    torch.manual_seed(3)
    windows = {left: image[:, :, left : left + 64] for left in range(0, 17, 4)}
    for _ in range(20):
        out = crop(image)
        assert any(torch.equal(out, w) for w in windows.values())


def test_matches_pil_implementation_given_same_params():
    image = smooth_image(150, 190)
    crop = MultiScaleCrop(64)
    pil = Image.fromarray(image.permute(1, 2, 0).numpy())
    torch.manual_seed(0)
    for _ in range(10):
        state = torch.get_rng_state()
        top, left, h, w = crop.get_params(150, 190)
        torch.set_rng_state(state)  # the call below draws the same params
        ours = crop(image).permute(1, 2, 0).numpy().astype(int)
        ref = np.asarray(pil.crop((left, top, left + w, top + h)).resize((64, 64), Image.BILINEAR))
        assert np.abs(ours - ref.astype(int)).max() <= 1


def test_crop_larger_than_image_is_zero_padded_like_pil():
    # shorter side 446 -> crop side 446 snaps to 448: ML-GCN's offsets become negative and PIL pads
    image = torch.full((3, 446, 446), 200, dtype=torch.uint8)
    crop = MultiScaleCrop(448, scales=(1.0,), max_distort=0, more_fix_crop=False)
    assert crop.crop_sizes(446, 446) == [(448, 448)]
    assert fixed_crop_offsets(446, 446, 448, 448, more_fix_crop=False)[3] == (-4, -4)
    torch.manual_seed(0)
    out = crop(image)
    assert out.shape == (3, 448, 448)
    assert (out == 0).any() and (out == 200).any()


def test_same_seed_same_output_and_seeds_differ():
    image = smooth_image(120, 160)
    crop = MultiScaleCrop(48, max_distort=2)
    outs = []
    for seed in (5, 5, 6):
        torch.manual_seed(seed)
        outs.append(torch.stack([crop(image) for _ in range(8)]))
    assert torch.equal(outs[0], outs[1])
    assert not torch.equal(outs[0], outs[2])


def test_registered_and_buildable():
    crop = TRANSFORMS.build(dict(type="MultiScaleCrop", size=32, scales=MLGCN_SCALES))
    assert isinstance(crop, MultiScaleCrop)
    assert crop.size == (32, 32)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(size=0), "size"),
        (dict(size=(32, 32, 3)), "size"),
        (dict(size=32, scales=(1.0, 1.5)), "scales"),
        (dict(size=32, scales=()), "scales"),
        (dict(size=32, max_distort=-1), "max_distort"),
        (dict(size=32, interpolation="lanczos"), "interpolation"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MultiScaleCrop(**kwargs)


def test_bad_input():
    crop = MultiScaleCrop(16)
    with pytest.raises(ValueError, match="uint8"):
        crop(torch.rand(3, 32, 32))
    with pytest.raises(ValueError, match="uint8"):
        crop(torch.zeros(32, 32, dtype=torch.uint8))
    with pytest.raises(TypeError, match="MultiScaleCrop"):
        crop(np.zeros((3, 32, 32), dtype=np.uint8))
