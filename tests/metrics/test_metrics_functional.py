"""mlrkit.metrics.functional against hand-computed cases and a plain-loop reference.

The reference below follows docs/maths.md ("Metrics") literally, one class and one sample at a time,
with Python lists and floats: a code path that shares nothing with the vectorised one.
"""

from __future__ import annotations

import doctest
import itertools
import math

import numpy as np
import pytest
import torch

import mlrkit.metrics.functional as functional
from mlrkit.metrics.functional import (
    AP_MODES,
    DIFFICULT_MODES,
    average_precision,
    metric_names,
    multilabel_metrics,
)

# --------------------------------------------------------------------------- reference


def reference_ap(scores, targets, difficult, difficult_mode, ap_mode):
    """AP per class (percent, NaN without positives) with plain loops."""
    num_samples, num_classes = len(scores), len(scores[0])
    result = []
    for k in range(num_classes):
        items = []  # (score, sample index, is positive) of the samples AP counts
        for i in range(num_samples):
            label = targets[i][k]
            if difficult[i][k]:
                if difficult_mode in ("ignore", "negative"):
                    continue
                label = 1
            items.append((scores[i][k], i, label))
        items.sort(key=lambda item: (-item[0], item[1]))  # descending; ties in sample order
        num_pos = sum(item[2] for item in items)
        if num_pos == 0:
            result.append(math.nan)
            continue
        precisions, recalls, hits = [], [], 0
        for rank, item in enumerate(items, start=1):
            hits += item[2]
            precisions.append(hits / rank)
            recalls.append(hits / num_pos)
        if ap_mode == "standard":
            ap = sum(p for p, item in zip(precisions, items) if item[2]) / num_pos
        elif ap_mode == "tie_grouped":
            ap = 0.0
            for score, _, label in items:
                if label:
                    at_least = [other for other in items if other[0] >= score]
                    ap += sum(other[2] for other in at_least) / len(at_least)
            ap /= num_pos
        elif ap_mode == "voc11":  # the VOC2007 devkit's loop
            ap = 0.0
            for step in range(11):
                candidates = [p for p, r in zip(precisions, recalls) if r >= step / 10]
                ap += (max(candidates) if candidates else 0.0) / 11
        else:  # "interpolated": the VOC2010 devkit's loop
            mrec = [0.0, *recalls, 1.0]
            mpre = [0.0, *precisions, 0.0]
            for i in range(len(mpre) - 2, -1, -1):
                mpre[i] = max(mpre[i], mpre[i + 1])
            ap = sum(
                (mrec[i + 1] - mrec[i]) * mpre[i + 1]
                for i in range(len(mrec) - 1)
                if mrec[i + 1] != mrec[i]
            )
        result.append(100.0 * ap)
    return result


def reference_pr(predicted, targets, difficult, difficult_mode, cf1):
    """CP, CR, CF1, OP, OR, OF1 (percent) from 0/1 prediction lists."""
    num_samples, num_classes = len(predicted), len(predicted[0])
    nc, np_, ng = [0] * num_classes, [0] * num_classes, [0] * num_classes
    for k in range(num_classes):
        for i in range(num_samples):
            label, pred = targets[i][k], predicted[i][k]
            if difficult[i][k]:
                if difficult_mode == "ignore":
                    continue
                label = 0 if difficult_mode == "negative" else 1
            ng[k] += label
            np_[k] += pred
            nc[k] += pred and label
    precision = [nc[k] / np_[k] if np_[k] else 0.0 for k in range(num_classes)]
    with_pos = [k for k in range(num_classes) if ng[k]]
    cp = sum(precision) / num_classes
    cr = sum(nc[k] / ng[k] for k in with_pos) / len(with_pos)

    def f1(p, r):
        return 2 * p * r / (p + r) if p + r else 0.0

    if cf1 == "harmonic":
        cf1_value = f1(cp, cr)
    else:
        cf1_value = sum(f1(precision[k], nc[k] / ng[k]) for k in with_pos) / len(with_pos)
    op = sum(nc) / sum(np_) if sum(np_) else 0.0
    or_ = sum(nc) / sum(ng)
    values = [cp, cr, cf1_value, op, or_, f1(op, or_)]
    return {name: 100.0 * v for name, v in zip(["CP", "CR", "CF1", "OP", "OR", "OF1"], values)}


