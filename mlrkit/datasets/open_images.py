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

        image_ids, image_index, label_ids, label_index, confidence = read_image_labels(
            self.labels_csv
        )
        column = {mid: k for k, mid in enumerate(mids)}
        label_column = np.array([column.get(mid, -1) for mid in label_ids.tolist()], np.int64)
        cols = label_column[label_index]  # (R,), -1 for a class not kept
        kept = cols >= 0
        if not kept.all():
            logger.info(
                "OpenImagesMultiLabel: %d rows of %s name classes outside the %d kept; skipped",
                int((~kept).sum()),
                self.labels_csv,
                len(mids),
            )
        # images with a kept row, in order of first appearance (the dictionary's order)
        has_row = np.zeros(len(image_ids), dtype=bool)
        has_row[image_index[kept]] = True
        new_row = np.cumsum(has_row) - 1  # (D,) image -> row of the target matrix
        ids = image_ids[has_row].tolist()
        rows, cols, confidence = new_row[image_index[kept]], cols[kept], confidence[kept]
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


def read_image_labels(
    path: Path,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse an ``*-annotations-human-imagelabels*.csv`` file with pyarrow.

    ImageID and LabelName are read dictionary-encoded (each distinct string is decoded once),
    Confidence as an integer; the Source column is not read.

    Returns:
        image_ids (N,) distinct ImageIDs in order of first appearance, image_index (R,) int64
        row -> image, label_ids (L,) distinct LabelNames, label_index (R,) int64 row -> label,
        confidence (R,) uint8 (1 or 0).

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
    text = pa.dictionary(pa.int32(), pa.string())
    options = pacsv.ConvertOptions(
        column_types={"ImageID": text, "LabelName": text, "Confidence": pa.int8()},
        include_columns=["ImageID", "LabelName", "Confidence"],
        strings_can_be_null=False,
    )
    try:
        table = pacsv.read_csv(path, convert_options=options)
    except pa.ArrowInvalid as err:
        raise ValueError(_first_bad_line(path) or f"{str(path)!r}: {err}") from None
    image_ids, image_index = _codes(table.column("ImageID"))
    label_ids, label_index = _codes(table.column("LabelName"))
    conf = table.column("Confidence").to_numpy()  # (R,)
    bad = (conf != 0) & (conf != 1)
    empty_image = np.flatnonzero(image_ids == "")
    empty_label = np.flatnonzero(label_ids == "")
    if empty_image.size:
        bad |= image_index == empty_image[0]
    if empty_label.size:
        bad |= label_index == empty_label[0]
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{str(path)!r} line {row + 2}: expected 'ImageID,Source,LabelName,Confidence' "
            f"with Confidence 0 or 1 and no empty ID, got ImageID {image_ids[image_index[row]]!r}, "
            f"LabelName {label_ids[label_index[row]]!r}, Confidence {int(conf[row])}"
        )
    return image_ids, image_index, label_ids, label_index, conf.astype(np.uint8)


def _codes(column) -> tuple[np.ndarray, np.ndarray]:
    """A dictionary-encoded chunked column as (distinct values in order of first appearance,
    index of each row's value). Shapes: (D,) str objects, (R,) int64."""
    column = column.unify_dictionaries()
    if column.num_chunks == 0:
        return np.array([], dtype=object), np.zeros(0, dtype=np.int64)
    values = column.chunk(0).dictionary.to_numpy(zero_copy_only=False)  # (D,)
    index = np.concatenate([c.indices.to_numpy() for c in column.chunks]).astype(np.int64)
    return values, index


def _first_bad_line(path: Path) -> str | None:
    """The message for the first malformed line (only run when pyarrow refused the file)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        next(f, None)
        for lineno, line in enumerate(f, 2):
            fields = line.rstrip("\r\n").split(",")
            if not line.strip():
                continue
            if len(fields) != 4:
                return (
                    f"{str(path)!r} line {lineno}: expected 4 fields "
                    f"(ImageID,Source,LabelName,Confidence), got {line.strip()!r}"
                )
            if fields[3].strip() not in ("0", "1"):
                return (
                    f"{str(path)!r} line {lineno}: Confidence must be 0 or 1, got "
                    f"{fields[3].strip()!r}"
                )
    return None


def _read_class_descriptions(path: Path) -> tuple[list[str], list[str]]:
    """MIDs and display names of a class-descriptions CSV (with or without a header)."""
    import csv

    mids, names = [], []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        for fields in reader:
            lineno = reader.line_num
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
