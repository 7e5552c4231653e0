"""Open Images V6 / V7 image-level labels as a partially labelled multi-label dataset."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlrkit.datasets._io import require_dir, require_file
from mlrkit.datasets.base import FileMultiLabelDataset
from mlrkit.registry import DATASETS

__all__ = ["OpenImagesMultiLabel", "read_image_labels"]

logger = logging.getLogger(__name__)

_COLUMNS = ("ImageID", "Source", "LabelName", "Confidence")


@DATASETS.register_module()
class OpenImagesMultiLabel(FileMultiLabelDataset):
    """Open Images human-verified image-level labels: positive, negative, and unknown.

    Reads the official files as published, with no conversion:

    - ``labels_csv``: ``*-annotations-human-imagelabels*.csv`` (V6:
      ``train-annotations-human-imagelabels-boxable.csv``, ``validation-...``, ``test-...``;
      V7: ``oidv7-train-annotations-human-imagelabels.csv``, ...): header
      ``ImageID,Source,LabelName,Confidence``, one row per verified (image, class) with
      ``Confidence`` 1 (verified present) or 0 (verified absent).
    - ``classes_csv``: the class descriptions, ``LabelName,DisplayName`` rows (V6's
      ``class-descriptions-boxable.csv`` has no header, V7's ``oidv7-class-descriptions.csv``
      has one; both are read). The label order is the file's row order; class names are the
      display names (MIDs in :attr:`label_names`).
    - ``trainable_file`` (optional): a list of MIDs, one per line (V7's
      ``oidv7-classes-trainable.txt``), restricting the classes to those, in the file's order.

    Label states: a row with Confidence 1 makes the entry **positive**, Confidence 0
    **negative**; every (image, class) pair without a row is **unknown** (masked out of the
    loss and the metrics). When one pair has rows with both values (two verification
    sources disagree), it is positive. Rows of classes outside the class list are skipped
    (their number is logged). The images are those with at least one row of a kept class,
    in order of first appearance, read from ``img_dir/<ImageID>.jpg``. The splits are the
    files: ``train``, ``validation`` and ``test`` each have their own CSV.

    Targets are dense (N, K): memory is about 2 N K bytes (the V6 boxable training set,
    1.74 M images x 601 classes, needs 2.1 GB); restrict the classes for larger label sets.

    Parsing uses pyarrow's multi-threaded CSV reader (the ``openimages`` extra): a few
    seconds for millions of rows (``benchmarks/bench_data.py``).

    Args:
        labels_csv: the image-level labels CSV.
        classes_csv: the class descriptions CSV.
        img_dir: the folder with ``<ImageID>.jpg``.
        split: split name for cache keys and metainfo (``"train"``, ``"validation"``, ...).
        trainable_file: optional list of MIDs to keep.
        pipeline: transforms applied to the uint8 (3, H, W) image.
        on_bad_image: ``"raise"`` or ``"skip"``.

    Raises:
        FileNotFoundError: a file or folder is missing (named).
        ValueError: a malformed CSV: wrong header or number of fields, a Confidence other than
            0 or 1, an empty field (the message names the file and the line).
    """

    dataset_name = "openimages"

    def __init__(
        self,
        labels_csv: str | Path,
        classes_csv: str | Path,
        img_dir: str | Path,
        split: str = "train",
        trainable_file: str | Path | None = None,
        pipeline: Sequence[dict | Callable] | None = None,
        on_bad_image: str = "raise",
    ):
        super().__init__(pipeline=pipeline, split=split, on_bad_image=on_bad_image)
        self.labels_csv = require_file(labels_csv, "OpenImagesMultiLabel: labels CSV")
        self.classes_csv = require_file(classes_csv, "OpenImagesMultiLabel: class descriptions")
        self.img_dir = require_dir(img_dir, "OpenImagesMultiLabel: image folder")
        mids, names = _read_class_descriptions(self.classes_csv)
        if trainable_file is not None:
            mids, names = _restrict(mids, names, Path(trainable_file))
        self.label_names = tuple(mids)
        self.classes = tuple(names)

        image_ids, label_ids, confidence = read_image_labels(self.labels_csv)
        column = {mid: k for k, mid in enumerate(mids)}
        cols = np.array([column.get(mid, -1) for mid in label_ids.tolist()], dtype=np.int64)
        kept = cols >= 0
        if not kept.all():
            logger.info(
                "OpenImagesMultiLabel: %d rows of %s name classes outside the %d kept; skipped",
                int((~kept).sum()),
                self.labels_csv,
                len(mids),
            )
        ids, rows = _first_appearance(image_ids[kept])
        cols, confidence = cols[kept], confidence[kept]
        targets = np.zeros((len(ids), len(mids)), dtype=np.uint8)
        known = np.zeros((len(ids), len(mids)), dtype=bool)
        known[rows, cols] = True
        positive = confidence == 1
        targets[rows[positive], cols[positive]] = 1  # positive wins a disagreement
        self._targets = targets
        self._unknown = ~known
        self.img_ids = tuple(ids)
        self._set_image_paths([str(self.img_dir / f"{i}.jpg") for i in ids])

    @property
    def metainfo(self) -> dict[str, Any]:
        return {**super().metainfo, "label_names": self.label_names}


def _pyarrow_csv():
    try:
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "OpenImagesMultiLabel reads its CSV files with pyarrow; install it with "
            "pip install 'mlrkit[openimages]'"
        ) from None
    return pacsv


def read_image_labels(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse an ``*-annotations-human-imagelabels*.csv`` file with pyarrow.

    Returns:
        ImageID (R,) and LabelName (R,) as numpy object arrays of str, Confidence (R,) uint8.

    Raises:
        ValueError: naming the file and the first bad line.
    """
    import pyarrow as pa

    pacsv = _pyarrow_csv()
    path = Path(path)
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline().strip().split(",")
    if tuple(h.strip() for h in header) != _COLUMNS:
        raise ValueError(
            f"{str(path)!r} line 1: expected the header {','.join(_COLUMNS)!r} of an Open "
            f"Images image-level labels file, got {','.join(header)!r}"
        )
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in _COLUMNS}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as err:
        raise ValueError(_first_bad_line(path) or f"{str(path)!r}: {err}") from None
    image_ids = table.column("ImageID").to_numpy(zero_copy_only=False)
    label_ids = table.column("LabelName").to_numpy(zero_copy_only=False)
    conf = table.column("Confidence").to_numpy(zero_copy_only=False)
    one, zero = conf == "1", conf == "0"
    bad = ~(one | zero) | (image_ids == "") | (label_ids == "")
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{str(path)!r} line {row + 2}: expected 'ImageID,Source,LabelName,Confidence' "
            f"with Confidence 0 or 1 and no empty ID, got "
            f"{image_ids[row]!r}, {label_ids[row]!r}, Confidence {conf[row]!r}"
        )
    return image_ids, label_ids, one.astype(np.uint8)