def reference_metrics(
    scores, targets, difficult, *, threshold, difficult_mode, cf1, top_k, top_k_mode, ap_mode
):
    num_samples, num_classes = len(scores), len(scores[0])
    if difficult is None:
        difficult = [[False] * num_classes for _ in range(num_samples)]
    aps = reference_ap(scores, targets, difficult, difficult_mode, ap_mode)
    out = {"mAP": sum(a for a in aps if a == a) / sum(1 for a in aps if a == a)}
    predicted = [[int(1.0 / (1.0 + math.exp(-s)) >= threshold) for s in row] for row in scores]
    predicted_k = []
    for i, row in enumerate(scores):
        best = sorted(range(num_classes), key=lambda k: (-row[k], k))[:top_k]
        keep = [0] * num_classes
        for k in best:
            keep[k] = predicted[i][k] if top_k_mode == "thresholded" else 1
        predicted_k.append(keep)
    out.update(reference_pr(predicted, targets, difficult, difficult_mode, cf1))
    for name, value in reference_pr(predicted_k, targets, difficult, difficult_mode, cf1).items():
        out[f"{name}@{top_k}"] = value
    return out, aps


def random_case(seed: int, num_samples: int = 37, num_classes: int = 7):
    """Quantised scores (many ties), a class without positives, a class whose only positives
    are difficult, all-zero rows, random difficult entries."""
    rng = np.random.default_rng(seed)
    targets = (rng.random((num_samples, num_classes)) < 0.3).astype(np.int64)
    scores = np.round(rng.normal(size=(num_samples, num_classes)) + 1.5 * targets - 0.7, 0)
    scores = (scores / 2).astype(np.float32)  # multiples of 0.5: ties everywhere, zeros too
    targets[:, 0] = 0  # no positive at all
    targets[:4] = 0  # all-zero rows
    difficult = rng.random((num_samples, num_classes)) < 0.15
    difficult[:, 0] = False  # class 0 stays without positives in every difficult mode
    targets[:, 1] = 0
    difficult[:3, 1] = True  # class 1: positives only through difficult entries
    targets[:3, 1] = 1
    return scores, targets, difficult


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize(
    ("difficult_mode", "ap_mode"), list(itertools.product(DIFFICULT_MODES, AP_MODES))
)
@pytest.mark.parametrize(
    ("seed", "as_float64"), [(0, False), (1, False), (2, True), (3, True)], ids=str
)
def test_agrees_with_reference(seed, as_float64, difficult_mode, ap_mode):
    scores, targets, difficult = random_case(seed)
    if as_float64:  # + 0.1 keeps the ties but leaves float32: the torch stable-sort path
        scores = scores.astype(np.float64) + 0.1
    for with_difficult, threshold, cf1, top_k, top_k_mode in itertools.product(
        (True, False), (0.5, 0.7), ("harmonic", "mean_f1"), (1, 3), ("thresholded", "exact")
    ):
        options = dict(
            threshold=threshold,
            difficult_mode=difficult_mode,
            cf1=cf1,
            top_k=top_k,
            top_k_mode=top_k_mode,
            ap_mode=ap_mode,
        )
        mask = difficult if with_difficult else None
        expected, expected_ap = reference_metrics(
            scores.tolist(),
            targets.tolist(),
            None if mask is None else mask.tolist(),
            **options,
        )
        got = multilabel_metrics(scores, targets, mask, **options)
        assert list(got) == metric_names(top_k)
        for name in expected:
            assert got[name] == pytest.approx(expected[name], abs=1e-6), (name, options)
        ap = average_precision(
            scores, targets, mask, difficult_mode=difficult_mode, ap_mode=ap_mode
        )
        np.testing.assert_allclose(ap.numpy(), np.array(expected_ap), atol=1e-6)
        if ap_mode == "standard":  # class 0 has no positive; class 1 only in "positive" mode
            assert math.isnan(ap[0])
            assert math.isnan(ap[1]) == (with_difficult and difficult_mode != "positive")


