"""Custom data as a list file: one image path and its label names per record (CSV or JSONL)."""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlrkit.datasets._io import decode_image_file, require_dir, require_file
from mlrkit.datasets.base import FileMultiLabelDataset
from mlrkit.registry import DATASETS

__all__ = ["ListMultiLabel"]

CSV_SUFFIXES = (".csv",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
_LABEL_SEPARATORS = re.compile(r"[|;]")


@DATASETS.register_module()
class ListMultiLabel(FileMultiLabelDataset):
    """Images listed with their label names in a CSV or JSON Lines file.

    CSV (``.csv``): a header row naming at least the image column and the labels column;
    labels are separated by ``|`` or ``;`` (an empty cell means no label)::

        image,labels
        img/0001.jpg,dog|person
        img/0002.jpg,traffic light

    JSON Lines (``.jsonl``, ``.ndjson``): one object per line, blank lines ignored::

        {"image": "img/0001.jpg", "labels": ["dog", "person"]}

    Relative image paths are resolved against ``img_root`` (the list file's folder by default).
    By default (``restrict_to_root=True``) every listed image must lie inside ``img_root``: a
    path that climbs out with ``..`` or an absolute path elsewhere is refused when the list is
    read, and an image that is not a regular file (a FIFO, a device) is refused when it is
    loaded. Symbolic links inside the root are followed (a root that links to another disk is
    fine). ``restrict_to_root=False`` accepts any path the process can read.

    Args:
        ann_file: the list file.
        img_root: the folder relative image paths start from; defaults to ``ann_file``'s folder.
        classes: the K label names in label order. An unknown name in the file is then an
            error; without it the classes are all names found in the file, sorted.
        image_key: the CSV column / JSON key of the image path.
        labels_key: the CSV column / JSON key of the labels.
        split: split name used in cache keys and metainfo.
        pipeline: transforms applied to the uint8 (3, H, W) image.
        on_bad_image: ``"raise"`` or ``"skip"`` (see :class:`MultiLabelDataset`).
        restrict_to_root: require regular files inside ``img_root`` (see above); False is the
            explicit opt-out.

    Raises:
        FileNotFoundError: ``ann_file`` or ``img_root`` does not exist.
        ValueError: an unsupported suffix, a malformed record (the message names the file and
            the line), a label name not in ``classes`` (the message lists the known ones), or
            a path outside ``img_root`` under ``restrict_to_root``.
    """

    dataset_name = "list"

    def __init__(
        self,
        ann_file: str | Path,
        img_root: str | Path | None = None,
        classes: Sequence[str] | None = None,
        image_key: str = "image",
        labels_key: str = "labels",
        split: str = "train",
        pipeline: Sequence[dict | Callable] | None = None,
        on_bad_image: str = "raise",
        restrict_to_root: bool = True,
    ):
        super().__init__(pipeline=pipeline, split=split, on_bad_image=on_bad_image)
        if not isinstance(restrict_to_root, bool):
            raise ValueError(
                f"ListMultiLabel: restrict_to_root must be True or False, got {restrict_to_root!r}"
            )
        self.restrict_to_root = restrict_to_root
        self.ann_file = require_file(ann_file, "ListMultiLabel: list file")
        root = self.ann_file.parent if img_root is None else img_root
        self.img_root = require_dir(root, "ListMultiLabel: image root")

        suffix = self.ann_file.suffix.lower()
        if suffix in CSV_SUFFIXES:
            records = _read_csv(self.ann_file, image_key, labels_key)
        elif suffix in JSONL_SUFFIXES:
            records = _read_jsonl(self.ann_file, image_key, labels_key)
        else:
            raise ValueError(
                f"ListMultiLabel: cannot read {str(self.ann_file)!r}: the suffix must be one of "
                f"{CSV_SUFFIXES + JSONL_SUFFIXES}"
            )
        if not records:
            raise ValueError(f"ListMultiLabel: {str(self.ann_file)!r} lists no images")

        if classes is None:
            self.classes = tuple(sorted({name for _, _, names in records for name in names}))
            if not self.classes:
                raise ValueError(
                    f"ListMultiLabel: {str(self.ann_file)!r} names no label at all; pass "
                    "`classes` to use it anyway"
                )
        else:
            self.classes = _check_classes(classes)
        column = {name: k for k, name in enumerate(self.classes)}

        targets = np.zeros((len(records), len(self.classes)), dtype=np.uint8)
        for n, (lineno, _, names) in enumerate(records):
            for name in names:
                if name not in column:
                    raise ValueError(
                        f"ListMultiLabel: {str(self.ann_file)!r} line {lineno}: unknown class "
                        f"{name!r}; the known classes are {list(self.classes)}"
                    )
                targets[n, column[name]] = 1
        self._targets = targets
        if restrict_to_root:
            self._check_inside_root(records)
        self._set_image_paths([str(self.img_root / path) for _, path, _ in records])

    def _check_inside_root(self, records: list[Record]) -> None:
        root = os.path.normpath(os.path.abspath(self.img_root))
        for lineno, path, _ in records:
            full = os.path.normpath(os.path.join(root, path))  # lexical: `..` resolved
            if os.path.commonpath([root, full]) != root:
                raise ValueError(
                    f"ListMultiLabel: {str(self.ann_file)!r} line {lineno}: image {path!r} is "
                    f"outside the image root {str(self.img_root)!r}; list paths inside it, or "
                    "set restrict_to_root=False to load images from anywhere"
                )

    def load_image(self, index: int):
        """Decode sample ``index``; a regular file only, unless ``restrict_to_root=False``."""
        return decode_image_file(self.image_path(index), regular_only=self.restrict_to_root)

    @property
    def metainfo(self) -> dict[str, Any]:
        return {**super().metainfo, "ann_file": str(self.ann_file)}


def _check_classes(classes: Sequence[str]) -> tuple[str, ...]:
    if isinstance(classes, str) or not all(isinstance(c, str) and c for c in classes):
        raise ValueError(f"ListMultiLabel: classes must be a list of names, got {classes!r}")
    if len(set(classes)) != len(classes):
        dup = sorted({c for c in classes if list(classes).count(c) > 1})
        raise ValueError(f"ListMultiLabel: classes are not unique: {dup}")
    if not classes:
        raise ValueError("ListMultiLabel: classes is empty")
    return tuple(classes)


Record = tuple[int, str, list[str]]  # (line number, image path, label names)


def _read_csv(path: Path, image_key: str, labels_key: str) -> list[Record]:
    records = []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        for key in (image_key, labels_key):
            if key not in header:
                raise ValueError(
                    f"ListMultiLabel: {str(path)!r} line 1: the header has no {key!r} column "
                    f"(columns: {header}); set image_key / labels_key to the right names"
                )
        try:
            for row in reader:
                lineno = reader.line_num
                if None in row or any(row[k] is None for k in (image_key, labels_key)):
                    raise ValueError(
                        f"ListMultiLabel: {str(path)!r} line {lineno}: expected {len(header)} "
                        f"fields as in the header, got a different number"
                    )
                image = row[image_key].strip()
                if not image:
                    raise ValueError(f"ListMultiLabel: {str(path)!r} line {lineno}: empty path")
                names = [s.strip() for s in _LABEL_SEPARATORS.split(row[labels_key])]
                records.append((lineno, image, [s for s in names if s]))
        except csv.Error as err:
            raise ValueError(
                f"ListMultiLabel: malformed CSV in {str(path)!r} line {reader.line_num}: {err}"
            ) from None
    return records


def _read_jsonl(path: Path, image_key: str, labels_key: str) -> list[Record]:
    records = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"ListMultiLabel: {str(path)!r} line {lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(
                    f"{where}: malformed JSON ({err.msg} at column {err.colno})"
                ) from None
            except RecursionError:
                raise ValueError(f"{where}: JSON nested too deeply to parse") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{where}: expected a JSON object, got {type(obj).__name__}")
            image, names = obj.get(image_key), obj.get(labels_key)
            if not isinstance(image, str) or not image:
                raise ValueError(f"{where}: {image_key!r} must be a non-empty path string")
            if not isinstance(names, list) or not all(isinstance(s, str) for s in names):
                raise ValueError(f"{where}: {labels_key!r} must be a list of label names")
            records.append((lineno, image, [s.strip() for s in names if s.strip()]))
    return records
