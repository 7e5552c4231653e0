"""Label sets drawn from real co-occurrence statistics, and counter-based randomness.

Shared by the procedural datasets (:mod:`mlrkit.datasets.synthetic_scenes`,
:mod:`mlrkit.datasets.fashion_scenes`). The sampling process: each sample draws a seed label
``s`` with probability ``q_s``, then adds every other label ``j`` independently with probability
``P(j | s) = M_sj / N_s``, one round; when more than ``max_labels - 1`` labels are added, a
uniformly random subset of ``max_labels - 1`` of them is kept. ``q`` is tuned by fixed-point
rounds so that each label's share of all label occurrences matches the source's.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = [
    "counter_uniform",
    "expected_inclusion",
    "sample_label_sets",
    "source_model",
    "source_statistics",
    "tune_seed_probabilities",
]


# -- counter-based randomness ----------------------------------------------------------------
def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijective avalanche of uint64 values (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def counter_uniform(seed: int, stream: int, index: np.ndarray, num_slots: int) -> np.ndarray:
    """Uniform numbers in [0, 1) that depend only on ``(seed, stream, index, slot)``.

    A counter-based generator (SplitMix64 hashing): row ``n`` is the same whatever else is
    drawn, which makes per-sample randomness random-access and vectorised at once.

    Args:
        seed: the dataset seed (any int >= 0).
        stream: which stream (the split; a different purpose uses a different stream).
        index: sample indices, shape (N,).
        num_slots: how many numbers per sample.

    Returns:
        float64 array (N, num_slots) in [0, 1).
    """
    idx = np.asarray(index, dtype=np.uint64).reshape(-1, 1)  # (N, 1)
    key = _mix64(np.array([seed, stream], dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15))
    base = _mix64(key[:1] ^ _mix64(key[1:] + idx * np.uint64(0xD1B54A32D192ED03)))  # (N, 1)
    slots = np.arange(1, num_slots + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    bits = _mix64(base ^ slots[None, :])  # (N, num_slots)
    return (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53


# -- label sets from co-occurrence statistics ------------------------------------------------
def expected_inclusion(conditional: np.ndarray, max_labels: int | None) -> np.ndarray:
    """Probability that label j is in a sample whose seed label is s, truncation included.

    Given seed ``s``, label ``j`` is added with probability ``P[s, j]``; if more than
    ``L = max_labels - 1`` labels were added, a uniform random ``L`` of them are kept, so
    ``C[s, j] = P[s, j] * E[min(1, L / (A + 1))]`` with ``A`` the number of other labels added
    (a Poisson-binomial variable, computed exactly by dynamic programming).

    Args:
        conditional: P (K, K), P[s, j] = P(j | s), zero diagonal.
        max_labels: most labels per sample, or None for no limit.

    Returns:
        C (K, K) with C[s, s] = 1.
    """
    k = conditional.shape[0]
    p = conditional.astype(np.float64).copy()
    np.fill_diagonal(p, 0.0)
    if max_labels is None:
        return p + np.eye(k)
    pmf = np.zeros((k, k, k + 1))  # (seed s, label j, number a of OTHER labels added)
    pmf[:, :, 0] = 1.0
    for other in range(k):
        q = np.repeat(p[:, other : other + 1], k, axis=1)  # (K_s, K_j): P(other | s)
        q[:, other] = 0.0  # label j=other is not one of j's "other" labels
        shifted = np.zeros_like(pmf)
        shifted[:, :, 1:] = pmf[:, :, :-1]
        pmf = pmf * (1.0 - q)[:, :, None] + shifted * q[:, :, None]
    keep = max_labels - 1
    weight = np.minimum(1.0, keep / (np.arange(k + 1) + 1.0))  # (K+1,)
    inclusion = p * (pmf @ weight)  # (K, K)
    np.fill_diagonal(inclusion, 1.0)
    return inclusion


def tune_seed_probabilities(
    conditional: np.ndarray,
    target_share: np.ndarray,
    max_labels: int | None,
    rounds: int = 200,
    tol: float = 1e-10,
) -> np.ndarray:
    """Seed-label probabilities q whose expected label shares match ``target_share``.

    Fixed-point rounds ``q <- q * target / share(q)`` with ``share(q) = q C / sum(q C)`` and C
    from :func:`expected_inclusion`; stops when the largest share error is below ``tol``.

    Args:
        conditional: P (K, K), P[s, j] = P(j | s).
        target_share: (K,) each label's share of all label occurrences, sums to 1.
        max_labels: most labels per sample, or None.
        rounds: most fixed-point rounds.
        tol: stop when max |share - target| < tol.

    Returns:
        q (K,), non-negative, sums to 1.
    """
    inclusion = expected_inclusion(conditional, max_labels)
    target = np.asarray(target_share, dtype=np.float64)
    q = target.copy()
    for _ in range(rounds):
        counts = q @ inclusion  # (K,) expected count of each label per sample
        share = counts / counts.sum()
        if np.max(np.abs(share - target)) < tol:
            break
        q = q * target / np.maximum(share, 1e-300)
        q /= q.sum()
    return q


def sample_label_sets(
    seed_probs: np.ndarray,
    conditional: np.ndarray,
    max_labels: int | None,
    uniforms: np.ndarray,
) -> np.ndarray:
    """Label sets drawn by the seed-and-add process, from pre-drawn uniform numbers.

    Args:
        seed_probs: q (K,), the seed-label distribution.
        conditional: P (K, K), P[s, j] = P(j | s).
        max_labels: most labels per sample, or None.
        uniforms: (N, 1 + 2K) uniforms in [0, 1): the seed, the K additions, K tie keys.

    Returns:
        (N, K) uint8 targets.
    """
    k = seed_probs.shape[0]
    n = uniforms.shape[0]
    cdf = np.cumsum(seed_probs)
    seeds = np.minimum(np.searchsorted(cdf, uniforms[:, 0] * cdf[-1], side="right"), k - 1)
    rows = np.arange(n)
    added = uniforms[:, 1 : k + 1] < conditional[seeds]  # (N, K)
    added[rows, seeds] = False
    if max_labels is not None:
        keep = max_labels - 1
        keys = np.where(added, uniforms[:, k + 1 : 2 * k + 1], 2.0)  # (N, K); 2 = not added
        if keep == 0:
            added[:] = False
        else:
            kth = np.partition(keys, keep - 1, axis=1)[:, keep - 1 : keep]  # (N, 1)
            added &= keys <= kth
    added[rows, seeds] = True
    return added.astype(np.uint8)


@functools.lru_cache(maxsize=8)
def source_statistics(source: str):
    """The shipped real statistics ``"voc"`` or ``"coco"`` as a
    :class:`mlrkit.graph.LabelStatistics` (read once per process)."""
    from mlrkit.graph import LabelStatistics

    return LabelStatistics.shipped(source)


@functools.lru_cache(maxsize=8)
def source_model(source: str, max_labels: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(P (K, K), tuned seed probabilities q (K,)) of a shipped source, computed once per
    process; ``P[i, j] = P(j | i)``."""
    stats = source_statistics(source)
    share = stats.counts / stats.counts.sum()  # (K,) share of all label occurrences
    conditional = stats.conditional()
    return conditional, tune_seed_probabilities(conditional, share, max_labels)