def test_continuous_scores_all_ap_modes_agree_with_reference():
    rng = np.random.default_rng(5)
    targets = (rng.random((60, 4)) < 0.4).astype(np.int64)
    scores = rng.normal(size=(60, 4)) + targets
    for ap_mode in AP_MODES:
        expected = reference_ap(
            scores.tolist(), targets.tolist(), np.zeros((60, 4)), "ignore", ap_mode
        )
        got = average_precision(scores, targets, ap_mode=ap_mode)
        np.testing.assert_allclose(got.numpy(), expected, atol=1e-6)
    # Without ties, standard and tie_grouped are the same number.
    np.testing.assert_allclose(
        average_precision(scores, targets).numpy(),
        average_precision(scores, targets, ap_mode="tie_grouped").numpy(),
        atol=1e-9,
    )


def test_chunked_classes_match_one_chunk(monkeypatch):
    scores, targets, difficult = random_case(3, num_samples=50, num_classes=9)
    whole = {mode: average_precision(scores, targets, difficult, ap_mode=mode) for mode in AP_MODES}
    monkeypatch.setattr(functional, "_CHUNK_ELEMENTS", 100)  # two classes per chunk
    for mode in AP_MODES:
        chunked = average_precision(scores, targets, difficult, ap_mode=mode)
        torch.testing.assert_close(chunked, whole[mode], equal_nan=True, rtol=0, atol=0)


@pytest.mark.parametrize("need_ties", [False, True])
def test_packed_integer_sort_matches_torch_stable_sort(need_ties):
    rng = np.random.default_rng(8)
    keys = torch.from_numpy(np.round(rng.normal(size=(6, 300)) * 3).astype(np.float32))
    keys[0, :50] = -math.inf  # excluded entries
    keys[1] = 0.0  # one row of ties
    keys[2, ::2] = -1e-30  # tiny negatives, next to zero
    keys = keys + 0.0  # as _check_inputs does: -0.0 (from np.round) becomes 0.0
    expected_values, expected_order = torch.sort(keys, dim=1, descending=True, stable=True)
    order, ties = functional._rank_order(keys, need_ties=need_ties)
    torch.testing.assert_close(order, expected_order, rtol=0, atol=0)
    # The torch packing (the CUDA path), run here on the CPU: the same order and tie key.
    torch_order, torch_ties = functional._rank_order(keys, need_ties, use_numpy=False)
    torch.testing.assert_close(torch_order, expected_order, rtol=0, atol=0)
    if need_ties:
        assert torch.equal(torch_ties, ties)
    # x * (1 + 2^-28) is exact in float64 (24 + 29 bits), keeps order and ties, and is no
    # longer a float32: the torch stable-sort path.
    fallback_order, fallback_ties = functional._rank_order(keys.double() * (1 + 2**-28), need_ties)
    torch.testing.assert_close(fallback_order, expected_order, rtol=0, atol=0)
    if need_ties:  # equal codes exactly on equal scores, non-decreasing along rows
        same = expected_values[:, 1:] == expected_values[:, :-1]
        for t in (ties, fallback_ties):
            assert torch.equal(t[:, 1:] == t[:, :-1], same)
            assert bool((t[:, 1:] >= t[:, :-1]).all())
    else:
        assert ties is None


def test_top_k_indices_break_ties_by_label_index():
    rng = np.random.default_rng(9)
    scores = torch.from_numpy(np.round(rng.normal(size=(300, 12)) * 2) / 2)  # many ties
    scores[:5] = 0.0  # whole rows tied
    for k in range(1, 13):
        chosen = functional._top_k_indices(scores, k)
        assert chosen.shape == (300, k)
        for row, picked in zip(scores.tolist(), chosen.tolist()):
            best = sorted(range(12), key=lambda j: (-row[j], j))[:k]
            assert sorted(picked) == sorted(best), (k, row)


