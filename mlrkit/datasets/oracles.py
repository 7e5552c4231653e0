"""Oracle ceilings of the built-in procedural dataset: what pixels alone, and pixels plus label
context, can score at best.

The generator (:class:`~mlrkit.datasets.synthetic_scenes.SyntheticScenes`) knows which visual
identities (glyphs) each image shows and which classes share one. Two oracles are computed from
that metadata, fitted on the train split only and evaluated on the test split; they return
(N, K) logits that go through the same metrics as the models
(:func:`mlrkit.metrics.functional.multilabel_metrics`):

- ``"pixels-only"``: a perfect perceiver of visual identities that looks at one glyph at a
  time. A class whose identity is its own is certain (present exactly when its glyph is). A
  class whose identity it shares with another class (a pixel-identical pair) is certainly
  absent when the glyph is absent, and otherwise the best it can say is
  ``P(class | identity present)``, estimated on the train split (Laplace-smoothed).
- ``"pixels+context"``: the same, except that for a paired class whose glyph is present it
  also uses the rest of the scene: a logistic regression (L2, Newton's method), fitted on the
  train images that show the glyph, of the class on the presence of every *other* identity.
  The features are what a perfect perceiver sees, identity presence, not the other classes'
  true labels: those of paired classes are not visible in the pixels, and the partner's label
  would give the answer away.

Every table on the built-in data can then report each model's share of the context gap,
:func:`share_of_gap` = (model - pixels-only) / (pixels+context - pixels-only).

Example:
    >>> from mlrkit.datasets.synthetic_scenes import SyntheticScenes
    >>> train = SyntheticScenes(num_samples=5000, split="train", seed=0)
    >>> test = SyntheticScenes(num_samples=1500, split="test", seed=0)
    >>> figures = oracle_metrics(train, test)
    >>> figures["pixels-only"]["mAP"] < figures["pixels+context"]["mAP"]
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "ORACLES",
    "oracle_logits",
    "oracle_metrics",
    "oracle_scores",
    "pixels_context_logits",
    "pixels_only_logits",
    "share_of_gap",
]

#: The oracle names, in table order.
ORACLES = ("pixels-only", "pixels+context")

#: Logit magnitude of a certain answer (sigmoid(20) = 1 - 2e-9); estimated probabilities are
#: clipped to [1e-6, 1 - 1e-6] (|logit| <= 13.8), so certain answers always rank outside them.
_CERTAIN = 20.0
_EPS = 1e-6


def _rendering_metadata(dataset: Any, role: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(targets (N, K), identities (N, I), identity_of_class (K,)) of a dataset, checked."""
    missing = [a for a in ("targets", "identities", "identity_of_class") if not hasattr(dataset, a)]
    if missing:
        raise ValueError(
            f"oracles: the {role} dataset ({type(dataset).__name__}) does not record what it "
            f"rendered (no {', '.join(missing)}); oracles need a procedural dataset such as "
            "SyntheticScenes."
        )
    targets = np.asarray(dataset.targets, dtype=np.float64)
    identities = np.asarray(dataset.identities, dtype=np.float64)
    identity_of_class = np.asarray(dataset.identity_of_class, dtype=np.int64)
    if targets.ndim != 2 or len(targets) == 0:
        raise ValueError(f"oracles: the {role} dataset has no samples (targets {targets.shape}).")
    return targets, identities, identity_of_class


def _check_pair(train: Any, test: Any) -> tuple[np.ndarray, ...]:
    y_train, z_train, ident = _rendering_metadata(train, "train")
    y_test, z_test, ident_test = _rendering_metadata(test, "test")
    if tuple(train.classes) != tuple(test.classes) or not np.array_equal(ident, ident_test):
        raise ValueError(
            "oracles: the train and test datasets must share classes and visual identities "
            "(same source and pairs); build both with the same arguments except split and "
            "num_samples."
        )
    return y_train, z_train, y_test, z_test, ident


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1.0 - _EPS)
    return np.log(p) - np.log1p(-p)


def _certain_logits(z_test: np.ndarray, ident: np.ndarray) -> np.ndarray:
    """+/- _CERTAIN from each class's identity presence: exact for classes with their own glyph.

    Shapes:
        z_test: (N, I); ident: (K,); returns (N, K).
    """
    return np.where(z_test[:, ident] > 0, _CERTAIN, -_CERTAIN)


def _paired(ident: np.ndarray) -> np.ndarray:
    """Indices of the classes whose identity is shared with another class."""
    counts = np.bincount(ident)
    return np.flatnonzero(counts[ident] > 1)


def pixels_only_logits(train: Any, test: Any) -> np.ndarray:
    """The pixels-only oracle: identity presence, and P(class | identity present) for pairs.

    Args:
        train: the dataset the probabilities are estimated on (its train split).
        test: the dataset scored.

    Returns:
        logits (N_test, K), float64.
    """
    y_train, z_train, _, z_test, ident = _check_pair(train, test)
    logits = _certain_logits(z_test, ident)
    for k in _paired(ident):
        shown = z_train[:, ident[k]] > 0  # (N_train,)
        p = (y_train[shown, k].sum() + 1.0) / (shown.sum() + 2.0)
        present = z_test[:, ident[k]] > 0
        logits[present, k] = _logit(np.array(p))
    return logits


