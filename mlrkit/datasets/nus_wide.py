"""NUS-WIDE (81 concepts) as a multi-label dataset, from the official release or ASL's CSV."""

from __future__ import annotations

import ast
import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlrkit.datasets._io import require_dir, require_file
from mlrkit.datasets.base import FileMultiLabelDataset
from mlrkit.datasets.hold_out import HOLD_OUT_SALT, hold_out_positions
from mlrkit.registry import DATASETS

__all__ = ["NUSWideMultiLabel", "NUS_WIDE_CLASSES"]

#: The 81 concepts in the order of the release's ``Concepts81.txt`` (alphabetical), which is
#: also the order ASL / ML-Decoder get by sorting the names found in their CSV.
NUS_WIDE_CLASSES = (
    "airport", "animal", "beach", "bear", "birds", "boats", "book", "bridge", "buildings",
    "cars", "castle", "cat", "cityscape", "clouds", "computer", "coral", "cow", "dancing",
    "dog", "earthquake", "elk", "fire", "fish", "flags", "flowers", "food", "fox", "frost",
    "garden", "glacier", "grass", "harbor", "horses", "house", "lake", "leaf", "map",
    "military", "moon", "mountain", "nighttime", "ocean", "person", "plane", "plants",
    "police", "protest", "railroad", "rainbow", "reflection", "road", "rocks", "running",
    "sand", "sign", "sky", "snow", "soccer", "sports", "statue", "street", "sun", "sunset",
    "surf", "swimmers", "tattoo", "temple", "tiger", "tower", "town", "toy", "train", "tree",
    "valley", "vehicle", "water", "waterfall", "wedding", "whales", "window", "zebra",
)  # fmt: skip

SOURCES = ("official", "csv")
_OFFICIAL_SPLITS = {"train": "Train", "test": "Test"}