def test_float32_threshold_is_exact():
    # A float32 score just below the real logit(t), where rounding the cut to float32 would
    # wrongly predict it.
    for threshold in np.arange(0.55, 0.96, 0.01):
        cut = math.log(threshold / (1 - threshold))
        below = np.float32(cut)
        if float(below) < cut:
            break
    else:
        pytest.fail("no threshold whose logit rounds down in float32")
    scores = torch.tensor([[float(below), 5.0]], dtype=torch.float32)
    targets = torch.tensor([[1, 1]])
    m = multilabel_metrics(scores, targets, top_k=1, threshold=float(threshold))
    assert m["OR"] == 50  # only the 5.0 is predicted
    m64 = multilabel_metrics(scores.double(), targets, top_k=1, threshold=float(threshold))
    assert m64 == m


# --------------------------------------------------------------------------- by hand


def test_doctest():
    result = doctest.testmod(functional)
    assert result.attempted >= 5 and result.failed == 0


def test_tie_conventions_by_hand():
    scores = torch.tensor([[1.0], [1.0], [0.0]])
    # standard: the tie keeps sample order, so the positive (sample 0) ranks first.
    assert average_precision(scores, torch.tensor([[1], [0], [1]])).item() == pytest.approx(
        100 * (1 + 2 / 3) / 2
    )
    assert average_precision(scores, torch.tensor([[0], [1], [1]])).item() == pytest.approx(
        100 * (1 / 2 + 2 / 3) / 2
    )
    # tie_grouped: both tied samples take the precision at the end of their group (1/2).
    for targets in ([[1], [0], [1]], [[0], [1], [1]]):
        ap = average_precision(scores, torch.tensor(targets), ap_mode="tie_grouped")
        assert ap.item() == pytest.approx(100 * (1 / 2 + 2 / 3) / 2)


def test_interpolated_modes_by_hand():
    scores = torch.tensor([[5.0], [4.0], [3.0], [2.0], [1.0]])
    targets = torch.tensor([[0], [1], [0], [1], [1]])  # precisions 0, 1/2, 1/3, 2/4, 3/5
    assert average_precision(scores, targets).item() == pytest.approx(100 * 1.6 / 3)
    assert average_precision(scores, targets, ap_mode="interpolated").item() == pytest.approx(60)
    targets = torch.tensor([[1], [0], [1], [0], [0]])  # recall 1/2 at rank 1, 1 at rank 3
    # voc11: t in 0..0.5 (6 points) -> 1, t in 0.6..1 (5 points) -> 2/3.
    assert average_precision(scores, targets, ap_mode="voc11").item() == pytest.approx(
        100 * (6 + 5 * 2 / 3) / 11
    )


HAND_SCORES = [[1.0, 2.0], [1.0, -1.0], [-1.0, 0.5], [0.5, -0.5]]
HAND_TARGETS = [[1, 1], [0, 0], [1, 0], [0, 1]]
HAND_DIFFICULT = [[False, False], [True, False], [False, False], [False, True]]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # class 0: Np=2 Ng=2 Nc=1; class 1: Np=2 Ng=1 Nc=1 (difficult rows dropped)
        ("ignore", dict(mAP=(250 / 3 + 100) / 2, CP=50, CR=75, CF1=60, OP=50, OR=200 / 3)),
        # class 0: Np=3 Ng=2 Nc=1; class 1: Np=2 Ng=1 Nc=1
        ("negative", dict(mAP=(250 / 3 + 100) / 2, CP=125 / 3, CR=75, OP=40, OR=200 / 3)),
        # class 0: Np=3 Ng=3 Nc=2; class 1: Np=2 Ng=2 Nc=1; AP (1+1+3/4)/3 and (1+2/3)/2
        ("positive", dict(mAP=(275 / 3 + 250 / 3) / 2, CP=175 / 3, CR=175 / 3, OP=60, OR=60)),
    ],
)
def test_difficult_modes_by_hand(mode, expected):
    m = multilabel_metrics(
        torch.tensor(HAND_SCORES),
        torch.tensor(HAND_TARGETS),
        torch.tensor(HAND_DIFFICULT),
        difficult_mode=mode,
        top_k=1,
    )
    for name, value in expected.items():
        assert m[name] == pytest.approx(value), name
    assert m["OF1"] == pytest.approx(2 * m["OP"] * m["OR"] / (m["OP"] + m["OR"]))


