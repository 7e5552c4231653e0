"""Evaluation speed at COCO-val scale: mlrkit.metrics against the usual ways of computing it.

Data: 40,137 x 80 (COCO val2014), each label drawn with its COCO train2014 frequency (the
shipped statistics; about 2.9 labels per image), float32 logits correlated with the targets
(positives ~ N(0.5, 1.1), negatives ~ N(-3, 1.1): mAP ~83, CP ~83, CR ~68, close to
ML-GCN's published COCO figures). Timed in one process, ``torch.set_num_threads(2)``:

1. ``mlrkit.metrics.functional.multilabel_metrics``: all 13 figures (mAP, CP, CR, CF1, OP, OR,
   OF1 and the six at top-3); also ``average_precision`` alone, the float64-input path (torch
   stable sort instead of the packed-integer sort), ``ap_mode="tie_grouped"``, and the 13
   figures with torch at one thread (on a shared, loaded machine each 2-thread torch kernel
   can wait a scheduler tick for its second thread; this row shows how much);
2. a per-class Python-loop reference written the way ML-GCN's ``AveragePrecisionMeter`` works
   (per class: sort, walk the sorted samples counting hits; P/R per class with numpy; top-3
   by a loop over images), computing the same 13 figures;
3. torchmetrics' ``MultilabelAveragePrecision(average=None)`` (AP only), when installed.

Each is run several times; the best and median wall times are printed with the ratio
reference / ours (how many times faster mlrkit is), and the figures are checked to agree.

Usage:
    python benchmarks/bench_metrics.py [--repeats 7] [--reference-repeats 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
from collections.abc import Callable
from importlib import resources

import numpy as np
import torch

from mlrkit.metrics.functional import average_precision, metric_names, multilabel_metrics

NUM_IMAGES = 40_137  # COCO val2014
COCO_TRAIN_IMAGES = 82_081  # COCO train2014, the denominator of the shipped counts


def coco_like_data(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Targets with COCO's per-class frequencies and float32 logits correlated with them.

    Shapes:
        - output: scores (N, 80) float32, targets (N, 80) uint8
    """
    stats = resources.files("mlrkit") / "data" / "label_stats" / "coco_cooccurrence.json"
    counts = np.asarray(json.loads(stats.read_text())["nums"], dtype=np.float64)  # (80,)
    rng = np.random.default_rng(seed)
    targets = rng.random((NUM_IMAGES, counts.size)) < counts / COCO_TRAIN_IMAGES  # (N, 80)
    noise = rng.normal(0.0, 1.1, size=targets.shape)
    scores = np.where(targets, 0.5, -3.0) + noise  # (N, 80)
    return torch.from_numpy(scores.astype(np.float32)), torch.from_numpy(targets.astype(np.uint8))


# --------------------------------------------------------------------------- ML-GCN-style


def mlgcn_average_precision(scores: np.ndarray, targets: np.ndarray) -> float:
    """One class, the way ML-GCN's ``AveragePrecisionMeter.average_precision`` walks it.

    (A stable sort instead of ML-GCN's ``torch.sort``, so that ties match our convention.)
    """
    indices = np.argsort(-scores, kind="stable").tolist()
    labels = targets.tolist()
    pos_count = total_count = precision_at_i = 0.0
    for i in indices:
        label = labels[i]
        if label == 1:
            pos_count += 1
        total_count += 1
        if label == 1:
            precision_at_i += pos_count / total_count
    return precision_at_i / pos_count


def mlgcn_evaluation(scores: np.ndarray, targets: np.ndarray) -> list[float]:
    """ML-GCN's ``AveragePrecisionMeter.evaluation``: OP, OR, OF1, CP, CR, CF1 (fractions)."""
    num_classes = scores.shape[1]
    nc, np_, ng = np.zeros(num_classes), np.zeros(num_classes), np.zeros(num_classes)
    for k in range(num_classes):
        ng[k] = np.sum(targets[:, k] == 1)
        np_[k] = np.sum(scores[:, k] >= 0)
        nc[k] = np.sum(targets[:, k] * (scores[:, k] >= 0))
    np_[np_ == 0] = 1
    op = np.sum(nc) / np.sum(np_)
    or_ = np.sum(nc) / np.sum(ng)
    cp = np.sum(nc / np_) / num_classes
    cr = np.sum(nc / ng) / num_classes
    return [op, or_, 2 * op * or_ / (op + or_), cp, cr, 2 * cp * cr / (cp + cr)]


def mlgcn_metrics(scores_t: torch.Tensor, targets_t: torch.Tensor, top_k: int = 3) -> dict:
    """The 13 figures the way ML-GCN's meter computes them (per-class and per-image loops)."""
    scores = scores_t.numpy().astype(np.float64)
    targets = targets_t.numpy().astype(np.float64)
    ap = [mlgcn_average_precision(scores[:, k], targets[:, k]) for k in range(scores.shape[1])]
    figures = {"mAP": 100 * float(np.mean(ap))}
    names = ["OP", "OR", "OF1", "CP", "CR", "CF1"]
    for name, value in zip(names, mlgcn_evaluation(scores, targets)):
        figures[name] = 100 * value
    # ML-GCN's overall_topk: keep each image's top-k, still thresholded at logit 0.
    top = np.zeros_like(scores) - 1
    index = np.argsort(-scores, axis=1, kind="stable")[:, :top_k]
    for i in range(scores.shape[0]):
        for j in index[i]:
            top[i, j] = 1 if scores[i, j] >= 0 else -1
    for name, value in zip(names, mlgcn_evaluation(top, targets)):
        figures[f"{name}@{top_k}"] = 100 * value
    return {name: figures[name] for name in metric_names(top_k)}


