"""The Figure 7 grid: geometry, colours and what each cell shows."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from mlrkit.cam import GridLayout, jet, render_grid


def test_layout_geometry():
    layout = GridLayout(rows=3, columns=4, cell=100, pad=4, header=24, label_width=150)
    assert layout.size == (150 + 4 * 100 + 5 * 4, 24 + 3 * 100 + 4 * 4)
    assert layout.cell_box(0, 0) == (154, 28, 254, 128)
    assert layout.cell_box(2, 3) == (154 + 3 * 104, 28 + 2 * 104, 154 + 3 * 104 + 100, 336)
    assert layout.cell_box(2, 3)[2] + layout.pad == layout.width
    assert layout.cell_box(2, 3)[3] + layout.pad == layout.height
    with pytest.raises(ValueError, match="GridLayout: rows must be a positive integer"):
        GridLayout(rows=0, columns=2)


def test_jet_end_points_and_middle():
    colours = jet(np.array([[0.0, 0.5, 1.0]]))[0]
    assert colours.dtype == np.uint8
    assert colours[0].tolist() == [0, 0, 128]  # dark blue
    assert colours[1].tolist() == [128, 255, 128]  # green in the middle
    assert colours[2].tolist() == [128, 0, 0]  # dark red


def grid_inputs(rows: int = 2):
    image = torch.full((3, 20, 20), 100, dtype=torch.uint8)
    left = torch.zeros(20, 20)
    left[:, :10] = 1.0  # evidence on the left half
    right = left.flip(-1)
    maps = {"features": torch.stack([left, right][:rows]), "lift_map": torch.stack([left] * rows)}
    return image, maps


def test_png_has_the_layout_size_and_cells_show_their_maps(tmp_path):
    image, maps = grid_inputs()
    path = tmp_path / "sub" / "grid.png"
    out = render_grid(image, maps, ["cat", "dog"], [0.9, 0.2], path=path, cell=40)
    layout = GridLayout(rows=2, columns=3, cell=40)
    with Image.open(path) as png:
        assert png.format == "PNG" and png.size == layout.size == out.size
        pixels = np.asarray(png.convert("RGB")).astype(int)

    def cell(row, column):
        left, top, right, bottom = layout.cell_box(row, column)
        return pixels[top:bottom, left:right]

    # the image column is the image (uniform grey 100) in every row
    assert np.abs(cell(0, 0) - 100).max() <= 1 and np.abs(cell(1, 0) - 100).max() <= 1
    # "features": row 0 is hot (red) on the left, row 1 on the right
    red_left = cell(0, 1)[:, :10, 0].mean() - cell(0, 1)[:, -10:, 0].mean()
    red_right = cell(1, 1)[:, -10:, 0].mean() - cell(1, 1)[:, :10, 0].mean()
    assert red_left > 40 and red_right > 40
    # "lift_map" has the same map in both rows: identical cells
    assert np.array_equal(cell(0, 2), cell(1, 2))


def test_label_ink_follows_the_score(tmp_path):
    image, maps = grid_inputs()
    out = np.asarray(render_grid(image, maps, ["cat", "dog"], [0.9, 0.2], cell=40))
    layout = GridLayout(rows=2, columns=3, cell=40)
    darkest = []
    for row in range(2):
        _, top, _, bottom = layout.cell_box(row, 0)
        darkest.append(out[top:bottom, : layout.label_width].min())
    assert darkest[0] == 0  # black text: a positive
    assert darkest[1] > 100  # grey text: a negative


def test_mismatched_inputs_are_refused():
    image, maps = grid_inputs()
    with pytest.raises(ValueError, match="2 label names but 1 scores"):
        render_grid(image, maps, ["cat", "dog"], [0.9])
    with pytest.raises(ValueError, match=r"map 'features' must be \(L=3"):
        render_grid(image, maps, ["a", "b", "c"], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="image must be uint8"):
        render_grid(image.float(), maps, ["cat", "dog"], [0.9, 0.2])
