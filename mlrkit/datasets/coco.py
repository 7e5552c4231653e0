"""MS-COCO as a multi-label dataset: an ``instances_*.json`` file plus its image folder.

A deterministic hold-out (``hold_out_size``, ``hold_out_part``) splits one annotation file in
two disjoint parts without any list file: the ``hold_out_size`` images whose
``sha1("<salt>:<image id>")`` is smallest are held out (the model-selection split) and the rest
train. The choice depends only on the image ids, so it is the same on every machine, in every
process and for every class order; COCO 2014 (held out of train2014, val2014 the test split)
and COCO 2017 get it the same way.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlrkit.datasets._io import read_json, require_dir, require_file
from mlrkit.datasets.base import FileMultiLabelDataset
from mlrkit.datasets.hold_out import (
    HOLD_OUT_PARTS,
    HOLD_OUT_SALT,
    hold_out_ids,
    hold_out_positions,
)
from mlrkit.registry import DATASETS

__all__ = ["CocoMultiLabel", "hold_out_ids"]

CLASS_ORDERS = ("alphabetical", "category_id")


@DATASETS.register_module()
class CocoMultiLabel(FileMultiLabelDataset):
    """COCO instances annotations turned into image-level multi-label targets.

    An image is positive for a category when it has at least one annotation of it (crowd
    annotations included, as ML-GCN counts them). Category ids need not be contiguous
    (COCO's 80 run from 1 to 90); class names are kept as written in the file
    (``"traffic light"``). Images come in the order of the file's ``images`` list.

    Args:
        ann_file: an ``instances_<split>.json`` file (COCO detection format).
        img_dir: the folder holding the images; ``file_name`` entries are relative to it.
        split: split name used in cache keys and metainfo (``"train"``, ``"val"``).
        class_order: ``"alphabetical"`` (label order sorted by name, ML-GCN's) or
            ``"category_id"`` (sorted by the file's category ids).
        drop_empty: drop images without any annotation (ML-GCN drops them); keep them with an
            all-zero target otherwise.
        pipeline: transforms applied to the uint8 (3, H, W) image.
        on_bad_image: ``"raise"`` or ``"skip"`` (see :class:`MultiLabelDataset`).
        hold_out_size: how many images (of those kept) to hold out by a hash of their id
            (module docstring); 0 keeps every image.
        hold_out_part: ``"rest"`` (every image but the held-out ones: the train split) or
            ``"held_out"`` (only them: the val split). Ignored when ``hold_out_size`` is 0.
        hold_out_salt: the salt of the hash; change it for another, equally fixed, hold-out.

    Raises:
        FileNotFoundError: ``ann_file`` or ``img_dir`` does not exist.
        ValueError: the JSON is malformed or misses a required field (the message names the
            file and the entry), or an annotation refers to an unknown image or category.
    """

    dataset_name = "coco"

    def __init__(
        self,
        ann_file: str | Path,
        img_dir: str | Path,
        split: str = "train",
        class_order: str = "alphabetical",
        drop_empty: bool = True,
        pipeline: Sequence[dict | Callable] | None = None,
        on_bad_image: str = "raise",
        hold_out_size: int = 0,
        hold_out_part: str = "rest",
        hold_out_salt: str = HOLD_OUT_SALT,
    ):
        super().__init__(pipeline=pipeline, split=split, on_bad_image=on_bad_image)
        if hold_out_part not in HOLD_OUT_PARTS:
            raise ValueError(
                f"{type(self).__name__}: hold_out_part must be one of {HOLD_OUT_PARTS}, "
                f"got {hold_out_part!r}"
            )
        if class_order not in CLASS_ORDERS:
            raise ValueError(
                f"CocoMultiLabel: class_order must be one of {CLASS_ORDERS}, got {class_order!r}"
            )
        self.ann_file = require_file(ann_file, "CocoMultiLabel: annotation file")
        self.img_dir = require_dir(img_dir, "CocoMultiLabel: image folder")
        self.class_order = class_order
        self.drop_empty = drop_empty

        coco = _load_coco(self.ann_file)
        categories = coco.loadCats(coco.getCatIds())
        if class_order == "alphabetical":
            categories = sorted(categories, key=lambda c: c["name"])
        else:
            categories = sorted(categories, key=lambda c: c["id"])
        self.classes = tuple(c["name"] for c in categories)
        self.cat_ids = tuple(c["id"] for c in categories)
        column = {cat_id: k for k, cat_id in enumerate(self.cat_ids)}

        img_ids = [img["id"] for img in coco.dataset["images"]]
        row = {img_id: n for n, img_id in enumerate(img_ids)}
        anns = coco.dataset["annotations"]
        rows = np.fromiter((row[a["image_id"]] for a in anns), dtype=np.int64, count=len(anns))
        cols = np.fromiter((column[a["category_id"]] for a in anns), np.int64, count=len(anns))
        targets = np.zeros((len(img_ids), len(self.classes)), dtype=np.uint8)
        targets[rows, cols] = 1
        keep = np.flatnonzero(targets.any(axis=1)) if drop_empty else np.arange(len(img_ids))
        if keep.size == 0:
            reason = (
                "its 'images' list is empty"
                if not img_ids
                else f"none of its {len(img_ids)} images has an annotation (drop_empty=True)"
            )
            raise ValueError(
                f"CocoMultiLabel: COCO annotation file {str(self.ann_file)!r} gives no sample: "
                f"{reason}; check that it is the right instances_*.json"
            )
        self.hold_out_size = int(hold_out_size)
        self.hold_out_part = hold_out_part
        kept_ids = [img_ids[n] for n in keep]
        part = hold_out_positions(
            kept_ids, self.hold_out_size, hold_out_part, hold_out_salt, type(self).__name__
        )
        keep = keep[np.asarray(part, dtype=np.int64)]
        self._targets = np.ascontiguousarray(targets[keep])
        self.img_ids = tuple(img_ids[n] for n in keep)
        files = [coco.imgs[img_id]["file_name"] for img_id in self.img_ids]
        self._set_image_paths([str(self.img_dir / f) for f in files])

    @property
    def metainfo(self) -> dict[str, Any]:
        return {
            **super().metainfo,
            "class_order": self.class_order,
            "cat_ids": self.cat_ids,
            "hold_out": (self.hold_out_size, self.hold_out_part) if self.hold_out_size else None,
        }


def _load_coco(ann_file: Path):
    """Parse and check an instances file, then index it with pycocotools (its prints silenced).

    Returns:
        a ``pycocotools.coco.COCO`` object.
    """
    from pycocotools.coco import COCO

    data = read_json(ann_file)
    where = f"COCO annotation file {str(ann_file)!r}"
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object at the top, got {type(data).__name__}")
    required = {
        "images": ("id", "file_name"),
        "annotations": ("image_id", "category_id"),
        "categories": ("id", "name"),
    }
    for key, fields in required.items():
        entries = data.get(key)
        if not isinstance(entries, list):
            raise ValueError(f"{where}: missing the {key!r} list (an instances_*.json has one)")
        for i, entry in enumerate(entries):
            missing = [f for f in fields if not isinstance(entry, dict) or f not in entry]
            if missing:
                raise ValueError(f"{where}: {key}[{i}] has no {missing[0]!r} field")
    if not data["categories"]:
        raise ValueError(f"{where}: the 'categories' list is empty")

    names = [c["name"] for c in data["categories"]]
    cat_ids = {c["id"] for c in data["categories"]}
    img_ids = {img["id"] for img in data["images"]}
    if len(cat_ids) != len(names) or len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"{where}: category ids or names are not unique (names: {dup})")
    if len(img_ids) != len(data["images"]):
        raise ValueError(f"{where}: image ids are not unique")
    for i, ann in enumerate(data["annotations"]):
        if ann["image_id"] not in img_ids:
            raise ValueError(f"{where}: annotations[{i}] refers to unknown image {ann['image_id']}")
        if ann["category_id"] not in cat_ids:
            raise ValueError(
                f"{where}: annotations[{i}] refers to unknown category {ann['category_id']} "
                f"(known ids: {sorted(cat_ids)})"
            )

    coco = COCO()
    coco.dataset = data
    with contextlib.redirect_stdout(io.StringIO()):  # "creating index... index created!"
        coco.createIndex()
    return coco
