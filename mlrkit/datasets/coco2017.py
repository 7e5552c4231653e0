"""MS-COCO 2017 as a multi-label dataset: the COCO loader on the 2017 file layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlrkit.datasets._io import require_dir
from mlrkit.datasets.coco import CocoMultiLabel
from mlrkit.registry import DATASETS

__all__ = ["Coco2017MultiLabel"]

SPLITS_2017 = ("train", "val")


@DATASETS.register_module()
class Coco2017MultiLabel(CocoMultiLabel):
    """COCO 2017 (``instances_{train,val}2017.json``) with COCO 2014's class conventions.

    The 2017 release re-splits the 2014 images (train2017 = 118,287 images, val2017 = 5,000;
    test2017 has no public labels) but keeps the 80 categories and their ids, so everything is
    :class:`~mlrkit.datasets.coco.CocoMultiLabel`'s: label order ``"alphabetical"`` (ML-GCN's)
    or ``"category_id"``, an image is positive for a category with at least one annotation of
    it (crowd included), images without annotation are dropped by default. This class only
    finds the files of the official layout::

        root/annotations/instances_train2017.json   root/train2017/000000000009.jpg ...
        root/annotations/instances_val2017.json     root/val2017/000000000139.jpg ...

    Args:
        root: the COCO folder holding ``annotations/``, ``train2017/`` and ``val2017/``.
        split: ``"train"`` or ``"val"``.
        **kwargs: any other argument of :class:`CocoMultiLabel` (``class_order``,
            ``drop_empty``, ``pipeline``, ``on_bad_image``, ...).

    Raises:
        ValueError: ``split`` is not ``"train"`` or ``"val"``.
        FileNotFoundError: the annotation file or image folder is missing (named).
    """

    dataset_name = "coco2017"

    def __init__(self, root: str | Path, split: str = "train", **kwargs: Any):
        if split not in SPLITS_2017:
            raise ValueError(
                f"Coco2017MultiLabel: split must be one of {SPLITS_2017}, got {split!r} "
                "(test2017 has no public labels)"
            )
        root = require_dir(root, "Coco2017MultiLabel: root folder")
        super().__init__(
            ann_file=root / "annotations" / f"instances_{split}2017.json",
            img_dir=root / f"{split}2017",
            split=split,
            **kwargs,
        )
        self.root = root
