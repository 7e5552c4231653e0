"""Procedural multi-label scenes whose label sets follow real co-occurrence statistics.

The built-in dataset: it needs no files, is deterministic per seed, has any size and
resolution, and knows exactly what it drew, so that :mod:`mlrkit.datasets.oracles` can compute
what a perfect perceiver would score from pixels alone and from pixels plus label context.

Label sets. Each sample draws a seed label ``s`` with probability ``q_s``, then adds every
other label ``j`` independently with probability ``P(j | s) = M_sj / N_s`` from the source
statistics (VOC2007 trainval or COCO train2014, shipped in ``mlrkit/data/label_stats``), one
round; when more than ``max_labels - 1`` labels are added, a uniformly random subset of
``max_labels - 1`` of them is kept. The seed probabilities ``q`` are tuned by fixed-point rounds
``q <- q * target_share / expected_share`` until each label's share of all label occurrences
matches the source's (``N_i / sum(N)``); the expected shares are computed exactly (the
truncation included, through the Poisson-binomial law of the number of additions), so the
tuning is deterministic and costs milliseconds.

Pictures. Every class is drawn as a glyph, its *visual identity*: one of 8 shapes x 8
saturated colours x 4 textures. Classes listed in ``pairs`` share one identity, so they are
pixel-identical and only the context (the other labels in the image) can tell them apart. The
number of copies of a glyph is drawn per identity, never per class, so counting glyphs tells
nothing about which classes of a pair are present. The background holds soft low-contrast
blotches and desaturated distractors (irregular blobs and line segments) that are never glyphs.

Randomness is counter-based: sample ``i`` of split ``split`` depends only on
``(seed, split, i)``, so the dataset is random-access, a larger ``num_samples`` extends a
smaller one, and ``"train"``, ``"val"`` and ``"test"`` are disjoint streams.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from mlrkit.datasets._label_sampling import (
    counter_uniform,
    expected_inclusion,
    sample_label_sets,
    source_model,
    source_statistics,
    tune_seed_probabilities,
)
from mlrkit.datasets.base import MultiLabelDataset
from mlrkit.registry import DATASETS

__all__ = [
    "DEFAULT_PAIRS",
    "SceneLayout",
    "SceneObject",
    "SyntheticScenes",
    "counter_uniform",
    "draw_glyph",
    "expected_inclusion",
    "sample_label_sets",
    "source_statistics",
    "tune_seed_probabilities",
]

SPLITS = {"train": 0, "val": 1, "test": 2}
# counter stream of the label_drop draw of split s: _LABEL_DROP_STREAM + SPLITS[s]
_LABEL_DROP_STREAM = 1000

#: Pixel-identical pairs (context-rich class, context-poor class) per source. The VOC pairs are
#: those of the experiment in docs/builtin-data.md; COCO repeats them under its
#: names and adds five indoor/outdoor pairs of its own.
DEFAULT_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "voc": (
        ("chair", "cow"),
        ("bottle", "bird"),
        ("bicycle", "aeroplane"),
        ("motorbike", "boat"),
        ("horse", "sheep"),
        ("tvmonitor", "train"),
        ("pottedplant", "cat"),
    ),
    "coco": (
        ("chair", "cow"),
        ("bottle", "bird"),
        ("bicycle", "airplane"),
        ("motorcycle", "boat"),
        ("horse", "sheep"),
        ("tv", "train"),
        ("potted plant", "cat"),
        ("fork", "kite"),
        ("keyboard", "frisbee"),
        ("sink", "surfboard"),
        ("spoon", "skis"),
        ("mouse", "elephant"),
    ),
}

_SOURCES = ("voc", "coco")

# Saturated glyph colours (RGB); distractors are desaturated so they never look like a glyph.
_COLOURS = np.array(
    [
        [225, 35, 35],  # red
        [35, 190, 50],  # green
        [40, 70, 235],  # blue
        [240, 215, 20],  # yellow
        [215, 40, 215],  # magenta
        [20, 200, 215],  # cyan
        [250, 135, 15],  # orange
        [245, 245, 245],  # white
    ],
    dtype=np.float32,
)
_NUM_SHAPES, _NUM_TEXTURES = 8, 4
_DARK = 0.4  # brightness of a texture's dark cells


# -- glyphs ----------------------------------------------------------------------------------
def _glyph_attributes(identity: int) -> tuple[int, int, int]:
    """(shape, colour, texture) of an identity; distinct for identities 0..255.

    Mixed radix with a twist so that neighbouring identities differ in several attributes:
    a = t % 8, b = t // 8 % 8, c = t // 64; shape a, colour (a + b) % 8, texture
    (a // 2 + b + c) % 4. Given shape and colour, b is known, and the texture then fixes c.
    """
    a, b, c = identity % 8, identity // 8 % 8, identity // 64
    return a, (a + b) % 8, (a // 2 + b + c) % _NUM_TEXTURES


def _shape_mask(shape: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Boolean mask of a shape on object coordinates u (1, w), v (h, 1) in [-1, 1]."""
    au, av = np.abs(u), np.abs(v)
    if shape == 0:  # disc
        return u * u + v * v <= 0.95
    if shape == 1:  # square
        return np.maximum(au, av) <= 0.8
    if shape == 2:  # triangle, apex up
        return (v >= 1.9 * au - 0.95) & (v <= 0.85)
    if shape == 3:  # diamond
        return au + av <= 0.98
    if shape == 4:  # plus
        return (np.minimum(au, av) <= 0.32) & (np.maximum(au, av) <= 0.95)
    if shape == 5:  # ring
        r2 = u * u + v * v
        return (r2 >= 0.25) & (r2 <= 0.95)
    if shape == 6:  # hourglass
        return (au <= av) & (av <= 0.92)
    return (u * u + (v - 0.45) ** 2 <= 0.9) & (v <= 0.45)  # 7: dome (half disc)


def _texture_dark(texture: int, u: np.ndarray, v: np.ndarray) -> np.ndarray | bool:
    """Where the texture's dark cells are, on object coordinates (4 cells across)."""
    cu = np.floor((u + 1.0) * 2.0).astype(np.int64)
    cv = np.floor((v + 1.0) * 2.0).astype(np.int64)
    if texture == 0:  # solid
        return False
    if texture == 1:  # horizontal stripes
        return cv % 2 == 1
    if texture == 2:  # vertical stripes
        return cu % 2 == 1
    return (cu + cv) % 2 == 1  # checker


@functools.lru_cache(maxsize=4096)
def _glyph_code(identity: int, height: int, width: int) -> np.ndarray:
    """Per pixel of a glyph: 0 outside the shape, 1 light cell, 2 dark cell (read-only uint8,
    cached: one byte per pixel, so the cache stays small at any image size).

    Shapes:
        returns (height, width).
    """
    shape, _, texture = _glyph_attributes(identity)
    u = ((np.arange(width) + 0.5) / width * 2.0 - 1.0)[None, :]  # (1, w)
    v = ((np.arange(height) + 0.5) / height * 2.0 - 1.0)[:, None]  # (h, 1)
    mask = np.broadcast_to(_shape_mask(shape, u, v), (height, width))
    dark = np.broadcast_to(_texture_dark(texture, u, v), (height, width))
    code = (mask * (1 + dark)).astype(np.uint8)
    code.flags.writeable = False
    return code


def _glyph_palette(identity: int, shade: float) -> np.ndarray:
    """(3, 4) float32 RGBA for the codes of :func:`_glyph_code` (transparent, light, dark)."""
    colour = _COLOURS[_glyph_attributes(identity)[1]] * shade  # (3,)
    palette = np.zeros((3, 4), dtype=np.float32)
    palette[1, :3] = np.minimum(colour, 255.0)
    palette[2, :3] = np.minimum(colour * _DARK, 255.0)
    palette[1:, 3] = 1.0
    return palette


def draw_glyph(identity: int, height: int, width: int, shade: float = 1.0) -> np.ndarray:
    """An identity's glyph as a float32 RGBA patch (the alpha is its shape mask).

    The picture depends on the identity and the geometry only, never on the class: two
    classes that share an identity are pixel-identical.

    Shapes:
        returns (height, width, 4), RGB in 0-255, alpha 0 or 1.
    """
    return _glyph_palette(identity, shade)[_glyph_code(identity, height, width)]


def _span(lo: float, hi: float, size: int) -> tuple[int, int]:
    """Pixel rows (or columns) [a, b) whose centres may fall in [lo, hi], clipped to the image."""
    return max(0, int(np.floor(lo))), min(size, int(np.ceil(hi)) + 1)


def _blob_mask(xs, ys, x0, y0, x1, y1) -> np.ndarray:
    """An irregular blob: three overlapping discs along the segment (x0, y0)-(x1, y1)."""
    length = np.hypot(x1 - x0, y1 - y0)
    mask = np.zeros((ys.shape[0], xs.shape[1]), dtype=bool)
    for t, r in ((0.0, 0.35), (0.5, 0.5), (1.0, 0.3)):
        cx, cy = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        mask |= (xs - cx) ** 2 + (ys - cy) ** 2 <= (r * length) ** 2
    return mask


def _line_mask(xs, ys, x0, y0, x1, y1, thickness) -> np.ndarray:
    """Pixels within ``thickness / 2`` of the segment (x0, y0)-(x1, y1)."""
    dx, dy = x1 - x0, y1 - y0
    t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / max(dx * dx + dy * dy, 1e-9), 0.0, 1.0)
    return (xs - x0 - t * dx) ** 2 + (ys - y0 - t * dy) ** 2 <= (thickness / 2) ** 2


