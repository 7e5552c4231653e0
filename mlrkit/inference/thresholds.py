r"""Decision thresholds fitted on held-out data: one per class (max F1) and one global (max CF1).

A label is predicted where :math:`\sigma(s_k) \ge t_k` (the metric convention of
:mod:`mlrkit.metrics.functional`, with one threshold per class instead of 0.5). Fitting works
on the logits :math:`s` (no saturation of the sigmoid) and reports probabilities.

- **Per class** k: :math:`t_k` maximises :math:`F1_k = 2\,TP_k / (NP_k + NG_k)` on the
  calibration split. Only thresholds that change the predicted set matter, so the candidates
  are the midpoints between consecutive distinct scores of class k (and one below the lowest:
  predict all); the F1 of every candidate comes from one sort and a cumulative sum. Ties go to
  the highest threshold (fewest predictions). A class with no positive in the calibration split
  has no F1 to maximise and keeps the global threshold (listed under ``no_positive``).
- **Global** t maximises CF1 = harmonic mean of CP and CR (ML-GCN's conventions: CP averages
  over all K classes, a class without predictions counting 0; CR over the classes with a
  positive). Candidates are the midpoints between consecutive distinct scores of all classes,
  every one of them when there are at most ``max_candidates``, else that many spread evenly over
  the sorted distinct scores; the CF1 of each candidate is counted exactly.

Entries marked ``difficult`` are left out of every count (the ``difficult_mode="ignore"``
convention of the metrics). Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` so that a
threshold stays inside (0, 1) where logits are huge.

The file (``<checkpoint stem>.thresholds.json`` beside the checkpoint by default) holds the
class names, ``per_class``, ``global``, what it was fitted on, and the fitted objectives.
This module needs numpy only, so the torch-free ONNX path can read the file.

Shapes:
    - scores: (N, K) logits
    - targets, difficult: (N, K) 0/1
    - per-class thresholds: (K,)
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Thresholds",
    "fit_class_thresholds",
    "fit_global_threshold",
    "fit_thresholds",
    "class_f1",
    "cf1_at",
    "thresholds_path_for",
    "load_thresholds",
    "save_thresholds",
]

FORMAT = "mlrkit-thresholds/1"
EPS = 1e-7


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    return np.clip(1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64))), EPS, 1.0 - EPS)


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def _inputs(scores: Any, targets: Any, difficult: Any) -> tuple[np.ndarray, ...]:
    scores = np.asarray(scores, dtype=np.float64)
    targets = np.asarray(targets).astype(bool)
    if scores.ndim != 2 or targets.shape != scores.shape:
        raise ValueError(
            f"thresholds: scores and targets must both be (N, K), got {scores.shape} and "
            f"{targets.shape}."
        )
    if not np.isfinite(scores).all():
        raise ValueError("thresholds: scores contain NaN or infinite values.")
    counted = (
        np.ones_like(targets)
        if difficult is None
        else ~np.asarray(difficult).astype(bool).reshape(targets.shape)
    )
    return scores, targets & counted, counted


def class_f1(predicted: np.ndarray, targets: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """F1 of each class, ``2 TP / (NP + NG)`` (0 where NP + NG = 0), over the counted entries.

    Shapes:
        - predicted, targets, counted: (N, K) bool
        - output: (K,)
    """
    predicted = predicted & counted
    tp = (predicted & targets).sum(0)
    denom = predicted.sum(0) + targets.sum(0)
    return np.where(denom > 0, 2.0 * tp / np.maximum(denom, 1), 0.0)


def _cf1_from_counts(tp: np.ndarray, npred: np.ndarray, ng: np.ndarray) -> np.ndarray:
    """CF1 (percent) from per-class counts; the last axis is K, leading axes broadcast."""
    cp = np.where(npred > 0, tp / np.maximum(npred, 1), 0.0).mean(-1)
    has = ng > 0
    cr = (tp[..., has] / ng[has]).mean(-1)
    total = cp + cr
    return np.where(total > 0, 200.0 * cp * cr / np.where(total > 0, total, 1.0), 0.0)


def cf1_at(scores: Any, targets: Any, thresholds: Any, difficult: Any = None) -> float:
    """CF1 (percent, harmonic) when class k is predicted where ``sigmoid(s_k) >= t_k``.

    Args:
        scores: (N, K) logits.
        targets: (N, K) 0/1.
        thresholds: one probability, or (K,) of them.
        difficult: (N, K) 0/1 entries left out, or None.
    """
    scores, targets, counted = _inputs(scores, targets, difficult)
    cut = _logit(np.broadcast_to(np.asarray(thresholds, dtype=np.float64), scores.shape[1:]))
    predicted = (scores >= cut) & counted
    tp = (predicted & targets).sum(0).astype(np.float64)
    return float(_cf1_from_counts(tp, predicted.sum(0).astype(np.float64), targets.sum(0)))


def fit_class_thresholds(
    scores: Any, targets: Any, difficult: Any = None, default: float = 0.5
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Per-class thresholds maximising each class's F1 (see the module docstring).

    Args:
        scores: (N, K) logits.
        targets: (N, K) 0/1.
        difficult: (N, K) 0/1 entries left out, or None.
        default: the threshold of a class without a positive.

    Returns:
        thresholds (K,) probabilities, the F1 each reaches (K,) in [0, 1], and the indices of
        the classes without a positive (given ``default``).
    """
    scores, targets, counted = _inputs(scores, targets, difficult)
    num_classes = scores.shape[1]
    thresholds = np.full(num_classes, float(default))
    best_f1 = np.zeros(num_classes)
    no_positive = []
    for k in range(num_classes):
        s = scores[counted[:, k], k]
        y = targets[counted[:, k], k]
        ng = int(y.sum())
        if ng == 0:
            no_positive.append(k)
            continue
        order = np.argsort(-s, kind="stable")
        s, y = s[order], y[order]  # (n,) descending
        tp = np.cumsum(y)  # predicting the first i+1
        last = np.r_[s[1:] != s[:-1], True]  # end of each tie group: a valid cut
        f1 = np.where(last, 2.0 * tp / (np.arange(1, len(s) + 1) + ng), -1.0)
        i = int(np.argmax(f1))  # first maximum: highest threshold
        below = s[i + 1] if i + 1 < len(s) else s[i] - 1.0
        thresholds[k] = float(_sigmoid((s[i] + below) / 2.0))
        best_f1[k] = f1[i]
    return thresholds, best_f1, no_positive


