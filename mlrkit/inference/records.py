"""Prediction records, their JSONL / CSV writer, and the loop that fills them batch by batch.

Shared by ``mlrkit predict`` (PyTorch) and ``mlrkit predict --onnx`` (onnxruntime); imports
numpy and the standard library only (``rich`` for the progress bar when it is installed).

A record per image, in the order the images were given:

- read: ``{"path": ..., "labels": [names at or above their threshold, highest score first],
  "scores": {class: sigmoid probability}}``;
- not read: ``{"path": ..., "error": "cannot decode image ...: ..."}`` (also one line on
  stderr), and the run goes on.

CSV has the columns ``path, labels`` (``;``-separated), ``error``, then one per class.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

__all__ = [
    "RecordWriter",
    "PredictSummary",
    "choose_thresholds",
    "exit_code",
    "predict_files",
    "prediction_records",
]


def prediction_records(
    paths: Sequence[str],
    logits: np.ndarray,
    classes: Sequence[str],
    thresholds: np.ndarray,
    top_k: int | None,
) -> list[dict[str, Any]]:
    """The records of a batch: labels at or above their threshold (at most ``top_k``), highest
    score first, and every class's probability rounded to 6 decimals.

    Shapes:
        - logits: (B, K); thresholds: (K,)
    """
    probs = 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))  # (B, K)
    order = np.argsort(-probs, axis=1, kind="stable")  # (B, K)
    passed = np.take_along_axis(probs >= thresholds, order, axis=1)  # (B, K), ranked
    rounded = np.round(probs, 6).tolist()
    records = []
    for i, path in enumerate(paths):
        chosen = order[i][passed[i]][:top_k].tolist()
        records.append(
            {
                "path": path,
                "labels": [classes[k] for k in chosen],
                "scores": dict(zip(classes, rounded[i])),
            }
        )
    return records


class RecordWriter:
    """Write records as JSON lines (``.jsonl``, or stdout when ``out`` is None) or CSV (``.csv``).

    Records are flushed after each batch, so an interrupted run keeps what it finished.

    Args:
        out: the output file, or None for JSON lines on stdout.
        classes: the class names (the CSV's score columns).

    Raises:
        ValueError: ``out`` ends neither in ``.jsonl`` nor ``.csv``.
    """

    def __init__(self, out: str | Path | None, classes: Sequence[str]) -> None:
        self.classes = list(classes)
        self.kind = "jsonl"
        if out is not None:
            suffix = Path(out).suffix.lower()
            if suffix not in (".jsonl", ".csv"):
                raise ValueError(
                    f"--out {str(out)!r}: give a .jsonl or a .csv file (one record per image)."
                )
            self.kind = suffix[1:]
            Path(out).parent.mkdir(parents=True, exist_ok=True)
        self._own = out is not None
        self._file: TextIO = open(out, "w", newline="") if out is not None else sys.stdout
        self._csv = None
        if self.kind == "csv":
            self._csv = csv.writer(self._file)
            self._csv.writerow(["path", "labels", "error", *self.classes])

    def write(self, record: dict[str, Any], flush: bool = True) -> None:
        """Write one record (and flush the file unless ``flush=False``)."""
        if self._csv is None:
            self._file.write(json.dumps(record) + "\n")
        else:
            scores = record.get("scores") or {}
            self._csv.writerow(
                [
                    record["path"],
                    ";".join(record.get("labels", [])),
                    record.get("error", ""),
                    *(scores.get(name, "") for name in self.classes),
                ]
            )
        if flush:
            self._file.flush()

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if self._own:
            self._file.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@dataclass
class PredictSummary:
    """What a prediction run did: images read and images that could not be read."""

    num_read: int = 0
    num_failed: int = 0


class _Progress:
    """A rich progress bar on stderr when rich is installed and there is more than one image."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar = None
        if not enabled or total <= 1:
            return
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
        except ImportError:  # the torch-free deployment may not have rich
            return
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("predicting", total=total)

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def predict_files(
    paths: Sequence[str],
    load: Callable[[str], Any],
    infer: Callable[[list[Any]], np.ndarray],
    classes: Sequence[str],
    thresholds: np.ndarray,
    writer: RecordWriter,
    batch_size: int = 32,
    top_k: int | None = None,
    progress: bool = True,
    errors: TextIO | None = None,
    prog: str = "mlrkit predict",
) -> PredictSummary:
    """Read, batch and score ``paths``; write one record per path, in order.

    Args:
        paths: image files.
        load: path -> one preprocessed image (raises ``OSError`` or ``ValueError`` when the
            file cannot be read: that image gets an error record).
        infer: a list of loaded images (of one shape) -> logits (B, K).
        classes: the K class names.
        thresholds: (K,) probabilities.
        writer: where the records go.
        batch_size: images per ``infer`` call.
        top_k: keep at most this many labels per image.
        progress: show a progress bar (stderr).
        errors: where a skipped image's line goes (default stderr).
        prog: the name the stderr lines start with.

    Returns:
        the numbers of images read and not read.
    """
    if batch_size < 1:
        raise ValueError(f"--batch-size must be at least 1, got {batch_size}.")
    if top_k is not None and top_k < 1:
        raise ValueError(f"--top-k must be at least 1, got {top_k}.")
    errors = errors or sys.stderr
    summary = PredictSummary()
    bar = _Progress(len(paths), progress)
    pending: list[tuple[str, Any, str | None]] = []  # (path, image, error), in input order

    def flush() -> None:
        images = [image for _, image, error in pending if error is None]
        logits = infer(images) if images else np.zeros((0, len(classes)))
        read = [path for path, _, error in pending if error is None]
        records = iter(prediction_records(read, logits, classes, thresholds, top_k))
        for path, _, error in pending:  # in input order
            writer.write(next(records) if error is None else {"path": path, "error": error}, False)
        writer.flush()  # once per batch: a finished batch is on disk
        bar.advance(len(pending))
        pending.clear()

    try:
        shape = None
        for path in paths:
            try:
                image = load(path)
            except (OSError, ValueError) as err:
                message = str(err) if str(path) in str(err) else f"{path}: {err}"
                print(f"{prog}: skipped: {message}", file=errors)
                pending.append((path, None, message))
                summary.num_failed += 1
                continue
            image_shape = getattr(image, "shape", None)
            if shape is not None and image_shape != shape:
                flush()  # images of another size go to the next batch
            shape = image_shape
            pending.append((path, image, None))
            summary.num_read += 1
            if sum(error is None for _, _, error in pending) >= batch_size:
                flush()
        flush()
    finally:
        bar.stop()
    return summary


def choose_thresholds(
    classes: Sequence[str],
    threshold: float | None = None,
    thresholds_file: str | Path | None = None,
    beside: Path | None = None,
    embedded: Sequence[float] | None = None,
) -> tuple[np.ndarray, str]:
    """The (K,) thresholds a prediction uses, and a line saying where they came from.

    In order: ``--threshold T`` (one for all classes); ``--thresholds FILE``; the calibrated
    file ``beside`` the checkpoint when it exists; thresholds ``embedded`` in an exported
    model; else 0.5 (the metric convention).

    Raises:
        ValueError: both ``threshold`` and ``thresholds_file``, T outside (0, 1), or a file for
            other classes.
    """
    from mlrkit.inference.thresholds import load_thresholds

    K = len(classes)
    if threshold is not None and thresholds_file is not None:
        raise ValueError("give --threshold T or --thresholds FILE, not both.")
    if threshold is not None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"--threshold must lie in (0, 1) (a probability), got {threshold}.")
        return np.full(K, float(threshold)), f"threshold {threshold:g} for every class"
    if thresholds_file is not None:
        values = load_thresholds(thresholds_file, list(classes)).per_class
        return values, f"per-class thresholds from {thresholds_file} (--thresholds)"
    if beside is not None and Path(beside).is_file():
        values = load_thresholds(beside, list(classes)).per_class
        return values, f"per-class thresholds from {beside} (calibrated, beside the checkpoint)"
    if embedded is not None:
        values = np.asarray(embedded, dtype=np.float64)
        if values.shape == (K,):
            return values, "per-class thresholds stored in the model"
    return np.full(K, 0.5), "threshold 0.5 for every class (no calibrated thresholds found)"


def exit_code(summary: PredictSummary, found: int, prog: str) -> int:
    """0 when some image was read (a line on stderr counts the skipped ones), else 1."""
    if summary.num_read == 0:
        what = "no image files found" if found == 0 else "no image could be read"
        print(f"{prog}: error: {what}", file=sys.stderr)
        return 1
    if summary.num_failed:
        print(
            f"{prog}: {summary.num_read} image(s) scored, {summary.num_failed} skipped",
            file=sys.stderr,
        )
    return 0
