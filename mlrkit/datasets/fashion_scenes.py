"""Multi-label scenes of real Fashion-MNIST items, arranged as co-occurring outfits.

The second built-in dataset: real pixels (Fashion-MNIST's 28 x 28 grey items, Xiao et al.
2017) with label context that matters, since the items Fashion-MNIST classifiers confuse most
(T-shirt/top, Shirt, Pullover, Coat) are exactly the ones whose company differs.

The outfit model (each sample independently; the probabilities are the class attributes
``SEASONS``, ``DRESS``, ``TOPS``, ``FOOTWEAR``, ``COAT`` and ``BAG``):

1. a season: summer 0.45, mild 0.30, winter 0.25;
2. a Dress (summer 0.40, mild 0.20, winter 0.10), otherwise a top and a Trouser, the top
   T-shirt/top / Shirt / Pullover with summer (0.75, 0.25, 0), mild (0.25, 0.50, 0.25),
   winter (0.10, 0.30, 0.60);
3. footwear with probability 0.9 (always with a Dress), Sandal / Sneaker / Ankle boot with
   summer (0.60, 0.35, 0.05), mild (0.15, 0.60, 0.25), winter (0, 0.30, 0.70);
4. a Coat: summer 0, mild 0.25, winter 0.70;
5. a Bag with probability 0.35, dropped when the outfit already has four items.

So every scene has 2 to 4 items. Each item is a random Fashion-MNIST image of its class (the
train and val splits draw from the 60,000 training items, ``"test"`` from the 10,000 t10k items),
scaled to ``item_size`` of the canvas and placed in its own cell of a 2 x 2 grid with a random
offset of up to ``jitter`` of the canvas, so neighbours may overlap; items are composed with
a pixel-wise maximum (light items on a black canvas, as in Fashion-MNIST).

The data are the standard idx files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, raw or ``.gz``), e.g. from Debian's
``dataset-fashion-mnist`` package, which installs them in ``/usr/share/datasets/fashion-mnist``.
"""

from __future__ import annotations

import functools
import gzip
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from mlrkit.datasets._label_sampling import counter_uniform
from mlrkit.datasets.base import MultiLabelDataset
from mlrkit.registry import DATASETS

__all__ = ["FASHION_CLASSES", "FashionMNISTScenes", "read_idx"]

#: Fashion-MNIST's label names, in label order.
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
T_SHIRT, TROUSER, PULLOVER, DRESS, COAT, SANDAL, SHIRT, SNEAKER, BAG, ANKLE_BOOT = range(10)