def fit_global_threshold(
    scores: Any, targets: Any, difficult: Any = None, max_candidates: int = 2048
) -> tuple[float, float]:
    """One threshold for all classes maximising CF1 (see the module docstring).

    Returns:
        (threshold as a probability, the CF1 it reaches in percent).
    """
    scores, targets, counted = _inputs(scores, targets, difficult)
    if max_candidates < 2:
        raise ValueError(f"fit_global_threshold: max_candidates must be >= 2, got {max_candidates}")
    values = np.unique(scores[counted])  # ascending
    if len(values) > max_candidates:
        values = values[np.linspace(0, len(values) - 1, max_candidates).round().astype(int)]
    cuts = np.r_[values[0] - 1.0, (values[1:] + values[:-1]) / 2.0, values[-1] + 1.0]  # (M,)
    num_classes = scores.shape[1]
    tp = np.empty((len(cuts), num_classes))
    npred = np.empty((len(cuts), num_classes))
    for k in range(num_classes):
        s = np.sort(scores[counted[:, k], k])
        pos = np.sort(scores[counted[:, k] & targets[:, k], k])
        npred[:, k] = len(s) - np.searchsorted(s, cuts, side="left")  # #{s >= cut}
        tp[:, k] = len(pos) - np.searchsorted(pos, cuts, side="left")
    cf1 = _cf1_from_counts(tp, npred, targets.sum(0))  # (M,)
    j = len(cuts) - 1 - int(np.argmax(cf1[::-1]))  # last maximum: highest threshold
    return float(_sigmoid(cuts[j])), float(cf1[j])