def test_top_k_and_mean_f1_by_hand():
    m = multilabel_metrics(
        np.array(HAND_SCORES),
        np.array(HAND_TARGETS),
        np.array(HAND_DIFFICULT),
        top_k=1,
        cf1="mean_f1",
    )
    # Top-1 per image: class 1, class 0 (1.0 > -1.0), class 1, class 0; all >= 0.
    # ignore: class 0 counts rows 0, 2, 3 -> Np=1 Nc=0 Ng=2; class 1 rows 0, 1, 2 -> Np=2 Nc=1 Ng=1
    assert m["CP@1"] == pytest.approx(25)
    assert m["CR@1"] == pytest.approx(50)
    assert m["OP@1"] == pytest.approx(100 / 3)
    assert m["OR@1"] == pytest.approx(100 / 3)
    assert m["CF1"] == pytest.approx(100 * (2 / 4 + 2 / 3) / 2)  # per-class F1 2Nc/(Np+Ng)


def test_top_k_ties_take_the_lower_label_index():
    scores = torch.tensor([[0.5, 0.5, 0.5, -1.0], [0.0, 2.0, 2.0, 2.0]])
    targets = torch.tensor([[0, 1, 1, 0], [0, 0, 1, 1]])
    m = multilabel_metrics(scores, targets, top_k=2, top_k_mode="exact")
    # Row 0 keeps labels 0, 1 (one correct); row 1 keeps labels 1, 2 (one correct).
    assert m["OP@2"] == pytest.approx(50)
    assert m["OR@2"] == pytest.approx(50)


def test_exact_top_k_predicts_below_the_threshold():
    scores = torch.tensor([[-3.0, -2.0], [-1.0, -4.0]])
    targets = torch.tensor([[0, 1], [1, 0]])
    m = multilabel_metrics(scores, targets, top_k=1, top_k_mode="exact")
    assert m["OP@1"] == 100 and m["OR@1"] == 100 and m["CP@1"] == 100
    thresholded = multilabel_metrics(scores, targets, top_k=1)
    assert thresholded["OP@1"] == 0 and thresholded["CP"] == 0 and thresholded["CF1"] == 0


def test_no_nan_when_classes_lack_positives_and_predictions():
    scores = torch.full((3, 4), -5.0)
    scores[0, 0] = 5.0
    targets = torch.zeros(3, 4, dtype=torch.long)
    targets[0, 0] = 1
    m = multilabel_metrics(scores, targets)
    assert all(math.isfinite(v) for v in m.values())
    assert m["mAP"] == 100 and m["CR"] == 100 and m["CP"] == 25 and m["OP"] == 100


def test_threshold_is_on_the_sigmoid():
    scores = torch.tensor([[0.0, math.log(0.7 / 0.3) + 1e-9], [0.84, -0.1]], dtype=torch.float64)
    targets = torch.tensor([[1, 1], [1, 0]])
    at_half = multilabel_metrics(scores, targets, top_k=1)
    assert at_half["OR"] == pytest.approx(100)  # logit 0 is sigmoid 0.5: predicted
    at_07 = multilabel_metrics(scores, targets, top_k=1, threshold=0.7)
    assert at_07["OR"] == pytest.approx(100 / 3)  # only the logit just above logit(0.7)


def test_input_types_and_dtypes_give_identical_results():
    scores, targets, difficult = random_case(7)
    base = multilabel_metrics(scores, targets, difficult, ap_mode="tie_grouped")
    variants = [
        (torch.from_numpy(scores), torch.from_numpy(targets), torch.from_numpy(difficult)),
        (scores.astype(np.float64), targets.astype(bool), difficult.astype(np.uint8)),
        (scores.tolist(), targets.tolist(), difficult.tolist()),
    ]
    readonly = scores.copy()
    readonly.flags.writeable = False
    variants.append((readonly, targets, difficult))
    for i, (s, t, d) in enumerate(variants):
        assert multilabel_metrics(s, t, d, ap_mode="tie_grouped") == base, i


