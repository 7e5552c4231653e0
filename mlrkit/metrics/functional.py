"""Multi-label evaluation, the pure maths (docs/maths.md, "Metrics"): AP, mAP and the P/R/F1 family.

Everything is vectorised over samples and classes: one sort along the sample axis for all K
classes at once, then every AP quantity is read at the positives only; no Python loop over
samples. Memory stays O(N*K) (classes are processed in chunks, so the sort's temporaries stay
bounded). Inputs may be torch tensors (CPU or CUDA) or numpy arrays, in any real dtype; the
work runs on the device of ``scores``, comparisons are exact in the scores' own precision
(float32 stays float32, other dtypes become float64) and the AP/P/R arithmetic is float64.
Every figure is in percent.

Conventions (each one a keyword option; defaults follow ML-GCN; docs/conventions.md lists who
uses which):

- **Scores** are logits. A label is predicted where ``sigmoid(score) >= threshold``, evaluated
  exactly as ``score >= log(threshold / (1 - threshold))`` (``score >= 0`` for 0.5).
- **AP** of class k (``ap_mode``):

  * ``"standard"``: sort the N scores descending with a *stable* sort, so tied samples keep
    their sample order (the lower sample index ranks first); AP is the mean over the positives
    of the precision at each positive's rank (non-interpolated, as ML-GCN and mmpretrain).
  * ``"tie_grouped"``: as standard, but all samples tied on a score share the precision at
    the end of their tie group (the precision of the threshold ``score >= s``). This does not
    depend on sample order and equals scikit-learn's / torchmetrics' average precision.
  * ``"voc11"``: the 11-point interpolated AP of VOC2007: the mean over t in {0, 0.1, ..., 1}
    of the highest precision at any rank whose recall is >= t (recall >= t is decided in exact
    integer arithmetic), on the stable-sort precision/recall curve.
  * ``"interpolated"``: the all-point interpolated AP of VOC2010-2012: like standard, but each
    positive takes the highest precision at its rank or any later rank.

  mAP is the mean of AP over the classes that have at least one positive; ``average_precision``
  returns NaN for a class without positives.
- **Difficult** labels (``difficult_mode``; the target value at a difficult entry is not used):

  * ``"ignore"``: the entry is excluded from AP and from every P/R count (default).
  * ``"negative"``: excluded from AP, counted as a negative in P/R (ML-GCN).
  * ``"positive"``: counted as a positive in AP and in P/R.
- **Unknown** labels (``unknown``, partial labels such as Open Images' unverified ones or
  ``label_drop``): the entry is excluded from AP and from every P/R count, whatever
  ``difficult_mode`` says (the target value there is not used). A class is thus scored on the
  images where its label is known; a class whose known entries hold no positive has no AP.
- **P/R per class** from Ng (#positives), Np (#predicted), Nc (#correct):
  ``CP`` = mean over all K classes of Nc/Np, a class with Np = 0 counting as precision 0
  (ML-GCN); ``CR`` = mean of Nc/Ng over the classes with Ng > 0; ``CF1`` (``cf1``) is
  ``"harmonic"`` = 2 CP CR / (CP + CR) (ML-GCN) or ``"mean_f1"`` = the mean over the classes
  with Ng > 0 of the per-class F1 2 Nc / (Np + Ng). ``OP`` = sum Nc / sum Np (0 when nothing is
  predicted), ``OR`` = sum Nc / sum Ng, ``OF1`` = 2 OP OR / (OP + OR). An F1 whose precision
  and recall are both 0 is 0.
- **Top-k** (``top_k``, ``top_k_mode``): each image keeps its k highest scores (ties broken by
  the lower label index), which are ``"thresholded"`` as usual (ML-GCN) or all predicted
  (``"exact"``). The k slots are chosen among all K labels, difficult and unknown ones
  included; the difficult mode and the unknown mask then apply to the counts.

Example:
    >>> import torch
    >>> scores = torch.tensor([[2.0, -1.0], [0.5, 1.0], [-0.5, -2.0]])  # logits (N=3, K=2)
    >>> targets = torch.tensor([[1, 0], [0, 1], [1, 0]])
    >>> [round(v, 4) for v in average_precision(scores, targets).tolist()]  # (1 + 2/3) / 2
    [83.3333, 100.0]
    >>> m = multilabel_metrics(scores, targets, top_k=1)
    >>> {k: round(v, 2) for k, v in m.items() if k in ("mAP", "CP", "CR", "OP", "OR", "OF1")}
    {'mAP': 91.67, 'CP': 75.0, 'CR': 75.0, 'OP': 66.67, 'OR': 66.67, 'OF1': 66.67}
    >>> round(m["OP@1"], 2), round(m["OR@1"], 2)  # image 2's top-1 (-0.5) is below threshold
    (100.0, 66.67)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import Tensor

__all__ = [
    "AP_MODES",
    "CF1_MODES",
    "DIFFICULT_MODES",
    "TOP_K_MODES",
    "average_precision",
    "evaluate",
    "metric_names",
    "multilabel_metrics",
]

DIFFICULT_MODES = ("ignore", "negative", "positive")
AP_MODES = ("standard", "tie_grouped", "voc11", "interpolated")
CF1_MODES = ("harmonic", "mean_f1")
TOP_K_MODES = ("thresholded", "exact")

# Classes are sorted in chunks of about this many (N*chunk) elements, which bounds the sort's
# temporaries (a few float64/int64 arrays of that size) whatever N is.
_CHUNK_ELEMENTS = 1 << 24


def metric_names(top_k: int = 3) -> list[str]:
    """The keys of :func:`multilabel_metrics`'s result, in table order (paper Table I).

    Args:
        top_k: The k of the top-k figures.

    Returns:
        ``["mAP", "CP", "CR", "CF1", "OP", "OR", "OF1", "CP@k", ..., "OF1@k"]``.
    """
    base = ["CP", "CR", "CF1", "OP", "OR", "OF1"]
    return ["mAP", *base, *(f"{name}@{top_k}" for name in base)]


def average_precision(
    scores: Tensor | np.ndarray,
    targets: Tensor | np.ndarray,
    difficult: Tensor | np.ndarray | None = None,
    *,
    difficult_mode: str = "ignore",
    ap_mode: str = "standard",
    unknown: Tensor | np.ndarray | None = None,
) -> Tensor:
    """Average precision of every class, in percent (conventions: see the module docstring).

    Args:
        scores: Logits (any monotone score works for AP).
        targets: 0/1 ground truth.
        difficult: Optional mask of difficult entries.
        difficult_mode: ``"ignore"`` | ``"negative"`` (both exclude difficult entries from AP)
            | ``"positive"`` (difficult entries are positives).
        ap_mode: ``"standard"`` | ``"tie_grouped"`` | ``"voc11"`` | ``"interpolated"``.
        unknown: Optional mask of unknown entries (always excluded).

    Returns:
        AP per class, float64 on the device of ``scores``; NaN where a class has no positive.

    Raises:
        ValueError: On a shape mismatch, empty input, non-finite scores, targets or difficult
            entries outside {0, 1}, or an unknown mode.

    Shapes:
        - scores: (N, K)
        - targets: (N, K)
        - difficult: (N, K) or None
        - output: (K,)
    """
    _check_choice("difficult_mode", difficult_mode, DIFFICULT_MODES)
    _check_choice("ap_mode", ap_mode, AP_MODES)
    scores, targets, difficult = _check_inputs(scores, targets, difficult)
    unknown = _check_mask(unknown, "unknown", scores)
    positives, excluded = _ap_labels(targets, difficult, difficult_mode, unknown)
    return _average_precision(scores, positives, excluded, ap_mode)


def multilabel_metrics(
    scores: Tensor | np.ndarray,
    targets: Tensor | np.ndarray,
    difficult: Tensor | np.ndarray | None = None,
    *,
    threshold: float = 0.5,
    difficult_mode: str = "ignore",
    cf1: str = "harmonic",
    top_k: int = 3,
    top_k_mode: str = "thresholded",
    ap_mode: str = "standard",
    unknown: Tensor | np.ndarray | None = None,
) -> dict[str, float]:
    """mAP and the P/R/F1 family, overall, per class and at top-k, in percent.

    Args:
        scores: Logits.
        targets: 0/1 ground truth.
        difficult: Optional mask of difficult entries.
        threshold: Predict where ``sigmoid(score) >= threshold``; in (0, 1).
        difficult_mode: ``"ignore"`` | ``"negative"`` | ``"positive"``.
        cf1: ``"harmonic"`` (2 CP CR / (CP + CR)) | ``"mean_f1"`` (mean per-class F1).
        top_k: How many labels each image keeps for the ``@k`` figures; 1 <= top_k <= K.
        top_k_mode: ``"thresholded"`` (the k, still subject to the threshold) | ``"exact"``.
        ap_mode: ``"standard"`` | ``"tie_grouped"`` | ``"voc11"`` | ``"interpolated"``.
        unknown: Optional mask of unknown entries, excluded from AP and every P/R count.

    Returns:
        ``{"mAP", "CP", "CR", "CF1", "OP", "OR", "OF1", "CP@k", "CR@k", "CF1@k", "OP@k",
        "OR@k", "OF1@k"}`` as Python floats (see :func:`metric_names`), never NaN.

    Raises:
        ValueError: On bad input (see :func:`average_precision`), a bad option, or when no
            class has a positive label (mAP, CR and OR are then undefined).

    Shapes:
        - scores: (N, K)
        - targets: (N, K)
        - difficult: (N, K) or None
    """
    figures, _ = evaluate(
        scores,
        targets,
        difficult,
        threshold=threshold,
        difficult_mode=difficult_mode,
        cf1=cf1,
        top_k=top_k,
        top_k_mode=top_k_mode,
        ap_mode=ap_mode,
        unknown=unknown,
    )
    return figures


def evaluate(
    scores: Tensor | np.ndarray,
    targets: Tensor | np.ndarray,
    difficult: Tensor | np.ndarray | None = None,
    *,
    threshold: float = 0.5,
    difficult_mode: str = "ignore",
    cf1: str = "harmonic",
    top_k: int = 3,
    top_k_mode: str = "thresholded",
    ap_mode: str = "standard",
    unknown: Tensor | np.ndarray | None = None,
) -> tuple[dict[str, float], Tensor]:
    """:func:`multilabel_metrics` and the per-class AP it was computed from, in one pass.

    Same arguments as :func:`multilabel_metrics`.

    Returns:
        The figures dict, and the AP of every class (K,) float64 with NaN where a class has no
        positive (the per-class AP table, paper Table II).
    """
    _check_choice("difficult_mode", difficult_mode, DIFFICULT_MODES)
    _check_choice("cf1", cf1, CF1_MODES)
    _check_choice("top_k_mode", top_k_mode, TOP_K_MODES)
    _check_choice("ap_mode", ap_mode, AP_MODES)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise ValueError(f"threshold must be a number in (0, 1), got {threshold!r}")
    if not 0.0 < threshold < 1.0:
        raise ValueError(
            f"threshold={threshold} is applied after the sigmoid and must lie in (0, 1)"
        )
    scores, targets, difficult = _check_inputs(scores, targets, difficult)
    unknown = _check_mask(unknown, "unknown", scores)
    num_classes = scores.shape[1]
    if (
        isinstance(top_k, bool)
        or not isinstance(top_k, (int, np.integer))
        or not (1 <= top_k <= num_classes)
    ):
        raise ValueError(
            f"top_k={top_k!r} must be an integer in [1, K] (K={num_classes} classes here)"
        )

    positives, excluded = _ap_labels(targets, difficult, difficult_mode, unknown)
    ap = _average_precision(scores, positives, excluded, ap_mode)
    if bool(torch.isnan(ap).all()):
        raise ValueError(
            f"targets have no positive label (difficult_mode={difficult_mode!r}), so mAP, CR "
            "and OR are undefined; evaluate on data that contains at least one positive"
        )

    cut = _logit_threshold(threshold, scores.dtype)
    pr_targets, counted = _pr_labels(targets, difficult, difficult_mode, unknown)
    num_positive = _column_counts(pr_targets)  # (K,)
    predicted = scores >= cut  # (N, K)
    if counted is not None:
        predicted &= counted
    counts = {"": (_column_counts(predicted & pr_targets), _column_counts(predicted))}

    # Top-k: read everything at the (N, k) chosen entries, then count per class.
    chosen = _top_k_indices(scores, int(top_k))  # (N, k)
    keep = torch.ones(chosen.shape, dtype=torch.bool, device=chosen.device)  # (N, k)
    if top_k_mode == "thresholded":
        keep &= scores.gather(1, chosen) >= cut
    if counted is not None:
        keep &= counted.gather(1, chosen)
    hit = keep & pr_targets.gather(1, chosen)  # (N, k)
    flat = chosen.reshape(-1)  # (N*k,)
    zeros = torch.zeros(num_classes, dtype=torch.float64, device=scores.device)
    counts[f"@{top_k}"] = (
        zeros.index_add(0, flat, hit.reshape(-1).to(torch.float64)),  # (K,)
        zeros.index_add(0, flat, keep.reshape(-1).to(torch.float64)),  # (K,)
    )

    figures = {"mAP": float(ap[~torch.isnan(ap)].mean())}  # some class has a positive
    for suffix, (num_correct, num_predicted) in counts.items():
        values = _precision_recall(num_correct, num_predicted, num_positive, cf1=cf1)
        figures.update((name + suffix, value) for name, value in values.items())
    return figures, ap


# --------------------------------------------------------------------------- inputs


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(map(repr, choices))}")


def _to_tensor(x: Any, name: str) -> Tensor:
    if isinstance(x, Tensor):
        return x.detach()
    array = np.asarray(x)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    ):
        raise ValueError(f"{name} must be a numeric tensor or array, got dtype {array.dtype}")
    if not array.flags.writeable:
        array = array.copy()  # torch.from_numpy warns on read-only arrays
    return torch.from_numpy(np.ascontiguousarray(array))


def _check_binary(x: Tensor, name: str) -> Tensor:
    """``x`` as a bool tensor, or a ValueError if it holds anything but 0 and 1.

    Shapes:
        - x: (N, K) in, (N, K) bool out
    """
    if x.dtype == torch.bool:
        return x
    if x.is_complex():
        raise ValueError(f"{name} must be 0/1 or bool, got complex dtype {x.dtype}")
    if x.is_floating_point():
        ok = not bool(((x != 0) & (x != 1)).any())
    else:  # integers: one pass finds both bounds
        low, high = torch.aminmax(x)
        ok = int(low) >= 0 and int(high) <= 1
    if not ok:
        bad = (x != 0) & (x != 1)
        values = torch.unique(x[bad])[:5].tolist()
        hint = (
            " (ML-GCN-style -1/0/1 targets: pass targets == 1 and difficult = targets == 0)"
            if name == "targets" and -1 in values
            else ""
        )
        raise ValueError(
            f"{name} must hold only 0 and 1; found {int(bad.sum())} other value(s), e.g. "
            f"{values}{hint}"
        )
    return x.to(torch.bool)


def _check_inputs(
    scores: Any, targets: Any, difficult: Any
) -> tuple[Tensor, Tensor, Tensor | None]:
    """Validate and convert: float64 scores, bool targets and difficult, all on one device.

    Shapes:
        - scores, targets, difficult: (N, K) in, (N, K) out
    """
    scores = _to_tensor(scores, "scores")
    targets = _to_tensor(targets, "targets")
    if scores.ndim != 2:
        raise ValueError(
            f"scores must be 2-D (N samples, K classes), got shape {tuple(scores.shape)}; "
            "for a single class pass scores[:, None]"
        )
    if scores.shape[0] == 0 or scores.shape[1] == 0:
        raise ValueError(
            f"scores is empty (shape {tuple(scores.shape)}); need at least one sample and one class"
        )
    if targets.shape != scores.shape:
        raise ValueError(
            f"targets has shape {tuple(targets.shape)} but scores has shape "
            f"{tuple(scores.shape)}; both must be (N, K)"
        )
    if scores.dtype == torch.bool or scores.is_complex():
        raise ValueError(f"scores must be real numbers (logits), got dtype {scores.dtype}")
    # One reduction instead of an elementwise pass: NaN and inf propagate into the sum (a
    # finite sum that overflows only sends us to the exact check).
    if not bool(torch.isfinite(scores.sum())):
        finite = torch.isfinite(scores)
        if not bool(finite.all()):
            where = torch.nonzero(~finite)[0].tolist()
            raise ValueError(
                f"scores holds {int((~finite).sum())} NaN/inf value(s), the first at (sample, "
                f"class) {tuple(where)}: {scores[where[0], where[1]].item()}"
            )
    device = scores.device
    # float32 stays float32 (every comparison below is exact in it; the AP arithmetic is
    # float64); half precision widens to float32 exactly, anything else to float64.
    if scores.dtype in (torch.float16, torch.bfloat16):
        scores = scores.to(torch.float32)
    elif scores.dtype != torch.float32:
        scores = scores.to(torch.float64)
    targets = _check_binary(targets.to(device), "targets")
    return scores, targets, _check_mask(difficult, "difficult", scores)


def _check_mask(mask: Any, name: str, scores: Tensor) -> Tensor | None:
    """An optional (N, K) 0/1 mask as bool on the device of ``scores``; None when all False.

    Shapes:
        - mask: (N, K) or None in, (N, K) bool or None out
    """
    if mask is None:
        return None
    mask = _to_tensor(mask, name)
    if mask.shape != scores.shape:
        raise ValueError(
            f"{name} has shape {tuple(mask.shape)} but scores has shape "
            f"{tuple(scores.shape)}; pass a bool mask of the same (N, K) shape, or None"
        )
    mask = _check_binary(mask.to(scores.device), name)
    return mask if bool(mask.any()) else None


def _ap_labels(
    targets: Tensor, difficult: Tensor | None, mode: str, unknown: Tensor | None = None
) -> tuple[Tensor, Tensor | None]:
    """Positives for AP and the entries AP leaves out, after the difficult convention; unknown
    entries are always left out.

    Shapes:
        - targets, difficult, unknown: (N, K)
        - output: positives (N, K), excluded (N, K) or None
    """
    if difficult is None:
        positives, excluded = targets, None
    elif mode == "positive":
        positives, excluded = targets | difficult, None
    else:  # "ignore" and "negative" both leave AP alone
        positives, excluded = targets & ~difficult, difficult
    if unknown is None:
        return positives, excluded
    return positives & ~unknown, unknown if excluded is None else excluded | unknown


# --------------------------------------------------------------------------- AP


def _average_precision(
    scores: Tensor, positives: Tensor, excluded: Tensor | None, mode: str
) -> Tensor:
    """AP per class in percent (NaN without positives), classes processed in chunks.

    Shapes:
        - scores, positives, excluded: (N, K)
        - output: (K,) float64
    """
    num_samples, num_classes = scores.shape
    if excluded is not None:
        # Excluded entries sort below every finite score and are never hits, so they take no
        # rank in front of a counted sample: the ranks of the counted samples stay 1..n.
        scores = scores.masked_fill(excluded, -math.inf)
    chunk = max(1, _CHUNK_ELEMENTS // num_samples)
    out = []
    for start in range(0, num_classes, chunk):
        keys = scores[:, start : start + chunk].t().contiguous()  # (k, N)
        hits = positives[:, start : start + chunk].t().contiguous()  # (k, N)
        order, ties = _rank_order(keys, need_ties=mode == "tie_grouped")
        out.append(_ap_from_order(order, ties, hits, mode))
    return torch.cat(out)


def _rank_order(
    keys: Tensor, need_ties: bool, use_numpy: bool | None = None
) -> tuple[Tensor, Tensor | None]:
    """Sort each row descending, ties in sample order; also a key that is equal within ties.

    Scores that float32 holds exactly (float32 logits, the usual case) are packed with their
    sample index into one unique int64 per entry, ``(descending float32 code) << 31 | index``,
    so an ordinary sort of integers gives the stable order: numpy's SIMD sort on the CPU (the
    packing runs in numpy there too), a radix sort on CUDA. Other float64 scores take torch's
    stable sort.

    Args:
        keys: The scores of k classes.
        need_ties: Also return the tie key (for ``tie_grouped``).
        use_numpy: Pack and sort with numpy; default: when ``keys`` are on the CPU.

    Shapes:
        - keys: (k, N), finite or -inf
        - output: order (k, N) int64, the sample at each rank; ties (k, N) int64,
          non-decreasing along a row and equal exactly on tied scores (None unless asked)
    """
    num_rows, num_samples = keys.shape
    as_float32 = keys if keys.dtype == torch.float32 else keys.to(torch.float32)
    packable = num_samples < 1 << 31 and (
        keys.dtype == torch.float32 or torch.equal(as_float32.to(keys.dtype), keys)
    )
    if not packable:
        keys = keys + 0.0  # -0.0 -> 0.0, so the sort treats the zeros as one value
        sorted_keys, order = torch.sort(keys, dim=1, descending=True, stable=True)  # (k, N)
        ties = None
        if need_ties:
            ties = torch.zeros_like(order)
            ties[:, 1:] = (sorted_keys[:, 1:] != sorted_keys[:, :-1]).cumsum(dim=1)
        return order, ties

    # A code in [0, 2^32) that falls as the score rises: 2^31 - |x| for x >= 0 and
    # 2^31 + |x| for x < 0, which is the raw bit pattern there. -0.0 and 0.0 share 2^31.
    mask31 = (1 << 31) - 1
    if use_numpy is None:
        use_numpy = keys.device.type == "cpu"
    if use_numpy:
        bits = as_float32.numpy().view(np.uint32)  # (k, N), no copy
        code = np.where(bits >= 1 << 31, bits, np.uint32(1 << 31) - bits)  # (k, N) uint32
        packed = code.astype(np.int64)  # (k, N)
        packed <<= 31
        packed |= np.arange(num_samples)  # unique per row, < 2^63
        packed.sort(axis=1)  # numpy's SIMD sort
        order = torch.from_numpy(packed & mask31)  # (k, N)
        return order, torch.from_numpy(packed >> 31) if need_ties else None
    bits = as_float32.view(torch.int32).to(torch.int64) & 0xFFFFFFFF  # (k, N), as unsigned
    code = torch.where(bits >= 1 << 31, bits, (1 << 31) - bits)  # (k, N)
    packed = (code << 31) | torch.arange(num_samples, device=keys.device)  # (k, N)
    packed = torch.sort(packed, dim=1).values  # (k, N), radix sort on CUDA
    return packed & mask31, (packed >> 31) if need_ties else None


def _ap_from_order(order: Tensor, ties: Tensor | None, hits: Tensor, mode: str) -> Tensor:
    """AP of each row from its rank order: every quantity is read at the positives only.

    The j-th positive of a row, at rank r (1-based), has precision j / r. ``tie_grouped``
    reads instead the precision at the last rank of its tie group; ``interpolated`` the best
    precision at rank r or later (that maximum is always reached at a positive); ``voc11`` that
    envelope at the first positive whose recall j / n reaches t = i / 10.

    Shapes:
        - order: (k, N) sample index at each rank
        - ties: (k, N) or None
        - hits: (k, N) bool, by sample
        - output: (k,) float64, percent, NaN for rows without positives
    """
    num_rows, num_samples = order.shape
    device = order.device
    in_rank_order = hits.gather(1, order)  # (k, N)
    rows, positions = in_rank_order.nonzero(as_tuple=True)  # (P,) each, row-major
    if rows.numel() == 0:
        return torch.full((num_rows,), math.nan, dtype=torch.float64, device=device)
    num_pos = torch.count_nonzero(hits, dim=1)  # (k,)
    first = num_pos.cumsum(0) - num_pos  # (k,), where each row's positives start in (P,)
    nth = torch.arange(rows.numel(), device=device) - first[rows] + 1  # (P,), j: 1, 2, ...
    rank = (positions + 1).to(torch.float64)  # (P,)

    if mode == "tie_grouped":
        # One ascending key over all rows: row * 2^32 + tie code (< 2^32), flattened.
        flat = (ties + (torch.arange(num_rows, device=device) << 32)[:, None]).view(-1)  # (k*N,)
        at_pos = flat[rows * num_samples + positions]  # (P,), ascending too
        group_end = torch.searchsorted(flat, at_pos, right=True) - rows * num_samples  # (P,)
        hits_to_end = torch.searchsorted(at_pos, at_pos, right=True) - first[rows]  # (P,)
        precision = hits_to_end.to(torch.float64) / group_end.to(torch.float64)  # (P,)
    else:
        precision = nth.to(torch.float64) / rank  # (P,)

    if mode in ("voc11", "interpolated"):
        padded = torch.zeros(num_rows, int(num_pos.max()), dtype=torch.float64, device=device)
        padded[rows, nth - 1] = precision  # (k, max P), zeros after each row's positives
        envelope = padded.flip(1).cummax(dim=1).values.flip(1)  # (k, max P)
        if mode == "interpolated":
            precision = envelope[rows, nth - 1]  # (P,)
        else:
            steps = torch.arange(11, device=device)  # (11,)
            # recall j / n >= i / 10  <=>  j >= ceil(i * n / 10), in integers
            needed = ((steps[None, :] * num_pos[:, None] + 9) // 10).clamp(min=1)  # (k, 11)
            needed = needed.clamp(max=max(1, envelope.shape[1])) - 1  # rows without positives
            ap = envelope.gather(1, needed).mean(dim=1)  # (k,)
            return torch.where(num_pos > 0, 100.0 * ap, math.nan)

    total = torch.zeros(num_rows, dtype=torch.float64, device=device)
    total.index_add_(0, rows, precision)  # (k,)
    return torch.where(num_pos > 0, 100.0 * total / num_pos.clamp(min=1), math.nan)


# --------------------------------------------------------------------------- P / R


def _logit_threshold(threshold: float, dtype: torch.dtype) -> float:
    """The logit cut: sigmoid(s) >= t  <=>  s >= log(t / (1 - t)), exactly 0 for t = 0.5.

    For float32 scores it is rounded *up* to the nearest float32, so that comparing in float32
    decides ``s >= log(t / (1 - t))`` exactly (no float32 lies between the two).
    """
    value = math.log(threshold) - math.log1p(-threshold)
    if dtype == torch.float32:
        value32 = np.float32(value)
        if float(value32) < value:
            value32 = np.nextafter(value32, np.float32(np.inf))
        value = float(value32)
    return value


def _top_k_indices(scores: Tensor, k: int) -> Tensor:
    """The labels of each row's k highest scores; among tied scores the lower label wins.

    ``torch.topk`` picks arbitrarily among tied values, which only matters where the k-th and
    (k+1)-th values tie; those rows are redone with a stable sort.

    Shapes:
        - scores: (N, K)
        - output: (N, k) int64
    """
    num_samples, num_classes = scores.shape
    if k == num_classes:
        return torch.arange(num_classes, device=scores.device).expand(num_samples, k)
    values, index = torch.topk(scores, k + 1, dim=1)  # (N, k+1), descending
    boundary = torch.nonzero(values[:, k - 1] == values[:, k]).flatten()  # (B,)
    index = index[:, :k]  # (N, k)
    if boundary.numel():
        stable = torch.sort(scores[boundary], dim=1, descending=True, stable=True).indices
        index = index.clone()
        index[boundary] = stable[:, :k]  # (B, k)
    return index


def _column_counts(mask: Tensor) -> Tensor:
    """Number of True entries in each column, as float64.

    Shapes:
        - mask: (N, K) bool
        - output: (K,)
    """
    dtype = torch.int32 if mask.shape[0] < 1 << 31 else torch.int64  # int32 sums faster
    return mask.sum(dim=0, dtype=dtype).to(torch.float64)


def _pr_labels(
    targets: Tensor, difficult: Tensor | None, mode: str, unknown: Tensor | None = None
) -> tuple[Tensor, Tensor | None]:
    """Targets for the P/R counts and the entries they count, after the difficult convention;
    unknown entries are never counted.

    Shapes:
        - targets, difficult, unknown: (N, K)
        - output: targets (N, K), counted (N, K) or None (all counted)
    """
    if difficult is None:
        pr_targets, counted = targets, None
    elif mode == "ignore":
        pr_targets, counted = targets & ~difficult, ~difficult
    elif mode == "negative":
        pr_targets, counted = targets & ~difficult, None
    else:  # "positive"
        pr_targets, counted = targets | difficult, None
    if unknown is None:
        return pr_targets, counted
    return pr_targets & ~unknown, ~unknown if counted is None else counted & ~unknown


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _precision_recall(
    num_correct: Tensor, num_predicted: Tensor, num_positive: Tensor, *, cf1: str
) -> dict[str, float]:
    """CP, CR, CF1, OP, OR, OF1 in percent from the per-class counts.

    Shapes:
        - num_correct, num_predicted, num_positive: (K,)
    """
    has_positive = num_positive > 0
    class_precision = torch.where(
        num_predicted > 0, num_correct / num_predicted.clamp(min=1), 0.0
    )  # (K,)
    class_recall = num_correct[has_positive] / num_positive[has_positive]  # (K+,)
    cp = 100.0 * float(class_precision.mean())
    cr = 100.0 * float(class_recall.mean())
    if cf1 == "harmonic":
        cf1_value = _f1(cp, cr)
    else:
        f1 = 2 * num_correct / (num_predicted + num_positive)  # (K,), finite where Ng > 0
        cf1_value = 100.0 * float(f1[has_positive].mean())
    total_predicted = float(num_predicted.sum())
    op = 100.0 * float(num_correct.sum()) / total_predicted if total_predicted > 0 else 0.0
    or_ = 100.0 * float(num_correct.sum()) / float(num_positive.sum())
    return {"CP": cp, "CR": cr, "CF1": cf1_value, "OP": op, "OR": or_, "OF1": _f1(op, or_)}
