"""The contract every mlrkit dataset follows.

A dataset knows its K class names (order = label index), its 0/1 targets for all N samples
without decoding a single image (the label graph is computed from them), and yields one sample
as a dict that mmengine's ``default_collate`` batches::

    {"inputs": uint8 tensor (3, H, W),
     "data_samples": {"gt_label": float32 (K,), "difficult": bool (K,), "index": int,
                      "img_path": str}}

Images are decoded to uint8 CHW tensors, the ``pipeline`` (transforms from the TRANSFORMS
registry, uint8 CHW in and out) runs on them, and normalisation happens on the device in the
model's data preprocessor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = ["MultiLabelDataset", "build_pipeline"]


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
    optionally ``self._difficult`` ((N, K) bool) and implement :meth:`load_image` and
    :meth:`image_path`.

    Args:
        pipeline: transforms applied to the uint8 CHW image tensor, as configs or callables.
        split: name of the split (``"train"``, ``"val"``, ``"test"``, ...), used in cache keys.
    """

    #: Short name used in cache keys and result files; subclasses override.
    dataset_name: str = "multilabel"

    def __init__(self, pipeline: Sequence[dict | Callable] | None = None, split: str = "train"):
        self.split = split
        self.pipeline = build_pipeline(pipeline)
        self.classes: tuple[str, ...] = ()
        self._targets: np.ndarray = np.zeros((0, 0), dtype=np.uint8)
        self._difficult: np.ndarray | None = None

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
        return {"classes": tuple(self.classes), "dataset_name": self.dataset_name,
                "split": self.split}

    @property
    def targets(self) -> np.ndarray:
        """(N, K) uint8 0/1 targets; difficult entries are 0 here (see :attr:`difficult`)."""
        return self._targets

    @property
    def difficult(self) -> np.ndarray:
        """(N, K) bool mask of labels marked difficult (all False where the format has none)."""
        if self._difficult is None:
            return np.zeros(self._targets.shape, dtype=bool)
        return self._difficult

    def cache_key(self) -> str:
        """Identifies this dataset's train targets, for caching label statistics."""
        digest = hashlib.sha1(np.ascontiguousarray(self.targets).tobytes())
        digest.update("\n".join(self.classes).encode())
        return f"{self.dataset_name}-{self.split}-{digest.hexdigest()[:12]}"

    def __len__(self) -> int:
        return int(self._targets.shape[0])

    def __getitem__(self, index: int) -> dict[str, Any]:
        image = self.load_image(index)
        for transform in self.pipeline:
            image = transform(image)
        return {
            "inputs": image,
            "data_samples": {
                "gt_label": torch.from_numpy(self._targets[index].astype(np.float32)),
                "difficult": torch.from_numpy(self.difficult[index].copy()),
                "index": index,
                "img_path": self.image_path(index),
            },
        }

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(split={self.split!r}, num_samples={len(self)}, "
                f"num_classes={self.num_classes})")