def _first_bad_line(path: Path) -> str | None:
    """The message for the first line without 4 fields (only run when pyarrow refused)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip() and line.count(",") != 3:
                return (
                    f"{str(path)!r} line {lineno}: expected 4 fields "
                    f"(ImageID,Source,LabelName,Confidence), got {line.strip()!r}"
                )
    return None


def _read_class_descriptions(path: Path) -> tuple[list[str], list[str]]:
    """MIDs and display names of a class-descriptions CSV (with or without a header)."""
    import csv

    mids, names = [], []
    with open(path, encoding="utf-8", newline="") as f:
        for fields in csv.reader(f):
            lineno = len(mids) + 1
            if not fields:
                continue
            if len(fields) != 2 or not fields[0].strip():
                raise ValueError(
                    f"{str(path)!r} line {lineno}: expected 'LabelName,DisplayName', got "
                    f"{','.join(fields)!r}"
                )
            if fields[0].strip() == "LabelName" and not mids:
                continue  # V7's header
            mids.append(fields[0].strip())
            names.append(fields[1].strip())
    if not mids:
        raise ValueError(f"{str(path)!r} lists no classes")
    if len(set(mids)) != len(mids):
        raise ValueError(f"{str(path)!r}: a LabelName (MID) is listed twice")
    return mids, names


def _restrict(mids: list[str], names: list[str], path: Path) -> tuple[list[str], list[str]]:
    """Keep the classes listed in a trainable-classes file, in that file's order."""
    path = require_file(path, "OpenImagesMultiLabel: trainable classes file")
    name_of = dict(zip(mids, names))
    keep = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            mid = line.strip()
            if not mid:
                continue
            if mid not in name_of:
                raise ValueError(
                    f"{str(path)!r} line {lineno}: {mid!r} is not in the class descriptions"
                )
            keep.append(mid)
    return keep, [name_of[m] for m in keep]


def _first_appearance(ids: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Distinct ids in order of first appearance, and each row's index into them.

    Shapes:
        - ids: (R,) -> (N,) list, (R,) int64
    """
    uniq, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # (N,) unique ids by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return uniq[order].tolist(), rank[inverse.reshape(-1)]