# -- layout ----------------------------------------------------------------------------------
class RenderCache:
    """Rendered images kept for the life of the process, up to a byte budget.

    Rendering is deterministic (sample ``i`` depends only on the dataset's arguments and
    ``i``), so every epoch, and the validation and test loaders of a run, which read the same
    split, can share the pixels rendered the first time: the same pixels, once. A dataset
    whose images do not fit in what is left of the budget is rendered every time, as without
    the cache. DataLoader workers each fill their own copy.

    Args:
        budget_bytes: the most bytes all cached images may take (default 1 GiB; the
            environment variable ``MLRKIT_RENDER_CACHE_MB`` sets it, 0 turns caching off).
    """

    def __init__(self, budget_bytes: int):
        self.budget_bytes = int(budget_bytes)
        self._images: dict[tuple, np.ndarray] = {}  # key -> (N, 3, S, S) uint8
        self._filled: dict[tuple, np.ndarray] = {}  # key -> (N,) bool
        self._refused: set[tuple] = set()

    @property
    def used_bytes(self) -> int:
        return sum(a.nbytes for a in self._images.values())

    def get(self, key: tuple, index: int) -> np.ndarray | None:
        filled = self._filled.get(key)
        if filled is None or not filled[index]:
            return None
        return self._images[key][index]

    def put(self, key: tuple, index: int, num: int, image: np.ndarray) -> np.ndarray:
        """Store ``image`` (3, S, S) as sample ``index`` of ``num``; returns what to read."""
        if key not in self._images and key not in self._refused:
            nbytes = num * image.size * image.itemsize
            if self.used_bytes + nbytes > self.budget_bytes:
                self._refused.add(key)
            else:
                self._images[key] = np.empty((num, *image.shape), dtype=image.dtype)
                self._filled[key] = np.zeros(num, dtype=bool)
        if key in self._refused:
            return image
        self._images[key][index] = image
        self._filled[key][index] = True
        return self._images[key][index]

    def clear(self) -> None:
        self._images.clear()
        self._filled.clear()
        self._refused.clear()


