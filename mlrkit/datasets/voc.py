"""PASCAL VOC (2007 layout) as a multi-label dataset, with its "difficult" labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlrkit.datasets._io import require_dir, require_file
from mlrkit.datasets.base import FileMultiLabelDataset
from mlrkit.datasets.hold_out import HOLD_OUT_SALT, hold_out_positions
from mlrkit.registry import DATASETS

__all__ = ["VOCMultiLabel", "VOC_CLASSES"]

#: The 20 VOC classes in the standard order (the devkit's, ML-GCN's), names as in the files.
VOC_CLASSES = (
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor",
)  # fmt: skip

SOURCES = ("imagesets", "xml")


@DATASETS.register_module()
class VOCMultiLabel(FileMultiLabelDataset):
    """PASCAL VOC classification targets, difficult labels carried through as a mask.

    A label is one of positive (target 1), negative (target 0) or difficult (target 0 and
    ``difficult`` True; the metrics ignore it by default). Two sources give the same result
    on the official data:

    - ``"imagesets"``: ``ImageSets/Main/<class>_<split>.txt``, one ``<image id> <label>`` per
      line with label 1 (positive), -1 (negative) or 0 (difficult), as ML-GCN reads them;
    - ``"xml"``: the ``<object>`` entries of ``Annotations/<id>.xml`` for the ids listed in
      ``ImageSets/Main/<split>.txt``: a class with a non-difficult object is positive, a class
      whose objects are all ``difficult=1`` is difficult, any other class negative.

    Args:
        root: the VOC2007 folder (holding ``Annotations/``, ``ImageSets/Main/``,
            ``JPEGImages/``).
        split: ``"trainval"``, ``"test"``, ``"train"``, ``"val"``: any ``<split>`` the
            ImageSets files exist for.
        source: ``"imagesets"`` or ``"xml"``, see above.
        pipeline: transforms applied to the uint8 (3, H, W) image.
        on_bad_image: ``"raise"`` or ``"skip"`` (see :class:`MultiLabelDataset`).
        hold_out_size: how many images of the split to hold out by a hash of their id
            (:mod:`mlrkit.datasets.hold_out`); 0 (default) keeps every image. VOC2012, whose
            test labels are not public, selects the checkpoint on such a hold-out of ``train``.
        hold_out_part: ``"rest"`` (every image but the held-out ones: the train split) or
            ``"held_out"`` (only them: the val split). Ignored when ``hold_out_size`` is 0.
        hold_out_salt: the salt of the hash; change it for another, equally fixed, hold-out.

    Raises:
        FileNotFoundError: a folder or an ImageSets / XML file is missing (named).
        ValueError: a malformed line or XML file (the message names the file and the line),
            an object of a class outside the 20, or a hold-out option out of range.
    """

    dataset_name = "voc"
    has_difficult_labels = True

    def __init__(
        self,
        root: str | Path,
        split: str = "trainval",
        source: str = "imagesets",
        pipeline: Sequence[dict | Callable] | None = None,
        on_bad_image: str = "raise",
        hold_out_size: int = 0,
        hold_out_part: str = "rest",
        hold_out_salt: str = HOLD_OUT_SALT,
    ):
        super().__init__(pipeline=pipeline, split=split, on_bad_image=on_bad_image)
        if source not in SOURCES:
            raise ValueError(f"VOCMultiLabel: source must be one of {SOURCES}, got {source!r}")
        self.root = _require_voc_root(root)
        self.source = source
        self.classes = VOC_CLASSES
        main = self.root / "ImageSets" / "Main"
        img_dir = require_dir(self.root / "JPEGImages", "VOCMultiLabel: image folder")

        if source == "imagesets":
            ids, labels = _labels_from_imagesets(main, split)
        else:
            ids = _read_id_list(main / f"{split}.txt")
            labels = _labels_from_xml(self.root / "Annotations", ids)
        keep = hold_out_positions(
            ids, int(hold_out_size), hold_out_part, hold_out_salt, type(self).__name__
        )
        ids, labels = [ids[n] for n in keep], labels[np.asarray(keep, dtype=np.int64)]
        self.hold_out_size = int(hold_out_size)
        self.hold_out_part = hold_out_part
        self.img_ids = tuple(ids)
        self._targets = (labels == 1).astype(np.uint8)  # (N, K)
        self._difficult = labels == 0  # (N, K)
        self._set_image_paths([str(img_dir / f"{i}.jpg") for i in ids])

    @property
    def metainfo(self) -> dict[str, Any]:
        return {
            **super().metainfo,
            "source": self.source,
            "hold_out": (self.hold_out_size, self.hold_out_part) if self.hold_out_size else None,
        }


def _require_voc_root(root: str | Path) -> Path:
    root = require_dir(root, "VOCMultiLabel: root folder")
    if not (root / "ImageSets" / "Main").is_dir():
        hint = ""
        for child in ("VOC2007", "VOCdevkit/VOC2007", "VOC2012", "VOCdevkit/VOC2012"):
            if (root / child / "ImageSets" / "Main").is_dir():
                hint = f"; did you mean root={str(root / child)!r}?"
        raise FileNotFoundError(
            f"VOCMultiLabel: {str(root / 'ImageSets' / 'Main')!r} does not exist; root must be "
            f"the VOC20xx folder holding Annotations/, ImageSets/Main/ and JPEGImages/{hint}"
        )
    return root


def _read_id_list(path: Path) -> list[str]:
    """Image ids of ``ImageSets/Main/<split>.txt``, one per line."""
    path = require_file(path, "VOCMultiLabel: image list")
    ids = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 1:
                raise ValueError(
                    f"{str(path)!r} line {lineno}: expected one image id, got {line.strip()!r}"
                )
            ids.append(fields[0])
    if not ids:
        raise ValueError(f"{str(path)!r} lists no images")
    return ids


def _read_class_file(path: Path) -> dict[str, int]:
    """``<image id> <label>`` lines of one ``<class>_<split>.txt`` as {id: label in -1/0/1}."""
    path = require_file(path, "VOCMultiLabel: ImageSets class file")
    out: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or fields[1] not in ("1", "-1", "0"):
                raise ValueError(
                    f"{str(path)!r} line {lineno}: expected '<image id> <1|-1|0>', "
                    f"got {line.strip()!r}"
                )
            if fields[0] in out:
                raise ValueError(f"{str(path)!r} line {lineno}: image {fields[0]} listed twice")
            out[fields[0]] = int(fields[1])
    return out


def _labels_from_imagesets(main: Path, split: str) -> tuple[list[str], np.ndarray]:
    """Returns image ids (N,) and labels (N, K) int8 in {-1, 0, 1}."""
    per_class = [_read_class_file(main / f"{name}_{split}.txt") for name in VOC_CLASSES]
    list_file = main / f"{split}.txt"
    ids = _read_id_list(list_file) if list_file.is_file() else list(per_class[0])
    labels = np.empty((len(ids), len(VOC_CLASSES)), dtype=np.int8)
    for k, (name, table) in enumerate(zip(VOC_CLASSES, per_class)):
        missing = [i for i in ids if i not in table]
        if missing or len(table) != len(ids):
            extra = sorted(set(table) - set(ids))
            raise ValueError(
                f"{str(main / f'{name}_{split}.txt')!r} does not list the same images as the "
                f"other files of split {split!r} (missing: {missing[:5]}, extra: {extra[:5]})"
            )
        labels[:, k] = [table[i] for i in ids]
    return ids, labels


def _labels_from_xml(ann_dir: Path, ids: list[str]) -> np.ndarray:
    """Labels (N, K) int8 in {-1, 0, 1} from the objects of ``Annotations/<id>.xml``."""
    ann_dir = require_dir(ann_dir, "VOCMultiLabel: annotation folder")
    column = {name: k for k, name in enumerate(VOC_CLASSES)}
    labels = np.full((len(ids), len(VOC_CLASSES)), -1, dtype=np.int8)
    for n, img_id in enumerate(ids):
        path = require_file(ann_dir / f"{img_id}.xml", "VOCMultiLabel: annotation")
        try:
            tree = ET.parse(path)
        except ET.ParseError as err:
            line, col = err.position
            raise ValueError(
                f"malformed XML in {str(path)!r} at line {line}, column {col}: {err}"
            ) from None
        for i, obj in enumerate(tree.getroot().iter("object")):
            name = (obj.findtext("name") or "").strip()
            if name not in column:
                raise ValueError(
                    f"{str(path)!r}: object {i} has class {name!r}, not one of the 20 VOC "
                    f"classes {VOC_CLASSES}"
                )
            flag = (obj.findtext("difficult") or "0").strip()
            if flag not in ("0", "1"):
                raise ValueError(f"{str(path)!r}: object {i} has difficult={flag!r}, not 0 or 1")
            k = column[name]
            if flag == "0":
                labels[n, k] = 1
            elif labels[n, k] == -1:
                labels[n, k] = 0
    return labels