# --------------------------------------------------------------------------- timing


def timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], object]:
    result = fn()  # warm-up (allocator, lazy imports); not timed
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs of each mlrkit call")
    parser.add_argument("--reference-repeats", type=int, default=3, help="runs of references")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(2)

    scores, targets = coco_like_data(args.seed)
    print(
        f"data: {NUM_IMAGES} x {scores.shape[1]}, {targets.sum(1).double().mean():.2f} labels "
        "per image (COCO train2014 frequencies), float32 logits"
    )
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, numpy {np.__version__}; "
        f"load average at start {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
        "(shared machine: other processes were running, timings are under load)"
    )

    rows: list[tuple[str, list[float]]] = []
    t_ours, ours = timed(lambda: multilabel_metrics(scores, targets), args.repeats)
    rows.append(("mlrkit multilabel_metrics, 13 figures", t_ours))
    t_ap, ap = timed(lambda: average_precision(scores, targets), args.repeats)
    rows.append(("mlrkit average_precision only", t_ap))
    scores64 = scores.double() * (1 + 2**-28)  # exact, same order and ties, not a float32
    t_64, ours64 = timed(lambda: multilabel_metrics(scores64, targets), args.repeats)
    rows.append(("mlrkit 13 figures, float64 input (stable sort)", t_64))
    t_tie, _ = timed(
        lambda: multilabel_metrics(scores, targets, ap_mode="tie_grouped"), args.repeats
    )
    rows.append(("mlrkit 13 figures, ap_mode=tie_grouped", t_tie))

    torch.set_num_threads(1)
    t_one, _ = timed(lambda: multilabel_metrics(scores, targets), args.repeats)
    torch.set_num_threads(2)
    rows.append(("mlrkit 13 figures, torch 1 thread (for information)", t_one))

    references: list[tuple[str, list[float], list[float]]] = []
    t_ref, ref = timed(lambda: mlgcn_metrics(scores, targets), args.reference_repeats)
    rows.append(("ML-GCN-style loops, 13 figures", t_ref))
    references.append(("ML-GCN-style loops, 13 figures", t_ref, t_ours))

    tm_ap = None
    try:
        from torchmetrics.classification import MultilabelAveragePrecision
    except ImportError:
        print("torchmetrics is not installed: its row is skipped")
    else:

        def run_torchmetrics() -> torch.Tensor:
            metric = MultilabelAveragePrecision(num_labels=scores.shape[1], average=None)
            metric.update(scores, targets.long())
            return metric.compute()

        t_tm, tm_ap = timed(run_torchmetrics, args.reference_repeats)
        rows.append(("torchmetrics MultilabelAveragePrecision (AP only)", t_tm))
        references.append(("torchmetrics MultilabelAveragePrecision", t_tm, t_ap))

    print()
    print(f"{'implementation':52s} {'best s':>8s} {'median s':>9s}")
    for name, times in rows:
        print(f"{name:52s} {min(times):8.3f} {statistics.median(times):9.3f}")
    print()
    for name, t_ref_, t_mine in references:
        against = "13 figures" if "ML-GCN" in name else "average_precision"
        print(
            f"ratio {name} / mlrkit {against}: best {min(t_ref_) / min(t_mine):6.1f}x, "
            f"median {statistics.median(t_ref_) / statistics.median(t_mine):6.1f}x"
        )

    # Agreement.
    worst = max(abs(ours[name] - ref[name]) for name in ours)
    print(f"\nagreement, max |mlrkit - ML-GCN-style| over the 13 figures: {worst:.2e} (percent)")
    worst64 = max(abs(ours[name] - ours64[name]) for name in ours)
    print(f"agreement, float32 vs float64 input: {worst64:.2e}")
    assert worst < 1e-6 and worst64 < 1e-9, "the figures disagree"
    if tm_ap is not None:
        # torchmetrics thresholds sigmoid(logits) in float32, where sigmoid creates ties:
        # compare with our tie-grouped AP of the same float32 probabilities.
        ours_tm = average_precision(torch.sigmoid(scores), targets, ap_mode="tie_grouped")
        diff = (100 * tm_ap.double() - ours_tm).abs().max().item()
        diff_std = (100 * tm_ap.double() - ap).abs().max().item()
        print(
            f"agreement, torchmetrics vs mlrkit tie_grouped AP on the same float32 "
            f"probabilities: max {diff:.2e}; vs mlrkit standard AP on the logits: "
            f"max {diff_std:.2e} (per class, percent)"
        )
        assert diff < 1e-3, "torchmetrics disagrees"
    print("\n" + "  ".join(f"{k}={v:.2f}" for k, v in ours.items()))

    best = min(t_ours)
    faster = all(min(t_r) > min(t_m) for _, t_r, t_m in references)
    print(
        f"\ntarget: 13 figures in < 0.5 s: {'yes' if best < 0.5 else 'NO'} (best {best:.3f} s, "
        f"median {statistics.median(t_ours):.3f} s); faster than every reference: "
        f"{'yes' if faster else 'NO'}"
    )
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    if not math.isfinite(best):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