_RENDERED = RenderCache(int(float(os.environ.get("MLRKIT_RENDER_CACHE_MB", "1024")) * 2**20))


@dataclass(frozen=True)
class SceneObject:
    """One rendered glyph.

    Attributes:
        class_index: the class the glyph stands for (for a pair, the class it was drawn as).
        identity: the visual identity it was drawn with.
        box: (x0, y0, x1, y1) in pixels, end exclusive.
        opacity: 1.0, or lower for a faint object (``faintness`` knob).
        shade: brightness jitter of the glyph's colour.
        occluder: (x0, y0, x1, y1) of a patch drawn over it (``occlusion`` knob), or None.
    """

    class_index: int
    identity: int
    box: tuple[int, int, int, int]
    opacity: float = 1.0
    shade: float = 1.0
    occluder: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class SceneLayout:
    """Everything one image is rendered from (see :meth:`SyntheticScenes.render`).

    Attributes:
        index: the sample index.
        background: (3,) base colour, 0-255.
        blotches: (B, 7) rows (cx, cy, rx, ry, dr, dg, db): soft low-contrast ellipses.
        distractors: (n, 9) rows (kind, x0, y0, x1, y1, r, g, b, thickness); kind 0 is a
            blob, 1 a line segment.
        objects: the glyphs, in drawing order.
        noise_seed: seed of the pixel noise (``noise`` knob).
    """

    index: int
    background: np.ndarray
    blotches: np.ndarray
    distractors: np.ndarray
    objects: tuple[SceneObject, ...]
    noise_seed: int