def test_negative_zero_ties_with_zero():
    scores = torch.tensor([[0.0], [-0.0], [0.0]])
    targets = torch.tensor([[0], [1], [0]])
    # One tie group of three: tie_grouped precision 1/3; standard: rank 2 -> 1/2.
    assert average_precision(scores, targets, ap_mode="tie_grouped").item() == pytest.approx(
        100 / 3
    )
    assert average_precision(scores, targets).item() == pytest.approx(50)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("scores", "targets", "difficult", "message"),
    [
        (torch.zeros(3, 2), torch.zeros(3, 3), None, "targets has shape"),
        (torch.zeros(0, 2), torch.zeros(0, 2), None, "empty"),
        (torch.zeros(3, 0), torch.zeros(3, 0), None, "empty"),
        (torch.zeros(3), torch.zeros(3), None, "2-D"),
        (torch.tensor([[0.0, math.nan]]), torch.tensor([[1, 0]]), None, "NaN/inf"),
        (torch.tensor([[0.0, math.inf]]), torch.tensor([[1, 0]]), None, "NaN/inf"),
        (torch.zeros(2, 2), torch.tensor([[2, 0], [1, 0]]), None, "only 0 and 1"),
        (torch.zeros(2, 2), torch.tensor([[-1, 0], [1, 0]]), None, "difficult = targets == 0"),
        (torch.zeros(2, 2), torch.tensor([[0.5, 0], [1, 0]]), None, "targets must hold"),
        (torch.zeros(2, 2), torch.eye(2), torch.zeros(2, 3, dtype=torch.bool), "difficult has"),
        (torch.zeros(2, 2), torch.eye(2), torch.full((2, 2), 3), "difficult must hold"),
        (torch.zeros(2, 2, dtype=torch.bool), torch.eye(2), None, "real numbers"),
        (np.array([["a", "b"]]), np.array([[1, 0]]), None, "numeric"),
        (torch.zeros(2, 2), torch.zeros(2, 2), None, "no positive"),
    ],
)
def test_bad_input_raises(scores, targets, difficult, message):
    with pytest.raises(ValueError, match=message):
        multilabel_metrics(scores, targets, difficult, top_k=1)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (dict(difficult_mode="hard"), "difficult_mode"),
        (dict(ap_mode="11point"), "ap_mode"),
        (dict(cf1="macro"), "cf1"),
        (dict(top_k_mode="strict"), "top_k_mode"),
        (dict(top_k=3), r"top_k=3 must be an integer in \[1, K\] \(K=2"),
        (dict(top_k=0), "top_k"),
        (dict(threshold=1.0), "threshold"),
        (dict(threshold=0.0), "threshold"),
    ],
)
def test_bad_option_raises(option, message):
    with pytest.raises(ValueError, match=message):
        multilabel_metrics(torch.zeros(2, 2), torch.eye(2), **{"top_k": 1, **option})


def test_average_precision_rejects_bad_input_too():
    with pytest.raises(ValueError, match="NaN/inf"):
        average_precision(torch.tensor([[math.nan]]), torch.tensor([[1]]))
    with pytest.raises(ValueError, match="ap_mode"):
        average_precision(torch.zeros(1, 1), torch.ones(1, 1), ap_mode="area")


# --------------------------------------------------------------------------- GPU


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    scores, targets, difficult = random_case(11, num_samples=500, num_classes=20)
    for ap_mode, difficult_mode in itertools.product(AP_MODES, DIFFICULT_MODES):
        options = dict(ap_mode=ap_mode, difficult_mode=difficult_mode)
        cpu = multilabel_metrics(torch.from_numpy(scores), targets, difficult, **options)
        gpu = multilabel_metrics(
            torch.from_numpy(scores).cuda(),
            torch.from_numpy(targets).cuda(),
            torch.from_numpy(difficult).cuda(),
            **options,
        )
        for name in cpu:
            assert gpu[name] == pytest.approx(cpu[name], abs=1e-9), (name, options)
        ap = average_precision(torch.from_numpy(scores).cuda(), targets, difficult, **options)
        assert ap.device.type == "cuda"