@dataclass
class Thresholds:
    """Calibrated thresholds of one model.

    Attributes:
        classes: the K class names, in the model's order.
        per_class: (K,) probabilities.
        global_: the single threshold maximising CF1.
        info: what they were fitted on and the objectives reached (free-form).
    """

    classes: list[str]
    per_class: np.ndarray
    global_: float
    info: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "classes": list(self.classes),
            "per_class": [float(t) for t in self.per_class],
            "global": float(self.global_),
            **self.info,
        }


def fit_thresholds(
    scores: Any,
    targets: Any,
    classes: list[str],
    difficult: Any = None,
    max_candidates: int = 2048,
    info: dict[str, Any] | None = None,
) -> Thresholds:
    """Fit the global threshold (max CF1), then each class's (max F1; the global one where a
    class has no positive), and record the CF1 at 0.5, at the global and at the per-class ones.
    """
    global_, cf1_global = fit_global_threshold(scores, targets, difficult, max_candidates)
    per_class, f1, no_positive = fit_class_thresholds(scores, targets, difficult, global_)
    if len(classes) != per_class.shape[0]:
        raise ValueError(f"fit_thresholds: {len(classes)} class names for {per_class.shape[0]}")
    record = dict(info or {})
    record.update(
        objective={"per_class": "F1 of the class", "global": "CF1 (harmonic mean of CP, CR)"},
        difficult_mode="ignore",
        num_samples=int(np.asarray(scores).shape[0]),
        fitted={
            "CF1@0.5": cf1_at(scores, targets, 0.5, difficult),
            "CF1@global": cf1_global,
            "CF1@per_class": cf1_at(scores, targets, per_class, difficult),
            "F1_per_class": [round(float(v), 6) for v in f1],
        },
        no_positive=[classes[k] for k in no_positive],
    )
    return Thresholds(list(classes), per_class, global_, record)


def thresholds_path_for(checkpoint: str | os.PathLike) -> Path:
    """Where ``mlrkit calibrate`` writes the thresholds of a checkpoint: beside it,
    ``<stem>.thresholds.json``."""
    checkpoint = Path(checkpoint)
    return checkpoint.with_name(f"{checkpoint.stem}.thresholds.json")


def save_thresholds(thresholds: Thresholds, path: str | os.PathLike) -> Path:
    """Write the JSON file (through a temporary file and a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(thresholds.to_json(), indent=2, default=str))
    tmp.replace(path)
    return path


def load_thresholds(path: str | os.PathLike, classes: list[str] | None = None) -> Thresholds:
    """Read a thresholds file; with ``classes``, check it is for those labels in that order.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a thresholds file, thresholds outside (0, 1), or other classes.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"thresholds file {str(path)!r} does not exist; write it with `mlrkit calibrate "
            "CONFIG CHECKPOINT`."
        )
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"thresholds file {str(path)!r} is not JSON: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(
            f'{str(path)!r} is not a thresholds file (no "format": "{FORMAT}"); write one '
            "with `mlrkit calibrate CONFIG CHECKPOINT`."
        )
    names = list(data.get("classes") or [])
    per_class = np.asarray(data.get("per_class") or [], dtype=np.float64)
    global_ = float(data.get("global", math.nan))
    if per_class.shape != (len(names),) or not len(names):
        raise ValueError(
            f"thresholds file {str(path)!r}: {per_class.size} thresholds for {len(names)} classes."
        )
    values = np.r_[per_class, global_]
    if not (np.isfinite(values).all() and (values > 0).all() and (values < 1).all()):
        raise ValueError(f"thresholds file {str(path)!r}: thresholds must lie in (0, 1).")
    if classes is not None and list(classes) != names:
        differ = sorted(set(names) ^ set(classes))[:5]
        what = f"labels differ: {differ}" if differ else "same labels in another order"
        raise ValueError(
            f"thresholds file {str(path)!r} is for other classes than the model's ({what}); "
            "calibrate this checkpoint with `mlrkit calibrate`."
        )
    info = {k: v for k, v in data.items() if k not in {"format", "classes", "per_class", "global"}}
    return Thresholds(names, per_class, global_, info)