@DATASETS.register_module()
class SyntheticScenes(MultiLabelDataset):
    """Procedural multi-label scenes with label sets from VOC's or COCO's real statistics.

    The default configuration is the "ctx" setting of docs/builtin-data.md:
    clean, large glyphs and 7 pixel-identical class pairs, where a pooled CNN sits between the
    two oracle ceilings of :mod:`mlrkit.datasets.oracles`. Measured (VOC, 5,000 train / 1,500
    test at 48 px, seeds 0-2, ``benchmarks/bench_synthetic.py``): pixels only 66.2 mAP, a
    4-layer CNN with max pooling 82.4 +/- 0.2, pixels + context 87.2 +/- 0.5.

    Knobs (each its own argument):
        source: ``"voc"`` (20 labels, VOC2007 trainval statistics) or ``"coco"`` (80 labels,
            COCO train2014), the label names and co-occurrence statistics.
        pairs: pixel-identical class pairs, ``(context-rich, context-poor)`` names; None takes
            :data:`DEFAULT_PAIRS` of the source, ``()`` turns them off (every class its own
            glyph). The two classes of a pair share one visual identity.
        max_labels: most labels per image (4, as the notes; None for no limit).
        object_size: (min, max) glyph side as a fraction of the image side.
        copies: (min, max) copies of each present glyph (identity), uniform.
        clutter: number of desaturated distractors (blobs and line segments) per image.
        noise: std of Gaussian pixel noise, as a fraction of 255 (0 = off).
        faintness: probability that an object is drawn faint, at 25-50 % opacity (0 = off).
        occlusion: probability that an object gets a patch over 30-60 % of its box (0 = off).

    The last three are off by default: the notes found that they make perception the
    bottleneck, so label context has nothing to work with.

    Args:
        num_samples: number of samples N.
        image_size: side S of the square images, in pixels (>= 16).
        split: ``"train"``, ``"val"`` or ``"test"``: disjoint random streams.
        seed: the random seed; sample i depends only on (seed, split, i).
        label_drop: probability p of hiding each label, positive or negative, independently
            (the partial-label setting): a hidden label becomes *unknown* (target 0,
            ``unknown`` True), masked out of the loss and the metrics. Deterministic from
            (seed, split, sample, class); the pictures still show every true label. 0 = off.
        pipeline: transforms applied to the uint8 (3, S, S) image.

    Shapes:
        ``targets``: (N, K) uint8; ``identities``: (N, I) uint8 identity presence;
        ``identity_of_class``: (K,) int64; a sample's ``inputs``: uint8 (3, S, S).

    Example:
        >>> ds = SyntheticScenes(num_samples=1000, image_size=64, split="train", seed=0)
        >>> ds[0]["inputs"].shape
        torch.Size([3, 64, 64])
    """

    dataset_name = "synthetic"
    has_oracles = True  # it knows which glyphs each image shows

    @classmethod
    def describe_data(
        cls, train: Mapping[str, Any], val: Mapping[str, Any], test: Mapping[str, Any]
    ) -> str:
        """The data of a run in words, from the configs of its train, val and test datasets.

        Example: ``built-in SyntheticScenes (VOC label statistics, 7 pixel-identical pairs,
        5,000 train / 1,000 val / 1,500 test images, data seed 0)``.
        """

        def count(dataset: Mapping[str, Any], default: Any) -> str:
            value = dataset.get("num_samples", default)
            return f"{int(value):,}" if isinstance(value, (int, float)) else str(value)

        source = train.get("source", "voc")
        pairs = train.get("pairs")
        npairs = len(DEFAULT_PAIRS.get(source, ())) if pairs is None else len(pairs)
        return (
            f"built-in SyntheticScenes ({source.upper()} label statistics, {npairs} "
            f"pixel-identical pairs, {count(train, 5000)} train / {count(val, '?')} val / "
            f"{count(test, '?')} test images, data seed {train.get('seed', 0)})"
        )

    def __init__(
        self,
        num_samples: int = 5000,
        image_size: int = 64,
        source: str = "voc",
        split: str = "train",
        seed: int = 0,
        pairs: Sequence[Sequence[str]] | None = None,
        max_labels: int | None = 4,
        object_size: tuple[float, float] = (0.22, 0.36),
        copies: tuple[int, int] = (1, 2),
        clutter: int = 4,
        noise: float = 0.0,
        faintness: float = 0.0,
        occlusion: float = 0.0,
        label_drop: float = 0.0,
        pipeline: Sequence[dict | Callable] | None = None,
    ):
        # everything the pixels depend on (the pipeline runs after load_image)
        arguments = {k: v for k, v in locals().items() if k not in ("self", "pipeline")}
        arguments.pop("__class__", None)
        self._render_key = (type(self).__name__, repr(sorted(arguments.items())))
        super().__init__(pipeline=pipeline, split=split)
        name = type(self).__name__
        self._check_arguments(name, num_samples, image_size, source, split, seed, max_labels)
        self._check_knobs(name, object_size, copies, clutter, noise, faintness, occlusion)
        self.num_samples = int(num_samples)
        self.image_size = int(image_size)
        self.source = source
        self.seed = int(seed)
        self.max_labels = max_labels
        self.object_size = (float(object_size[0]), float(object_size[1]))
        self.copies = (int(copies[0]), int(copies[1]))
        self.clutter = int(clutter)
        self.noise = float(noise)
        self.faintness = float(faintness)
        self.occlusion = float(occlusion)
        self.dataset_name = f"synthetic-{source}"

        names = source_statistics(source).classes
        self.classes = names
        self.pairs = self._resolve_pairs(name, pairs)
        self.identity_of_class = self._assign_identities()
        self.num_identities = int(self.identity_of_class.max()) + 1

        conditional, seed_probs = source_model(source, max_labels)
        k = len(names)
        uniforms = counter_uniform(
            self.seed, 2 * SPLITS[split], np.arange(self.num_samples), 1 + 2 * k
        )
        self._targets = sample_label_sets(seed_probs, conditional, max_labels, uniforms)
        self.label_drop = float(label_drop)
        self._drop_labels(label_drop, self.seed, _LABEL_DROP_STREAM + SPLITS[split])

    # -- validation --------------------------------------------------------------------------
    @staticmethod
    def _check_arguments(name, num_samples, image_size, source, split, seed, max_labels):
        if source not in _SOURCES:
            raise ValueError(f"{name}: unknown source {source!r}; choose one of {list(_SOURCES)}.")
        if split not in SPLITS:
            raise ValueError(f"{name}: unknown split {split!r}; choose one of {list(SPLITS)}.")
        if int(num_samples) < 1:
            raise ValueError(f"{name}: num_samples must be >= 1, got {num_samples}.")
        if int(image_size) < 16:
            raise ValueError(f"{name}: image_size must be >= 16 pixels, got {image_size}.")
        if int(seed) < 0:
            raise ValueError(f"{name}: seed must be >= 0, got {seed}.")
        if max_labels is not None and int(max_labels) < 1:
            raise ValueError(f"{name}: max_labels must be >= 1 or None, got {max_labels}.")

    @staticmethod
    def _check_knobs(name, object_size, copies, clutter, noise, faintness, occlusion):
        lo, hi = object_size
        if not 0.05 <= lo <= hi <= 0.9:
            raise ValueError(
                f"{name}: object_size must be (min, max) fractions with 0.05 <= min <= max "
                f"<= 0.9, got {object_size}."
            )
        if not 1 <= copies[0] <= copies[1]:
            raise ValueError(
                f"{name}: copies must be (min, max) with 1 <= min <= max, got {copies}."
            )
        if clutter < 0:
            raise ValueError(f"{name}: clutter must be >= 0, got {clutter}.")
        for knob, value in (("noise", noise), ("faintness", faintness), ("occlusion", occlusion)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}: {knob} must be in [0, 1] (0 = off), got {value}.")

    def _resolve_pairs(self, name: str, pairs) -> tuple[tuple[int, int], ...]:
        if pairs is None:
            pairs = DEFAULT_PAIRS[self.source]
        index = {c: i for i, c in enumerate(self.classes)}
        out, seen = [], set()
        for pair in pairs:
            if len(pair) != 2:
                raise ValueError(f"{name}: each pair must name two classes, got {pair!r}.")
            unknown = [c for c in pair if c not in index]
            if unknown:
                raise ValueError(
                    f"{name}: unknown class {unknown[0]!r} in pairs for source "
                    f"{self.source!r}; known classes: {', '.join(self.classes)}."
                )
            a, b = index[pair[0]], index[pair[1]]
            if a == b or a in seen or b in seen:
                raise ValueError(
                    f"{name}: pairs must be disjoint pairs of distinct classes; {pair!r} "
                    "repeats a class."
                )
            seen |= {a, b}
            out.append((a, b))
        return tuple(out)

    def _assign_identities(self) -> np.ndarray:
        """Identity of each class: classes in label order, a pair's second class reusing the
        first's identity."""
        partner = {b: a for a, b in self.pairs} | {a: b for a, b in self.pairs}
        identity = np.full(len(self.classes), -1, dtype=np.int64)
        nxt = 0
        for k in range(len(self.classes)):
            if identity[k] >= 0:
                continue
            identity[k] = nxt
            if k in partner:
                identity[partner[k]] = nxt
            nxt += 1
        return identity

    # -- what was rendered -------------------------------------------------------------------
    @property
    def identities(self) -> np.ndarray:
        """(N, I) uint8: 1 where at least one glyph of identity ``i`` is in the image."""
        presence = np.zeros((len(self), self.num_identities), dtype=np.uint8)
        for k, ident in enumerate(self.identity_of_class):
            presence[:, ident] |= self._targets[:, k]
        return presence

    @property
    def paired_classes(self) -> np.ndarray:
        """(K,) bool: True for the classes that share their identity with another class."""
        counts = np.bincount(self.identity_of_class, minlength=self.num_identities)
        return counts[self.identity_of_class] > 1

    @property
    def metainfo(self) -> dict:
        info = super().metainfo
        info.update(
            source=self.source,
            pairs=tuple((self.classes[a], self.classes[b]) for a, b in self.pairs),
            num_identities=self.num_identities,
        )
        return info

    def layout(self, index: int) -> SceneLayout:
        """What sample ``index`` is rendered from (no pixels are computed)."""
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__}: index {index} out of range [0, {len(self)}).")
        rng = np.random.default_rng([self.seed, 2 * SPLITS[self.split] + 1, index])
        s = self.image_size
        background = rng.uniform(55, 115) + rng.uniform(-12, 12, 3)  # (3,)
        blotches = np.concatenate(  # (3, 7): cx, cy, rx, ry, dr, dg, db
            [
                rng.uniform(0, s, (3, 2)),
                rng.uniform(0.15, 0.45, (3, 2)) * s,
                rng.uniform(-25, 25, (3, 3)),
            ],
            axis=1,
        )
        n = self.clutter
        kind = rng.integers(0, 2, n).astype(np.float64)  # 0 blob, 1 line
        colour = np.clip(rng.uniform(40, 175, (n, 1)) + rng.uniform(-18, 18, (n, 3)), 0, 255)
        side = np.where(kind == 0, rng.uniform(0.08, 0.22, n), rng.uniform(0.25, 0.6, n)) * s
        start = rng.uniform(-0.1 * s, s, (n, 2))
        angle = rng.uniform(0, np.pi, n)
        end = start + side[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        thickness = rng.uniform(0.8, 1.6, n) * max(1.0, s / 64)
        distractors = np.concatenate(  # (n, 9)
            [kind[:, None], start, end, colour, thickness[:, None]], axis=1
        )

        labels = np.flatnonzero(self._targets[index])
        objects = []
        for ident in np.unique(self.identity_of_class[labels]):
            members = rng.permutation(labels[self.identity_of_class[labels] == ident])
            for copy in range(int(rng.integers(self.copies[0], self.copies[1] + 1))):
                objects.append(self._place(rng, int(members[copy % len(members)]), int(ident)))
        draw_order = rng.permutation(len(objects))
        return SceneLayout(
            index=index,
            background=background,
            blotches=blotches,
            distractors=distractors,
            objects=tuple(objects[i] for i in draw_order),
            noise_seed=int(rng.integers(2**31)),
        )

    def _place(self, rng: np.random.Generator, class_index: int, identity: int) -> SceneObject:
        s = self.image_size
        side = rng.uniform(*self.object_size) * s
        h = max(4, round(side * rng.uniform(0.9, 1.1)))
        w = max(4, round(side * rng.uniform(0.9, 1.1)))
        x0, y0 = int(rng.integers(0, s - w + 1)), int(rng.integers(0, s - h + 1))
        opacity = rng.uniform(0.25, 0.5) if rng.random() < self.faintness else 1.0
        occluder = None
        if rng.random() < self.occlusion:
            frac = rng.uniform(0.3, 0.6)  # share of the box covered
            ow, oh = max(1, round(w * np.sqrt(frac))), max(1, round(h * np.sqrt(frac)))
            ox, oy = x0 + int(rng.integers(0, w - ow + 1)), y0 + int(rng.integers(0, h - oh + 1))
            occluder = (ox, oy, ox + ow, oy + oh)
        return SceneObject(
            class_index=class_index,
            identity=identity,
            box=(x0, y0, x0 + w, y0 + h),
            opacity=float(opacity),
            shade=float(rng.uniform(0.85, 1.1)),
            occluder=occluder,
        )

    def objects(self, index: int) -> tuple[SceneObject, ...]:
        """The glyphs of sample ``index``: class, identity, box, in drawing order."""
        return self.layout(index).objects

    # -- pixels ------------------------------------------------------------------------------
    def render(self, layout: SceneLayout) -> np.ndarray:
        """Draw a layout. A glyph's picture comes from ``identity_of_class[object.class_index]``.

        Shapes:
            returns uint8 (S, S, 3).
        """
        s = self.image_size
        grid = np.arange(s, dtype=np.float32) + 0.5  # pixel centres
        canvas = np.empty((s, s, 3), dtype=np.float32)
        canvas[:] = layout.background
        if len(layout.blotches):  # soft ellipses: separable Gaussians, one rank-1 term each
            b = layout.blotches.astype(np.float32)  # (B, 7)
            wy = np.exp(-(((grid[None, :] - b[:, 1:2]) / b[:, 3:4]) ** 2))  # (B, S)
            wx = np.exp(-(((grid[None, :] - b[:, 0:1]) / b[:, 2:3]) ** 2))  # (B, S)
            colour_x = (wx[:, :, None] * b[:, None, 4:7]).reshape(len(b), 3 * s)  # (B, S*3)
            canvas += (wy.T @ colour_x).reshape(s, s, 3)
        for kind, x0, y0, x1, y1, r, g, bl, thick in layout.distractors.tolist():
            pad = 0.5 * np.hypot(x1 - x0, y1 - y0) if kind == 0 else thick
            ya, yb = _span(min(y0, y1) - pad, max(y0, y1) + pad, s)
            xa, xb = _span(min(x0, x1) - pad, max(x0, x1) + pad, s)
            if ya >= yb or xa >= xb:
                continue
            ys, xs = grid[ya:yb, None], grid[None, xa:xb]  # (h, 1), (1, w)
            if kind == 0:
                mask = _blob_mask(xs, ys, x0, y0, x1, y1)
            else:
                mask = _line_mask(xs, ys, x0, y0, x1, y1, thick)
            canvas[ya:yb, xa:xb][mask] = (r, g, bl)
        for obj in layout.objects:
            self._draw_object(canvas, obj, layout.background)
        if self.noise > 0:
            noise_rng = np.random.default_rng(layout.noise_seed)
            canvas += noise_rng.normal(0.0, self.noise * 255.0, canvas.shape).astype(np.float32)
        return np.clip(canvas + 0.5, 0, 255).astype(np.uint8)

    def _draw_object(self, canvas: np.ndarray, obj: SceneObject, background: np.ndarray) -> None:
        x0, y0, x1, y1 = obj.box
        identity = int(self.identity_of_class[obj.class_index])
        patch = draw_glyph(identity, y1 - y0, x1 - x0, obj.shade)  # (h, w, 4)
        alpha = patch[:, :, 3:] * obj.opacity  # (h, w, 1)
        region = canvas[y0:y1, x0:x1]
        region *= 1.0 - alpha
        region += alpha * patch[:, :, :3]
        if obj.occluder is not None:
            ox0, oy0, ox1, oy1 = obj.occluder
            canvas[oy0:oy1, ox0:ox1] = background  # a patch of the plain background

    def glyph(self, class_index: int, size: int = 16, shade: float = 1.0) -> np.ndarray:
        """The glyph class ``class_index`` is drawn with, as float32 RGBA (size, size, 4)."""
        return draw_glyph(int(self.identity_of_class[class_index]), size, size, shade)

    def load_image(self, index: int) -> torch.Tensor:
        """Sample ``index`` as uint8 (3, S, S), rendered once per process (:class:`RenderCache`)."""
        cached = _RENDERED.get(self._render_key, index)
        if cached is None:
            image = self.render(self.layout(index))  # (S, S, 3)
            cached = _RENDERED.put(
                self._render_key,
                index,
                len(self),
                image.transpose(2, 0, 1),  # (3, S, S)
            )
        return torch.from_numpy(np.array(cached))  # a copy: transforms may write to it

    def image_path(self, index: int) -> str:
        return f"{self.dataset_name}/{self.split}/seed{self.seed}/{index:07d}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(source={self.source!r}, split={self.split!r}, "
            f"num_samples={len(self)}, image_size={self.image_size}, seed={self.seed}, "
            f"pairs={len(self.pairs)})"
        )
