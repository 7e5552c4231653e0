"""The contract every mlrkit dataset follows.

A dataset knows its K class names (order = label index), its 0/1 targets for all N samples
without decoding a single image (the label graph is computed from them), and yields one sample
as a dict that mmengine's ``default_collate`` batches::

    {"inputs": uint8 tensor (3, H, W),
     "data_samples": {"gt_label": float32 (K,), "difficult": bool (K,), "unknown": bool (K,),
                      "index": int, "img_path": str}}

Every label is in one of four states: positive (``gt_label`` 1), negative (0), difficult (0 and
``difficult`` True; VOC's "0" label) or unknown (0 and ``unknown`` True: not annotated, as most
labels of Open Images, or hidden by ``label_drop``). The loss masks unknown entries out and the
metrics leave them out per class, whatever ``difficult_mode`` says (docs/datasets.md).

Images are decoded to uint8 CHW tensors, the ``pipeline`` (transforms from the TRANSFORMS
registry, uint8 CHW in and out) runs on them, and normalisation happens on the device in the
model's data preprocessor.

File-based datasets (COCO, VOC, list files) subclass :class:`FileMultiLabelDataset`, which
decodes its images from disk and lets a config choose what an unreadable image does
(``on_bad_image="raise"`` or ``"skip"``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from mlrkit.datasets._io import ImageDecodeError, decode_image_file, encode_paths

__all__ = ["MultiLabelDataset", "FileMultiLabelDataset", "build_pipeline"]

logger = logging.getLogger(__name__)

ON_BAD_IMAGE = ("raise", "skip")


def build_pipeline(pipeline: Sequence[dict | Callable] | None) -> list[Callable]:
    """Build a list of transform configs (or callables) from the TRANSFORMS registry."""
    from mlrkit.registry import TRANSFORMS

    out = []
    for step in pipeline or ():
        out.append(TRANSFORMS.build(step) if isinstance(step, dict) else step)
    return out


class MultiLabelDataset(Dataset):
    """Base class of all multi-label datasets.

    Subclasses set ``self.classes`` (K names), ``self._targets`` ((N, K) uint8),
    optionally ``self._difficult`` and ``self._unknown`` ((N, K) bool) and implement
    :meth:`load_image` and :meth:`image_path`. ``_targets`` may hold the true label at an
    unknown entry (the built-in data keep it to render the picture); :attr:`targets` and the
    samples always read 0 there.

    An image that cannot be read (:meth:`load_image` raises an :class:`OSError`, which covers
    ``FileNotFoundError`` and :class:`~mlrkit.datasets._io.ImageDecodeError`) either propagates
    (``on_bad_image="raise"``, the default) or is skipped: it is logged once, counted in
    :attr:`num_bad_images` and the next readable sample in index order (wrapping around) is
    returned in its place, with that sample's own labels, index and path. The count is per
    process: each DataLoader worker keeps its own.

    Args:
        pipeline: transforms applied to the uint8 CHW image tensor, as configs or callables.
        split: name of the split (``"train"``, ``"val"``, ``"test"``, ...), used in cache keys.
        on_bad_image: ``"raise"`` or ``"skip"``, see above.
    """

    #: Short name used in cache keys and result files; subclasses override.
    dataset_name: str = "multilabel"

    #: Whether the dataset records what it rendered (visual identities), so that the oracle
    #: ceilings of :mod:`mlrkit.datasets.oracles` can be computed on it; procedural data only.
    has_oracles: bool = False

    #: Whether some labels are marked "difficult" (VOC), so that a report names the difficult
    #: conventions of the metrics and of training.
    has_difficult_labels: bool = False

    def __init__(
        self,
        pipeline: Sequence[dict | Callable] | None = None,
        split: str = "train",
        on_bad_image: str = "raise",
    ):
        if on_bad_image not in ON_BAD_IMAGE:
            raise ValueError(
                f"{type(self).__name__}: on_bad_image must be one of {ON_BAD_IMAGE}, "
                f"got {on_bad_image!r}"
            )
        self.split = split
        self.on_bad_image = on_bad_image
        self.pipeline = build_pipeline(pipeline)
        self.classes: tuple[str, ...] = ()
        self._targets: np.ndarray = np.zeros((0, 0), dtype=np.uint8)
        self._difficult: np.ndarray | None = None
        self._unknown: np.ndarray | None = None
        self._bad_indices: set[int] = set()

    # -- what subclasses provide -------------------------------------------------------------
    def load_image(self, index: int) -> torch.Tensor:
        """Decode sample ``index`` as a uint8 tensor (3, H, W)."""
        raise NotImplementedError

    def image_path(self, index: int) -> str:
        """A human-readable name of sample ``index`` (a file path where there is one)."""
        return f"{self.dataset_name}[{index}]"

    # -- shared behaviour --------------------------------------------------------------------
    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def metainfo(self) -> dict[str, Any]:
        return {
            "classes": tuple(self.classes),
            "dataset_name": self.dataset_name,
            "split": self.split,
        }

    @property
    def targets(self) -> np.ndarray:
        """(N, K) uint8 0/1 targets; difficult and unknown entries are 0 here (see
        :attr:`difficult`, :attr:`unknown`)."""
        if self._unknown is None:
            return self._targets
        return np.where(self._unknown, 0, self._targets).astype(np.uint8)

    @property
    def difficult(self) -> np.ndarray:
        """(N, K) bool mask of labels marked difficult (all False where the format has none)."""
        if self._difficult is None:
            return np.zeros(self._targets.shape, dtype=bool)
        return self._difficult

    @property
    def unknown(self) -> np.ndarray:
        """(N, K) bool mask of labels whose state is unknown (all False for fully labelled data)."""
        if self._unknown is None:
            return np.zeros(self._targets.shape, dtype=bool)
        return self._unknown

    def _drop_labels(self, label_drop: float, seed: int, stream: int) -> None:
        """Hide each label (positive or negative) independently with probability ``label_drop``.

        The draw is counter-based (:func:`~mlrkit.datasets._label_sampling.counter_uniform`):
        entry (i, k) is hidden iff ``u(seed, stream, i, k) < label_drop``, so it depends only on
        the seed, the stream (one per split) and the entry, not on N. Hidden entries join
        :attr:`unknown`; ``_targets`` keeps the true labels.

        Raises:
            ValueError: ``label_drop`` outside [0, 1).
        """
        from mlrkit.datasets._label_sampling import counter_uniform

        if isinstance(label_drop, bool) or not 0.0 <= float(label_drop) < 1.0:
            raise ValueError(
                f"{type(self).__name__}: label_drop must be in [0, 1) (the probability of "
                f"hiding each label), got {label_drop!r}"
            )
        if label_drop == 0:
            return
        num, k = self._targets.shape
        hidden = counter_uniform(seed, stream, np.arange(num), k) < label_drop  # (N, K)
        self._unknown = hidden if self._unknown is None else self._unknown | hidden

    @property
    def num_bad_images(self) -> int:
        """How many distinct images this process has skipped as unreadable."""
        return len(self._bad_indices)

    def cache_key(self) -> str:
        """Identifies this dataset's train targets, for caching label statistics."""
        digest = hashlib.sha1(np.ascontiguousarray(self.targets).tobytes())
        if self._unknown is not None:
            digest.update(np.packbits(self._unknown).tobytes())
        digest.update("\n".join(self.classes).encode())
        return f"{self.dataset_name}-{self.split}-{digest.hexdigest()[:12]}"

    def __len__(self) -> int:
        return int(self._targets.shape[0])

    def __getitem__(self, index: int) -> dict[str, Any]:
        num = len(self)
        index = int(index)
        if not -num <= index < num:
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of {num}")
        index %= num
        index, image = self._load_readable(index)
        for transform in self.pipeline:
            image = transform(image)
        if self._difficult is None:
            difficult = torch.zeros(self._targets.shape[1], dtype=torch.bool)
        else:
            difficult = torch.from_numpy(self._difficult[index].copy())
        gt_label = self._targets[index].astype(np.float32)  # (K,)
        if self._unknown is None:
            unknown = torch.zeros(self._targets.shape[1], dtype=torch.bool)
        else:
            unknown = torch.from_numpy(self._unknown[index].copy())
            gt_label[self._unknown[index]] = 0.0
        return {
            "inputs": image,
            "data_samples": {
                "gt_label": torch.from_numpy(gt_label),
                "difficult": difficult,
                "unknown": unknown,
                "index": index,
                "img_path": self.image_path(index),
            },
        }

    def _load_readable(self, index: int) -> tuple[int, torch.Tensor]:
        """Load sample ``index`` or, when skipping, the next readable one after it."""
        if self.on_bad_image == "raise":
            try:
                return index, self.load_image(index)
            except ImageDecodeError as err:
                raise ImageDecodeError(
                    err.path,
                    f"{err.reason} ({type(self).__name__} sample {index}); replace or remove "
                    "the file, or set the dataset's on_bad_image='skip' to skip unreadable "
                    "images",
                ) from err
        num = len(self)
        for step in range(num):
            candidate = (index + step) % num
            if candidate in self._bad_indices:
                continue
            try:
                return candidate, self.load_image(candidate)
            except OSError as err:
                self._bad_indices.add(candidate)
                logger.warning(
                    "%s: skipping sample %d (%s) because its image cannot be read: %s "
                    "[on_bad_image='skip'; %d skipped so far]",
                    type(self).__name__,
                    candidate,
                    self.image_path(candidate),
                    err,
                    len(self._bad_indices),
                )
        raise RuntimeError(
            f"{type(self).__name__}: none of its {num} images can be read "
            f"({self.num_bad_images} skipped with on_bad_image='skip'); check the image folder"
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(split={self.split!r}, num_samples={len(self)}, "
            f"num_classes={self.num_classes})"
        )


class FileMultiLabelDataset(MultiLabelDataset):
    """A multi-label dataset whose images are files on disk.

    Subclasses fill :attr:`classes`, ``_targets``, optionally ``_difficult``, and call
    :meth:`_set_image_paths` with one path per sample; decoding (torchvision, PIL fallback,
    uint8 RGB (3, H, W)) and the ``on_bad_image`` policy come from here.
    """

    def __init__(
        self,
        pipeline: Sequence[dict | Callable] | None = None,
        split: str = "train",
        on_bad_image: str = "raise",
    ):
        super().__init__(pipeline=pipeline, split=split, on_bad_image=on_bad_image)
        self._paths: np.ndarray = encode_paths([])

    def _set_image_paths(self, paths: Sequence[str | Path]) -> None:
        if len(paths) != self._targets.shape[0]:
            raise ValueError(
                f"{type(self).__name__}: {len(paths)} image paths for "
                f"{self._targets.shape[0]} target rows"
            )
        self._paths = encode_paths([str(p) for p in paths])

    def load_image(self, index: int) -> torch.Tensor:
        """Decode sample ``index`` from its file as a uint8 tensor (3, H, W)."""
        return decode_image_file(self.image_path(index))

    def image_path(self, index: int) -> str:
        """The image file of sample ``index``."""
        return self._paths[index].decode("utf-8")
