"""Calibrated thresholds: the fitted ones against a brute-force search, the file, the metric."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from mlrkit.inference.thresholds import (
    cf1_at,
    fit_class_thresholds,
    fit_global_threshold,
    fit_thresholds,
    load_thresholds,
    save_thresholds,
    thresholds_path_for,
)
from mlrkit.metrics.functional import multilabel_metrics
from mlrkit.metrics.multilabel_metric import MultiLabelMetric


def _data(seed: int, n: int = 60, k: int = 5, ties: bool = False):
    rng = np.random.default_rng(seed)
    targets = (rng.random((n, k)) < 0.3).astype(np.uint8)
    scores = rng.normal(size=(n, k)) + 1.5 * targets  # informative but noisy logits
    if ties:
        scores = np.round(scores, 1)  # many tied scores
    difficult = rng.random((n, k)) < 0.05
    return scores.astype(np.float32), targets, difficult


def _brute_f1(s: np.ndarray, y: np.ndarray) -> float:
    """The best F1 of one class over every threshold 'predict s >= v' and 'predict none'."""
    best = 0.0
    for v in np.unique(s):
        predicted = s >= v
        tp = int((predicted & (y == 1)).sum())
        best = max(best, 2 * tp / (int(predicted.sum()) + int(y.sum())))
    return best


@pytest.mark.parametrize("seed,ties", [(0, False), (1, True), (2, False)])
def test_each_class_threshold_reaches_the_brute_force_best_f1(seed, ties):
    scores, targets, difficult = _data(seed, ties=ties)
    thresholds, f1, no_positive = fit_class_thresholds(scores, targets, difficult)
    assert no_positive == []
    counted = ~difficult
    for k in range(scores.shape[1]):
        s, y = scores[counted[:, k], k], targets[counted[:, k], k]
        best = _brute_f1(s, y)
        predicted = 1 / (1 + np.exp(-s.astype(np.float64))) >= thresholds[k]
        tp = int((predicted & (y == 1)).sum())
        reached = 2 * tp / (int(predicted.sum()) + int(y.sum()))
        assert reached == pytest.approx(best, abs=1e-12)
        assert f1[k] == pytest.approx(best, abs=1e-12)


@pytest.mark.parametrize("seed,ties", [(0, False), (3, True)])
def test_global_threshold_reaches_the_brute_force_best_cf1(seed, ties):
    scores, targets, difficult = _data(seed, ties=ties)
    threshold, cf1 = fit_global_threshold(scores, targets, difficult)
    # brute force with the metric implementation: a threshold between every two neighbouring
    # distinct scores (each distinct set of predictions), and one below them all
    values = np.unique(scores[~difficult].astype(np.float64))
    cuts = np.r_[values[0] - 1, (values[1:] + values[:-1]) / 2]
    inside = 1 / (1 + np.exp(-cuts))
    best = max(
        multilabel_metrics(scores, targets, difficult, threshold=float(t))["CF1"] for t in inside
    )
    at_fit = multilabel_metrics(scores, targets, difficult, threshold=threshold)["CF1"]
    assert at_fit == pytest.approx(best, abs=1e-9)
    assert cf1 == pytest.approx(best, abs=1e-9)


def test_cf1_at_agrees_with_the_metric():
    scores, targets, difficult = _data(4)
    for t in (0.2, 0.5, 0.8):
        expected = multilabel_metrics(scores, targets, difficult, threshold=t)["CF1"]
        assert cf1_at(scores, targets, t, difficult) == pytest.approx(expected, abs=1e-9)


def test_a_class_without_positive_keeps_the_default():
    scores, targets, _ = _data(5)
    targets[:, 2] = 0
    thresholds, _, no_positive = fit_class_thresholds(scores, targets, default=0.37)
    assert no_positive == [2] and thresholds[2] == 0.37


def test_file_round_trip_and_checks(tmp_path):
    scores, targets, difficult = _data(6)
    classes = [f"c{k}" for k in range(5)]
    fitted = fit_thresholds(
        scores, targets, classes, difficult, info={"fitted_on": {"split": "val"}}
    )
    assert fitted.info["fitted"]["CF1@per_class"] >= fitted.info["fitted"]["CF1@0.5"]
    path = save_thresholds(fitted, thresholds_path_for(tmp_path / "epoch_3.pth"))
    assert path.name == "epoch_3.thresholds.json"
    loaded = load_thresholds(path, classes)
    np.testing.assert_array_equal(loaded.per_class, fitted.per_class)
    assert loaded.global_ == fitted.global_ and loaded.info["fitted_on"]["split"] == "val"
    with pytest.raises(ValueError, match="other classes"):
        load_thresholds(path, classes[::-1])
    data = json.loads(path.read_text())
    data["per_class"][0] = 1.5
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        load_thresholds(path)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ValueError, match="not a thresholds file"):
        load_thresholds(tmp_path / "x.json")
    with pytest.raises(FileNotFoundError, match="mlrkit calibrate"):
        load_thresholds(tmp_path / "missing.json")


def _metric(class_thresholds, scores, targets, difficult):
    metric = MultiLabelMetric(class_thresholds=class_thresholds, per_class_ap=False)
    metric.process(
        None,
        [
            {"scores": torch.as_tensor(s), "gt_label": torch.as_tensor(t), "difficult": d}
            for s, t, d in zip(scores, targets, torch.as_tensor(difficult))
        ],
    )
    return metric.compute_metrics(metric.results)


def test_metric_reports_calibrated_figures_at_the_given_thresholds():
    scores, targets, difficult = _data(7)
    plain = _metric([0.5] * 5, scores, targets, difficult)
    for name in ("CP", "CR", "CF1", "OP", "OR", "OF1"):
        assert plain[f"calibrated/{name}"] == pytest.approx(plain[name], abs=1e-9)
    thresholds, _, _ = fit_class_thresholds(scores, targets, difficult)
    fitted = _metric(thresholds.tolist(), scores, targets, difficult)
    assert fitted["calibrated/CF1"] == pytest.approx(
        cf1_at(scores, targets, thresholds, difficult), abs=1e-9
    )
    assert fitted["CF1"] == plain["CF1"]  # the figures at 0.5 are unchanged
    with pytest.raises(ValueError, match="MultiLabelMetric"):
        MultiLabelMetric(class_thresholds=[0.5, 1.0])