@DATASETS.register_module()
class NUSWideMultiLabel(FileMultiLabelDataset):
    """NUS-WIDE's 81 concepts, read from either of the two formats in use.

    - ``source="official"``: the release's own files under ``root``:
      ``ImageList/{Train,Test}Imagelist.txt`` (one image per line, a Windows-style path such as
      ``actor\\0001_2124494179.jpg`` relative to the ``Flickr`` image folder; a leading
      ``...\\Flickr\\`` is stripped) and ``Groundtruth/TrainTestLabels/Labels_<concept>_
      {Train,Test}.txt`` (one ``0`` or ``1`` per line, aligned with the image list). Splits
      ``"train"`` (161,789 images) and ``"test"`` (107,859). Class order: ``Concepts81.txt``
      when present under ``root``, else :data:`NUS_WIDE_CLASSES` (the same list).
    - ``source="csv"``: the ``nus_wid_data.csv`` split used by ASL and ML-Decoder (the
      images still online in 2020): a header, then one row per image with the columns
      ``filename`` (relative to ``img_dir``), ``label`` (a Python list literal such as
      ``"['clouds', 'sky']"``) and ``split`` (``train`` or ``val``); an unnamed index column in
      front is allowed. Splits ``"train"`` and ``"val"``. Class order: :data:`NUS_WIDE_CLASSES`
      (equal to ASL's sorted order).

    Every label is positive or negative (NUS-WIDE has no difficult or unknown labels); images
    without any concept are kept (about a fifth of the official lists) unless ``drop_empty``.

    Neither source has a model-selection split: ``hold_out_size`` holds out that many images of
    the split (of those kept) by a hash of their path relative to the image folder
    (:mod:`mlrkit.datasets.hold_out`), the same images on every machine; ``hold_out_part``
    picks the rest (train) or the held-out images (val).

    Args:
        root: the release folder (official) or the folder of the CSV (csv).
        split: ``"train"`` / ``"test"`` (official) or ``"train"`` / ``"val"`` (csv).
        source: ``"official"`` or ``"csv"``.
        csv_file: the CSV (csv source); default ``root/nus_wid_data.csv``.
        img_dir: the image folder; default ``root/Flickr`` (official) or ``root/images`` (csv).
        drop_empty: drop images without a positive concept.
        pipeline: transforms applied to the uint8 (3, H, W) image.
        on_bad_image: ``"raise"`` or ``"skip"``.
        hold_out_size: how many images to hold out (see above); 0 (default) keeps them all.
        hold_out_part: ``"rest"`` (the train split) or ``"held_out"`` (the val split).
            Ignored when ``hold_out_size`` is 0.
        hold_out_salt: the salt of the hash; change it for another, equally fixed, hold-out.

    Raises:
        FileNotFoundError: a file or folder is missing (named).
        ValueError: a malformed line (file and line named), files of different lengths, an
            unknown concept or split name, a hold-out option out of range.
    """

    dataset_name = "nuswide"

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        source: str = "official",
        csv_file: str | Path | None = None,
        img_dir: str | Path | None = None,
        drop_empty: bool = False,
        pipeline: Sequence[dict | Callable] | None = None,
        on_bad_image: str = "raise",
        hold_out_size: int = 0,
        hold_out_part: str = "rest",
        hold_out_salt: str = HOLD_OUT_SALT,
    ):
        super().__init__(pipeline=pipeline, split=split, on_bad_image=on_bad_image)
        if source not in SOURCES:
            raise ValueError(f"NUSWideMultiLabel: source must be one of {SOURCES}, got {source!r}")
        splits = tuple(_OFFICIAL_SPLITS) if source == "official" else ("train", "val")
        if split not in splits:
            raise ValueError(
                f"NUSWideMultiLabel: split must be one of {splits} with source={source!r}, "
                f"got {split!r}"
            )
        self.root = require_dir(root, "NUSWideMultiLabel: root folder")
        self.source = source
        default_dir = "Flickr" if source == "official" else "images"
        self.img_dir = require_dir(
            img_dir if img_dir is not None else self.root / default_dir,
            "NUSWideMultiLabel: image folder",
        )
        if source == "official":
            self.classes = _read_concepts(self.root / "Concepts81.txt")
            files, targets = _read_official(self.root, _OFFICIAL_SPLITS[split], self.classes)
        else:
            self.classes = NUS_WIDE_CLASSES
            path = Path(csv_file) if csv_file is not None else self.root / "nus_wid_data.csv"
            files, targets = _read_asl_csv(require_file(path, "NUSWideMultiLabel: CSV"), split)
        keep = np.flatnonzero(targets.any(axis=1)) if drop_empty else np.arange(len(files))
        part = hold_out_positions(
            [files[n] for n in keep],
            int(hold_out_size),
            hold_out_part,
            hold_out_salt,
            "NUSWideMultiLabel",
        )
        keep = keep[np.asarray(part, dtype=np.int64)]
        self.hold_out_size = int(hold_out_size)
        self.hold_out_part = hold_out_part
        self._targets = np.ascontiguousarray(targets[keep])
        self.files = tuple(files[n] for n in keep)
        self._set_image_paths([str(self.img_dir / f) for f in self.files])

    @property
    def metainfo(self) -> dict[str, Any]:
        return {
            **super().metainfo,
            "source": self.source,
            "hold_out": (self.hold_out_size, self.hold_out_part) if self.hold_out_size else None,
        }


def _read_lines(path: Path) -> list[tuple[int, str]]:
    """Non-empty lines of a text file as (line number, stripped text)."""
    with open(path, encoding="utf-8") as f:
        return [(n, line.strip()) for n, line in enumerate(f, 1) if line.strip()]


def _read_concepts(path: Path) -> tuple[str, ...]:
    """The concept names of ``Concepts81.txt``, or the default list when there is none."""
    if not path.is_file():
        return NUS_WIDE_CLASSES
    names = tuple(text for _, text in _read_lines(path))
    if len(names) != 81 or len(set(names)) != 81:
        raise ValueError(f"{str(path)!r} must list 81 distinct concepts, found {len(set(names))}")
    return names