# split -> idx file prefix; "val" composes new scenes from the training items (its own random
# streams, so its scenes are not the train scenes); new splits go last (streams by position)
_FILES = {"train": "train", "test": "t10k", "val": "train"}
_HOW_TO_GET = (
    "Install them with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu, into "
    "/usr/share/datasets/fashion-mnist), or download the four idx files from "
    "https://github.com/zalandoresearch/fashion-mnist (data/fashion) and pass their folder as "
    "root=."
)
_IDX_DTYPE_UBYTE = 0x08


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an idx file of unsigned bytes (raw, or gzip-compressed when it ends in ``.gz``).

    The format (LeCun's MNIST): two zero bytes, a type byte (0x08 = unsigned byte), the number
    of dimensions, then one big-endian int32 per dimension and the data in row-major order.

    Args:
        path: the file.

    Returns:
        uint8 array with the file's shape.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: naming the file, if the magic number, type or length is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"idx file {str(path)!r} does not exist. {_HOW_TO_GET}")
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as err:
        raise ValueError(f"idx file {str(path)!r}: cannot decompress ({err}).") from err
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(
            f"idx file {str(path)!r}: bad magic number {data[:4].hex() or 'empty'}; an idx file "
            "starts with two zero bytes, a type byte and the number of dimensions."
        )
    if data[2] != _IDX_DTYPE_UBYTE:
        raise ValueError(
            f"idx file {str(path)!r}: element type 0x{data[2]:02x} is not unsigned byte (0x08)."
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise ValueError(f"idx file {str(path)!r}: truncated header ({ndim} dimensions).")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64))
    if len(data) - header != expected:
        raise ValueError(
            f"idx file {str(path)!r}: {len(data) - header} data bytes for shape {shape}, "
            f"expected {expected} (truncated or corrupt)."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def _find_idx(root: Path, stem: str) -> Path:
    """``root/stem`` or ``root/stem.gz``, whichever exists."""
    for candidate in (root / stem, root / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"Fashion-MNIST file {str(root / stem)!r} (or {stem}.gz) not found. {_HOW_TO_GET}"
    )


@functools.lru_cache(maxsize=4)
def _load_split(root: str, split: str, _stamp: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 28, 28) uint8, labels (N,) int64) of a split; cached per files' mtime."""
    prefix = _FILES[split]
    image_file = _find_idx(Path(root), f"{prefix}-images-idx3-ubyte")
    label_file = _find_idx(Path(root), f"{prefix}-labels-idx1-ubyte")
    images, labels = read_idx(image_file), read_idx(label_file)
    if images.ndim != 3:
        raise ValueError(
            f"idx file {str(image_file)!r}: images must have 3 dimensions (N, H, W), got "
            f"shape {images.shape}."
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(
            f"idx file {str(label_file)!r}: {labels.shape} labels for {len(images)} images in "
            f"{str(image_file)!r}; expected one label per image."
        )
    if len(labels) and labels.max() >= len(FASHION_CLASSES):
        raise ValueError(
            f"idx file {str(label_file)!r}: label {int(labels.max())} out of range; "
            f"Fashion-MNIST labels are 0..{len(FASHION_CLASSES) - 1}."
        )
    return images, labels.astype(np.int64)


def _stamp(root: Path, split: str) -> tuple:
    """Modification times of a split's files, so that a changed file is read again."""
    prefix = _FILES[split]
    out = []
    for stem in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        for candidate in (root / stem, root / f"{stem}.gz"):
            out.append(candidate.stat().st_mtime_ns if candidate.is_file() else None)
    return tuple(out)


def _choose(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Categorical draws: row-wise inverse CDF of uniforms u (N,) under probs (N, C)."""
    cdf = np.cumsum(probs, axis=1)  # (N, C)
    cdf /= cdf[:, -1:]  # exactly 1 at the end, so u < 1 never picks a zero-probability tail
    return (u[:, None] >= cdf).sum(axis=1)


@DATASETS.register_module()
class FashionMNISTScenes(MultiLabelDataset):
    """Scenes of 2-4 real Fashion-MNIST items forming plausible outfits (10 labels).

    See the module docstring for the outfit model. Deterministic per seed and random-access:
    sample i depends only on (seed, split, i) and the idx files.

    Args:
        num_samples: number of scenes N.
        image_size: side S of the square canvas (>= 32 pixels).
        split: ``"train"`` (items from the 60,000 training images), ``"val"`` (other scenes of
            the same training items, from the split's own random streams: for model
            selection) or ``"test"`` (t10k items).
        seed: the random seed.
        root: folder with the four idx files, raw or ``.gz``.
        item_size: (min, max) side of an item as a fraction of the canvas.
        jitter: largest random offset of an item from its cell's centre, fraction of canvas.
        label_drop: probability of hiding each label (positive or negative) as *unknown*,
            deterministic from the seed (see :class:`~mlrkit.datasets.SyntheticScenes`).
        pipeline: transforms applied to the uint8 (3, S, S) image.

    Shapes:
        ``targets``: (N, 10) uint8; ``items``: (N, 4) int64 index of each placed item in the
        split's idx file (-1 for an empty slot); a sample's ``inputs``: uint8 (3, S, S).

    Raises:
        FileNotFoundError: if an idx file is missing (the message says how to get them).
        ValueError: if an idx file is malformed (the message names it) or an argument is bad.
    """

    dataset_name = "fashion-scenes"

    SEASONS = np.array([0.45, 0.30, 0.25])  # summer, mild, winter
    DRESS = np.array([0.40, 0.20, 0.10])
    TOPS = np.array([[0.75, 0.25, 0.00], [0.25, 0.50, 0.25], [0.10, 0.30, 0.60]])
    TOP_CLASSES = np.array([T_SHIRT, SHIRT, PULLOVER])
    FOOTWEAR_PROB = 0.9
    FOOTWEAR = np.array([[0.60, 0.35, 0.05], [0.15, 0.60, 0.25], [0.00, 0.30, 0.70]])
    FOOTWEAR_CLASSES = np.array([SANDAL, SNEAKER, ANKLE_BOOT])
    COAT = np.array([0.00, 0.25, 0.70])
    BAG = 0.35
    MAX_ITEMS = 4

    def __init__(
        self,
        num_samples: int = 5000,
        image_size: int = 64,
        split: str = "train",
        seed: int = 0,
        root: str | os.PathLike = "/usr/share/datasets/fashion-mnist",
        item_size: tuple[float, float] = (0.42, 0.56),
        jitter: float = 0.1,
        label_drop: float = 0.0,
        pipeline: Sequence[dict | Callable] | None = None,
    ):
        super().__init__(pipeline=pipeline, split=split)
        name = type(self).__name__
        if split not in _FILES:
            raise ValueError(f"{name}: unknown split {split!r}; choose one of {list(_FILES)}.")
        if int(num_samples) < 1:
            raise ValueError(f"{name}: num_samples must be >= 1, got {num_samples}.")
        if int(image_size) < 32:
            raise ValueError(f"{name}: image_size must be >= 32 pixels, got {image_size}.")
        if int(seed) < 0:
            raise ValueError(f"{name}: seed must be >= 0, got {seed}.")
        if not 0.1 <= item_size[0] <= item_size[1] <= 1.0:
            raise ValueError(
                f"{name}: item_size must be (min, max) with 0.1 <= min <= max <= 1, "
                f"got {item_size}."
            )
        if not 0.0 <= jitter <= 0.25:
            raise ValueError(f"{name}: jitter must be in [0, 0.25], got {jitter}.")
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(
                f"{name}: Fashion-MNIST folder {str(self.root)!r} does not exist. {_HOW_TO_GET}"
            )
        self.num_samples = int(num_samples)
        self.image_size = int(image_size)
        self.seed = int(seed)
        self.item_size = (float(item_size[0]), float(item_size[1]))
        self.jitter = float(jitter)
        self.classes = FASHION_CLASSES
        self._images, labels = _load_split(str(self.root), split, _stamp(self.root, split))
        self._by_class = [np.flatnonzero(labels == c) for c in range(len(FASHION_CLASSES))]
        empty = [FASHION_CLASSES[c] for c, idx in enumerate(self._by_class) if len(idx) == 0]
        if empty:
            raise ValueError(
                f"{name}: the {split} idx files under {str(self.root)!r} have no item of "
                f"class {', '.join(empty)}; every class needs at least one."
            )
        # three counter streams per split: outfits, item choice, placement
        self._stream = 3 * list(_FILES).index(split)
        self._targets, self._item_classes = self._sample_outfits()
        self.items = self._pick_items()
        self.label_drop = float(label_drop)
        self._drop_labels(label_drop, self.seed, 1000 + list(_FILES).index(split))

    def _sample_outfits(self) -> tuple[np.ndarray, np.ndarray]:
        """The outfit model, vectorised: (targets (N, 10), item classes (N, 4), -1 = empty)."""
        n = self.num_samples
        u = counter_uniform(self.seed, self._stream, np.arange(n), 8)  # (N, 8)
        season = _choose(u[:, 0], np.broadcast_to(self.SEASONS, (n, 3)))  # (N,)
        dress = u[:, 1] < self.DRESS[season]
        top = self.TOP_CLASSES[_choose(u[:, 2], self.TOPS[season])]
        footwear = (u[:, 3] < self.FOOTWEAR_PROB) | dress
        shoe = self.FOOTWEAR_CLASSES[_choose(u[:, 4], self.FOOTWEAR[season])]
        coat = u[:, 5] < self.COAT[season]
        bag = u[:, 6] < self.BAG

        slots = np.full((n, 5), -1, dtype=np.int64)  # dress|top, trouser, shoe, coat, bag
        slots[:, 0] = np.where(dress, DRESS, top)
        slots[:, 1] = np.where(dress, -1, TROUSER)
        slots[:, 2] = np.where(footwear, shoe, -1)
        slots[:, 3] = np.where(coat, COAT, -1)
        slots[:, 4] = np.where(bag, BAG, -1)
        too_many = (slots >= 0).sum(axis=1) > self.MAX_ITEMS
        slots[too_many, 4] = -1  # the bag goes
        slots = -np.sort(-slots, axis=1)[:, : self.MAX_ITEMS]  # (N, 4) present items first

        targets = np.zeros((n, len(FASHION_CLASSES)), dtype=np.uint8)
        rows, cols = np.nonzero(slots >= 0)
        targets[rows, slots[rows, cols]] = 1
        return targets, slots

    def _pick_items(self) -> np.ndarray:
        """Which idx item fills each slot: a uniform choice among the split's items of its class."""
        n = self.num_samples
        u = counter_uniform(self.seed, self._stream + 1, np.arange(n), self.MAX_ITEMS)  # (N, 4)
        items = np.full(self._item_classes.shape, -1, dtype=np.int64)
        for c, pool in enumerate(self._by_class):
            where = self._item_classes == c
            items[where] = pool[np.minimum((u[where] * len(pool)).astype(np.int64), len(pool) - 1)]
        return items

    def load_image(self, index: int) -> torch.Tensor:
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__}: index {index} out of range [0, {len(self)}).")
        s = self.image_size
        items = self.items[index][self.items[index] >= 0]
        u = counter_uniform(self.seed, self._stream + 2, np.array([index]), 4 * self.MAX_ITEMS)[0]
        cells = np.argsort(u[: self.MAX_ITEMS])  # a random cell of the 2 x 2 grid per item
        canvas = np.zeros((s, s), dtype=np.uint8)
        for slot, item in enumerate(items):
            lo, hi = self.item_size
            side = max(8, round((lo + (hi - lo) * u[4 + slot]) * s))
            patch = np.asarray(
                Image.fromarray(self._images[item]).resize((side, side), Image.BILINEAR)
            )
            row, col = divmod(int(cells[slot]), 2)
            cy = (row + 0.5) * s / 2 + (2 * u[8 + slot] - 1) * self.jitter * s
            cx = (col + 0.5) * s / 2 + (2 * u[12 + slot] - 1) * self.jitter * s
            y0 = int(np.clip(round(cy - side / 2), 0, s - side))
            x0 = int(np.clip(round(cx - side / 2), 0, s - side))
            region = canvas[y0 : y0 + side, x0 : x0 + side]
            np.maximum(region, patch, out=region)
        return torch.from_numpy(canvas).expand(3, s, s).contiguous()  # (3, S, S), grey as RGB

    def image_path(self, index: int) -> str:
        return f"{self.dataset_name}/{self.split}/seed{self.seed}/{index:07d}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(split={self.split!r}, num_samples={len(self)}, "
            f"image_size={self.image_size}, seed={self.seed}, root={str(self.root)!r})"
        )
