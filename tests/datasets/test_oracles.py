"""Oracle ceilings of SyntheticScenes: ordering, reproducibility, the pairs-off limit, the
logistic regression, and the share-of-gap helper."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlrkit.datasets.oracles import (
    ORACLES,
    _fit_logistic,
    oracle_logits,
    oracle_metrics,
    oracle_scores,
    pixels_context_logits,
    pixels_only_logits,
    share_of_gap,
)
from mlrkit.datasets.synthetic_scenes import SyntheticScenes
from mlrkit.metrics.functional import average_precision, metric_names


def _splits(seed: int = 0, pairs=None, train: int = 2000, test: int = 600):
    return (
        SyntheticScenes(num_samples=train, split="train", seed=seed, pairs=pairs),
        SyntheticScenes(num_samples=test, split="test", seed=seed, pairs=pairs),
    )


def test_pixels_only_is_below_context_and_both_are_reproducible():
    figures = oracle_metrics(*_splits(seed=0))
    assert list(figures) == list(ORACLES)
    for name in ORACLES:
        assert list(figures[name]) == metric_names(3)  # mAP and the 12 P/R/F1 figures
    pixels, context = figures["pixels-only"]["mAP"], figures["pixels+context"]["mAP"]
    assert pixels + 10 < context < 100  # measured: 67.5 / 88.2 at this size, seed 0
    assert figures == oracle_metrics(*_splits(seed=0))
    assert figures != oracle_metrics(*_splits(seed=1))


def test_oracle_scores_build_the_splits_and_add_each_class_ap_that_exists():
    train_cfg = dict(type="SyntheticScenes", num_samples=400, split="train", seed=2)
    test_cfg = dict(train_cfg, num_samples=12, split="test")
    scores = oracle_scores(train_cfg, test_cfg, {"top_k": 2})
    train, test = _splits(seed=2, train=400, test=12)
    figures = oracle_metrics(train, test, top_k=2)
    assert list(scores) == list(ORACLES)
    for name, logits in oracle_logits(train, test).items():
        ap = average_precision(logits, test.targets)
        expected = {f"AP/{c}": a for c, a in zip(test.classes, ap.tolist()) if not math.isnan(a)}
        assert 0 < len(expected) < len(test.classes)  # 12 images: some classes have no positive
        assert scores[name] == pytest.approx({**figures[name], **expected})


def test_with_pairs_off_the_two_oracles_coincide():
    figures = oracle_metrics(*_splits(seed=0, pairs=()))
    assert abs(figures["pixels-only"]["mAP"] - figures["pixels+context"]["mAP"]) < 1.0
    assert figures["pixels-only"]["mAP"] == pytest.approx(100.0)


def test_pixels_only_is_certain_for_own_glyphs_and_the_train_frequency_for_pairs():
    train, test = _splits(seed=3, train=1500, test=400)
    logits = pixels_only_logits(train, test)
    ap = average_precision(logits, test.targets)
    single = ~test.paired_classes
    has_positive = test.targets.sum(0) > 0
    assert np.allclose(ap[single & has_positive], 100.0)
    index = {c: i for i, c in enumerate(test.classes)}
    cow, chair = index["cow"], index["chair"]
    shown_train = train.identities[:, train.identity_of_class[cow]] == 1
    p = (train.targets[shown_train, cow].sum() + 1) / (shown_train.sum() + 2)  # Laplace
    shown_test = test.identities[:, test.identity_of_class[cow]] == 1
    assert np.allclose(logits[shown_test, cow], math.log(p / (1 - p)))
    assert (logits[~shown_test, cow] < -10).all() and (logits[~shown_test, chair] < -10).all()


def test_context_oracle_changes_only_paired_classes_where_their_glyph_is_shown():
    train, test = _splits(seed=2, train=1500, test=400)
    pixels = pixels_only_logits(train, test)
    context = pixels_context_logits(train, test)
    single = ~test.paired_classes
    assert np.array_equal(pixels[:, single], context[:, single])
    hidden = test.identities[:, test.identity_of_class] == 0  # (N, K) glyph absent
    assert np.array_equal(pixels[hidden], context[hidden])
    assert not np.array_equal(pixels, context)


def test_logistic_regression_reaches_the_stationary_point():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.integers(0, 2, (400, 6)).astype(float), np.ones((400, 1))], axis=1)
    y = (rng.uniform(size=400) < 1 / (1 + np.exp(-(x @ [2, -1, 0, 0, 1, 0, -0.5])))).astype(float)
    w = _fit_logistic(x, y, l2=1.0)
    p = 1 / (1 + np.exp(-(x @ w)))
    penalty = np.array([1.0] * 6 + [1e-8])
    assert np.allclose(x.T @ (p - y) + penalty * w, 0.0, atol=1e-8)  # gradient of the objective
    assert w[0] > 1 and w[1] < -0.3  # the planted signs are recovered


def test_share_of_gap():
    assert share_of_gap(79.0, 66.0, 85.0) == pytest.approx(13 / 19)
    assert share_of_gap(66.0, 66.0, 85.0) == 0.0 and share_of_gap(85.0, 66.0, 85.0) == 1.0
    assert math.isnan(share_of_gap(99.0, 99.5, 100.0))  # a gap under 1 point means nothing
    shares = share_of_gap(np.array([70.0, 90.0]), 60.0, 80.0)
    assert np.allclose(shares, [0.5, 1.5])


def test_oracles_refuse_datasets_without_rendering_metadata():
    class Plain:
        classes = ("a", "b")
        targets = np.zeros((3, 2), dtype=np.uint8)

    with pytest.raises(ValueError, match="does not record what it rendered"):
        oracle_metrics(Plain(), Plain())
    train, _ = _splits(train=50)
    other = SyntheticScenes(num_samples=50, split="test", pairs=())
    with pytest.raises(ValueError, match="share classes and visual identities"):
        pixels_only_logits(train, other)