def _image_file(entry: str) -> str:
    """An image list entry as a path relative to the Flickr folder, with forward slashes."""
    entry = entry.replace("\\", "/")
    marker = entry.lower().rfind("flickr/")
    return entry[marker + len("flickr/") :] if marker >= 0 else entry.lstrip("/")


def _read_official(root: Path, tag: str, classes: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """Image files (N,) and targets (N, 81) of the ``Train`` or ``Test`` lists."""
    list_file = require_file(
        root / "ImageList" / f"{tag}Imagelist.txt", "NUSWideMultiLabel: image list"
    )
    files = [_image_file(text) for _, text in _read_lines(list_file)]
    if not files:
        raise ValueError(f"{str(list_file)!r} lists no images")
    labels_dir = root / "Groundtruth" / "TrainTestLabels"
    targets = np.zeros((len(files), len(classes)), dtype=np.uint8)
    for k, name in enumerate(classes):
        path = require_file(
            labels_dir / f"Labels_{name}_{tag}.txt", "NUSWideMultiLabel: concept label file"
        )
        lines = _read_lines(path)
        for lineno, text in lines:
            if text not in ("0", "1"):
                raise ValueError(f"{str(path)!r} line {lineno}: expected 0 or 1, got {text!r}")
        if len(lines) != len(files):
            raise ValueError(
                f"{str(path)!r} has {len(lines)} labels but {str(list_file)!r} lists "
                f"{len(files)} images; they must be aligned line by line"
            )
        targets[:, k] = [text == "1" for _, text in lines]
    return files, targets


def _read_asl_csv(path: Path, split: str) -> tuple[list[str], np.ndarray]:
    """Image files (N,) and targets (N, 81) of one split of ASL's ``nus_wid_data.csv``."""
    column = {name: k for k, name in enumerate(NUS_WIDE_CLASSES)}
    files: list[str] = []
    rows: list[list[int]] = []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{str(path)!r} is empty; expected a 'filename,label,split' header")
        names = [h.strip() for h in header]
        offset = 1 if names and names[0] in ("", "Unnamed: 0") else 0
        if [n.lower() for n in names[offset : offset + 3]] != ["filename", "label", "split"]:
            raise ValueError(
                f"{str(path)!r} line 1: expected the header 'filename,label,split' (ASL's "
                f"nus_wid_data.csv), got {','.join(header)!r}"
            )
        for fields in reader:
            lineno = reader.line_num
            if not fields:
                continue
            if len(fields) != offset + 3:
                raise ValueError(
                    f"{str(path)!r} line {lineno}: expected {offset + 3} fields, got "
                    f"{len(fields)}: {','.join(fields)!r}"
                )
            filename, label, row_split = (x.strip() for x in fields[offset : offset + 3])
            if row_split not in ("train", "val"):
                raise ValueError(
                    f"{str(path)!r} line {lineno}: split must be 'train' or 'val', got "
                    f"{row_split!r}"
                )
            try:
                concepts = ast.literal_eval(label) if label else []
            except (ValueError, SyntaxError):
                concepts = None
            if not isinstance(concepts, list) or not all(isinstance(c, str) for c in concepts):
                raise ValueError(
                    f"{str(path)!r} line {lineno}: label must be a list of concept names such "
                    f"as \"['clouds', 'sky']\", got {label!r}"
                )
            unknown = [c for c in concepts if c not in column]
            if unknown:
                raise ValueError(
                    f"{str(path)!r} line {lineno}: {unknown[0]!r} is not one of the 81 NUS-WIDE "
                    "concepts"
                )
            if row_split == split:
                files.append(filename)
                rows.append([column[c] for c in concepts])
    targets = np.zeros((len(files), len(NUS_WIDE_CLASSES)), dtype=np.uint8)
    for n, cols in enumerate(rows):
        targets[n, cols] = 1
    if not files:
        raise ValueError(f"{str(path)!r} has no image of split {split!r}")
    return files, targets
