"""The Figure 7 grid: one row per label, the image and one Grad-CAM overlay per map.

::

    +-----------+-------+----------------------+----------+--------------------+
    |           | image | backbone (last stage)| LIFT map | attention LIFT map |   header
    +-----------+-------+----------------------+----------+--------------------+
    | dog       |       |                      |          |                    |
    | p = 0.93  | img   | overlay              | overlay  | overlay            |   label 1
    +-----------+-------+----------------------+----------+--------------------+
    | ...                                                                      |   label L

Each cell is ``cell`` x ``cell`` pixels with ``pad`` pixels between cells; the label column
names the label and its sigmoid score, black for a positive (by default: score >= 0.5) and
grey for a negative, as in the paper's figure. The maps are drawn with the jet colour map
blended over the image; a map that is zero everywhere (no location raises the label's logit,
so the ReLU removed everything) is marked "no positive evidence".
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont

from mlrkit.checks import positive_int

__all__ = ["COLUMN_TITLES", "GridLayout", "jet", "render_grid"]

#: Column title of each map name (``mlrkit.cam.grad_cam.MAP_NAMES``).
COLUMN_TITLES: dict[str, str] = {
    "features": "backbone (last stage)",
    "lift_map": "LIFT map",
    "att_lift_map": "attention LIFT map",
}
BACKGROUND = (255, 255, 255)
POSITIVE_INK = (0, 0, 0)
NEGATIVE_INK = (140, 140, 140)


@dataclass(frozen=True)
class GridLayout:
    """Pixel geometry of the grid.

    Args:
        rows: number of labels L.
        columns: image column + one per map.
        cell: side of each square cell, pixels.
        pad: gap around and between cells, pixels.
        header: height of the column-title band, pixels.
        label_width: width of the label column, pixels.
    """

    rows: int
    columns: int
    cell: int = 160
    pad: int = 4
    header: int = 24
    label_width: int = 150

    def __post_init__(self) -> None:
        for name in ("rows", "columns", "cell"):
            positive_int("GridLayout", name, getattr(self, name))

    @property
    def width(self) -> int:
        return self.label_width + self.columns * self.cell + (self.columns + 1) * self.pad

    @property
    def height(self) -> int:
        return self.header + self.rows * self.cell + (self.rows + 1) * self.pad

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), as PIL reports an image's size."""
        return self.width, self.height

    def cell_box(self, row: int, column: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of a cell, right and bottom exclusive."""
        left = self.label_width + self.pad + column * (self.cell + self.pad)
        top = self.header + self.pad + row * (self.cell + self.pad)
        return left, top, left + self.cell, top + self.cell


def jet(values: np.ndarray) -> np.ndarray:
    """The jet colour map (blue -> cyan -> yellow -> red) of values in [0, 1].

    Shapes:
        - values: (H, W) float
        - output: (H, W, 3) uint8
    """
    x = np.clip(values, 0.0, 1.0)[..., None]  # (H, W, 1)
    centres = np.array([3.0, 2.0, 1.0])  # red, green, blue peak at x = 3/4, 1/2, 1/4
    rgb = np.clip(1.5 - np.abs(4.0 * x - centres), 0.0, 1.0)  # (H, W, 3)
    return (rgb * 255.0 + 0.5).astype(np.uint8)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):  # Pillow without FreeType: the bitmap font
        return ImageFont.load_default()


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """``text``, shortened with an ellipsis until it is at most ``width`` pixels wide."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _text_at(draw: ImageDraw.ImageDraw, x: float, middle: float, text: str, font, ink) -> None:
    """Draw ``text`` from ``x``, vertically centred on ``middle`` (works for bitmap fonts too)."""
    _, top, _, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text((x, middle - (top + bottom) / 2), text, fill=ink, font=font)


def _to_cell(image: torch.Tensor, cell: int) -> np.ndarray:
    """uint8 (3, H, W) -> uint8 (cell, cell, 3), bilinear."""
    pil = Image.fromarray(image.permute(1, 2, 0).cpu().numpy())  # (H, W, 3)
    return np.asarray(pil.resize((cell, cell), Image.Resampling.BILINEAR))


def _overlay(base: np.ndarray, cam: torch.Tensor, cell: int, alpha: float) -> np.ndarray:
    """Blend the jet colours of a [0, 1] map over a (cell, cell, 3) image."""
    cam = cam.detach().float().cpu()[None, None]  # (1, 1, H, W)
    cam = F.interpolate(cam, size=(cell, cell), mode="bilinear", align_corners=False)[0, 0]
    heat = jet(cam.clamp(0, 1).numpy()).astype(np.float32)  # (cell, cell, 3)
    blended = (1.0 - alpha) * base.astype(np.float32) + alpha * heat
    return np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def render_grid(
    image: torch.Tensor,
    maps: Mapping[str, torch.Tensor],
    label_names: Sequence[str],
    scores: Sequence[float] | torch.Tensor,
    path: str | os.PathLike | None = None,
    positive: Sequence[bool] | None = None,
    cell: int = 160,
    alpha: float = 0.5,
) -> Image.Image:
    """Draw the Grad-CAM grid of one image (paper Fig. 7) and optionally save it as PNG.

    Args:
        image: the model's input image (uint8, before normalisation).
        maps: map name -> Grad-CAM maps in [0, 1], one per label, in column order (e.g.
            ``{name: result.maps[name][b]}`` of :func:`~mlrkit.cam.grad_cam.grad_cam`).
        label_names: the L labels' names, one per row.
        scores: the L labels' sigmoid scores.
        path: PNG file to write (folders are created); None: only return the image.
        positive: per label, whether it is a positive of the image (black) or not (grey);
            default: score >= 0.5.
        cell: side of each cell in pixels.
        alpha: weight of the colour map over the image.

    Returns:
        the RGB grid, ``GridLayout(rows=L, columns=1 + len(maps), cell=cell).size`` pixels.

    Shapes:
        - image: (3, S_h, S_w) uint8
        - maps[name]: (L, h, w), any h, w (resized to the cell)
        - scores: (L,)

    Raises:
        ValueError: when the numbers of names, scores, flags and maps' rows disagree.
    """
    scores = [float(s) for s in torch.as_tensor(scores).flatten().tolist()]
    rows = len(label_names)
    if image.dtype != torch.uint8 or image.ndim != 3 or image.shape[0] != 3:
        raise ValueError(
            f"render_grid: image must be uint8 (3, H, W), got {image.dtype} of shape "
            f"{tuple(image.shape)}."
        )
    if len(scores) != rows or (positive is not None and len(positive) != rows):
        raise ValueError(
            f"render_grid: {rows} label names but {len(scores)} scores"
            + ("" if positive is None else f" and {len(positive)} positive flags")
            + "; give one of each per label."
        )
    for name, cams in maps.items():
        if cams.ndim != 3 or cams.shape[0] != rows:
            raise ValueError(
                f"render_grid: map {name!r} must be (L={rows}, h, w), got {tuple(cams.shape)}."
            )
    if positive is None:
        positive = [s >= 0.5 for s in scores]
    layout = GridLayout(rows=rows, columns=1 + len(maps), cell=cell)
    canvas = Image.new("RGB", layout.size, BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = _font(13)

    titles = ["image", *(COLUMN_TITLES.get(name, name) for name in maps)]
    for column, title in enumerate(titles):
        left, _, _, _ = layout.cell_box(0, column)
        text = _fit(draw, title, font, layout.cell)
        x = left + (layout.cell - draw.textlength(text, font=font)) / 2
        _text_at(draw, x, layout.header / 2, text, font, POSITIVE_INK)

    base = _to_cell(image, layout.cell)  # (cell, cell, 3)
    for row in range(rows):
        left, top, _, _ = layout.cell_box(row, 0)
        ink = POSITIVE_INK if positive[row] else NEGATIVE_INK
        text_width = layout.label_width - 2 * layout.pad
        name = _fit(draw, str(label_names[row]), font, text_width)
        middle = top + layout.cell / 2
        _text_at(draw, layout.pad, middle - 9, name, font, ink)
        _text_at(draw, layout.pad, middle + 9, f"p = {scores[row]:.2f}", font, ink)
        canvas.paste(Image.fromarray(base), (left, top))
        for column, cams in enumerate(maps.values(), start=1):
            left, top, _, _ = layout.cell_box(row, column)
            cell_pixels = _overlay(base, cams[row], layout.cell, alpha)
            canvas.paste(Image.fromarray(cell_pixels), (left, top))
            if not bool((cams[row] > 0).any()):  # ReLU left nothing: say so, not just "blue"
                _text_at(
                    draw, left + layout.pad, top + 10, "no positive evidence", font, BACKGROUND
                )
    if path is not None:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        canvas.save(path, format="PNG", optimize=True)
    return canvas