def _fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50, tol: float = 1e-10
) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method; the bias is not penalised.

    Minimises ``sum(log(1 + exp(-s * (x w))) ) + l2 / 2 * |w[:-1]|^2`` over ``w`` with the
    last column of ``x`` the constant 1.

    Shapes:
        x: (N, F + 1); y: (N,) in {0, 1}; returns w (F + 1,).
    """
    n_features = x.shape[1]
    penalty = np.full(n_features, l2)
    penalty[-1] = 1e-8  # the bias, a hair of ridge so the Hessian stays invertible
    w = np.zeros(n_features)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))  # (N,)
        gradient = x.T @ (p - y) + penalty * w  # (F + 1,)
        hessian = (x * (p * (1.0 - p))[:, None]).T @ x + np.diag(penalty)  # (F + 1, F + 1)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < tol:
            break
    return w


def pixels_context_logits(train: Any, test: Any, l2: float = 1.0) -> np.ndarray:
    """The pixels+context oracle: as pixels-only, but a paired class whose glyph is present is
    scored by a logistic regression on the presence of every other identity.

    Args:
        train: the dataset the regressions are fitted on (its train split).
        test: the dataset scored.
        l2: ridge strength on the regression weights (on the summed log-loss).

    Returns:
        logits (N_test, K), float64.
    """
    if l2 < 0:
        raise ValueError(f"pixels_context_logits: l2 must be >= 0, got {l2}.")
    y_train, z_train, _, z_test, ident = _check_pair(train, test)
    logits = _certain_logits(z_test, ident)
    num_identities = z_train.shape[1]
    for k in _paired(ident):
        others = np.arange(num_identities) != ident[k]  # (I,)
        shown = z_train[:, ident[k]] > 0
        x = np.concatenate([z_train[shown][:, others], np.ones((shown.sum(), 1))], axis=1)
        if len(x) == 0:  # the glyph never appears in training: nothing to learn, say 1/2
            w = np.zeros(num_identities)
        else:
            w = _fit_logistic(x, y_train[shown, k], l2)
        present = z_test[:, ident[k]] > 0
        x_test = np.concatenate([z_test[present][:, others], np.ones((present.sum(), 1))], axis=1)
        logits[present, k] = _logit(1.0 / (1.0 + np.exp(-(x_test @ w))))
    return logits


def oracle_logits(train: Any, test: Any) -> dict[str, np.ndarray]:
    """Both oracles' logits on ``test``, fitted on ``train``: ``{name: (N_test, K)}``."""
    return {
        "pixels-only": pixels_only_logits(train, test),
        "pixels+context": pixels_context_logits(train, test),
    }


def oracle_metrics(train: Any, test: Any, **conventions: Any) -> dict[str, dict[str, float]]:
    """Both oracles scored with the models' metrics.

    Args:
        train: the train split (the oracles are fitted on it only).
        test: the test split (scored).
        **conventions: passed to :func:`mlrkit.metrics.functional.multilabel_metrics`
            (``top_k``, ``ap_mode``, ...), so that the oracles use the models' conventions.

    Returns:
        ``{"pixels-only": {"mAP": ..., 12 P/R/F1 figures}, "pixels+context": {...}}``, percent.
    """
    from mlrkit.metrics.functional import multilabel_metrics

    targets = np.asarray(test.targets)
    return {
        name: multilabel_metrics(logits, targets, **conventions)
        for name, logits in oracle_logits(train, test).items()
    }


def oracle_scores(
    train: Mapping[str, Any], test: Mapping[str, Any], conventions: Mapping[str, Any]
) -> dict[str, dict[str, float]]:
    """Both oracles' figures and per-class AP on the datasets two configs build.

    Args:
        train: config of the train dataset (its registered ``type`` and arguments); the oracles
            are fitted on it only.
        test: config of the test dataset (scored).
        conventions: passed to :func:`mlrkit.metrics.functional.evaluate` (``top_k``,
            ``ap_mode``, ...), so that the oracles use the models' conventions.

    Returns:
        ``{"pixels-only": {"mAP": ..., 12 P/R/F1 figures, "AP/<class>": ...}, ...}``, percent;
        a class without a positive in the test split has no ``AP/<class>``.
    """
    from mlrkit.metrics.functional import evaluate
    from mlrkit.registry import DATASETS

    train_set, test_set = DATASETS.build(dict(train)), DATASETS.build(dict(test))
    out: dict[str, dict[str, float]] = {}
    for name, logits in oracle_logits(train_set, test_set).items():
        figures, ap = evaluate(logits, test_set.targets, **conventions)
        out[name] = {k: float(v) for k, v in figures.items()}
        for cls, value in zip(test_set.classes, ap.tolist()):
            if value == value:  # classes without a positive have no AP
                out[name][f"AP/{cls}"] = float(value)
    return out


def share_of_gap(model: Any, pixels: Any, context: Any, min_gap: float = 1.0) -> Any:
    """A model's share of the context gap: ``(model - pixels) / (context - pixels)``.

    0 means the model does no better than a perfect perceiver without context, 1 that it
    reaches the context oracle. Where the gap is below ``min_gap`` (e.g. ``pairs=()``, where the
    two oracles coincide) the share means nothing and is NaN.

    Args:
        model: the model's figure (e.g. mAP), a float or an array.
        pixels: the pixels-only oracle's figure.
        context: the pixels+context oracle's figure.
        min_gap: the smallest gap (in the figure's units, percent points) that counts.

    Returns:
        a float (or an array, for array input).
    """
    model, pixels, context = (np.asarray(v, dtype=np.float64) for v in (model, pixels, context))
    gap = context - pixels
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(gap >= min_gap, (model - pixels) / np.where(gap == 0, 1.0, gap), np.nan)
    return float(share) if share.ndim == 0 else share
