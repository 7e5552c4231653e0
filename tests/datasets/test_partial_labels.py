"""Partial labels: the unknown state from the dataset through the loss to the metrics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate

from mlrkit.datasets.synthetic_scenes import SyntheticScenes
from mlrkit.losses.asymmetric_loss import AsymmetricLoss
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.metrics.functional import average_precision, multilabel_metrics
from mlrkit.metrics.multilabel_metric import MultiLabelMetric


def scenes(label_drop: float, num: int = 400, **kwargs) -> SyntheticScenes:
    return SyntheticScenes(num_samples=num, image_size=16, label_drop=label_drop, **kwargs)


def test_label_drop_hides_positives_and_negatives_at_rate_p_deterministically():
    full, dropped = scenes(0.0), scenes(0.3)
    unknown = dropped.unknown
    assert not full.unknown.any() and unknown.shape == full.targets.shape
    assert 0.25 < unknown.mean() < 0.35
    truth = full.targets.astype(bool)
    assert unknown[truth].any() and unknown[~truth].any()  # both states get hidden
    # hidden entries read 0, the others keep their label; the pictures are the same
    assert not dropped.targets[unknown].any()
    assert np.array_equal(dropped.targets[~unknown], full.targets[~unknown])
    assert torch.equal(dropped[3]["inputs"], full[3]["inputs"])
    # same seed -> same mask; a larger N extends it; another seed or split draws another
    assert np.array_equal(scenes(0.3).unknown, unknown)
    assert np.array_equal(scenes(0.3, num=100).unknown, unknown[:100])
    assert not np.array_equal(scenes(0.3, seed=1).unknown, unknown)
    assert not np.array_equal(scenes(0.3, split="val").unknown[:50], unknown[:50])
    assert scenes(0.3).cache_key() != full.cache_key()


def test_samples_carry_the_unknown_mask_and_collate():
    ds = scenes(0.5, num=8)
    sample = ds[0]["data_samples"]
    assert sample["unknown"].dtype == torch.bool
    assert torch.equal(sample["unknown"], torch.from_numpy(ds.unknown[0]))
    assert not sample["gt_label"][sample["unknown"]].any()
    batch = default_collate([ds[i] for i in range(4)])
    assert batch["data_samples"]["unknown"].shape == (4, ds.num_classes)


@pytest.mark.parametrize("bad", [-0.1, 1.0, True])
def test_label_drop_out_of_range_names_the_class(bad):
    with pytest.raises(ValueError, match="SyntheticScenes: label_drop"):
        scenes(bad, num=4)


@pytest.mark.parametrize("loss", [BinaryCrossEntropyLoss(), AsymmetricLoss()])
def test_losses_ignore_whatever_the_target_says_at_unknown_entries(loss):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 5, generator=g, requires_grad=True)
    targets = (torch.rand(6, 5, generator=g) > 0.5).float()
    unknown = torch.rand(6, 5, generator=g) > 0.6
    flipped = torch.where(unknown, 1 - targets, targets)
    a = loss(logits, targets, unknown)
    (grad_a,) = torch.autograd.grad(a, logits)
    b = loss(logits, flipped, unknown)
    (grad_b,) = torch.autograd.grad(b, logits)
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(grad_a, grad_b)
    assert not grad_a[unknown].any() and grad_a[~unknown].abs().sum() > 0
    # the known entries alone give the same value (ASL sums, BCE averages over them)
    keep = ~unknown
    loss_known = loss.elementwise(logits, targets)[keep]
    expected = loss_known.sum() if loss.reduction == "sum" else loss_known.mean()
    torch.testing.assert_close(a, expected)


def test_metrics_leave_unknown_entries_out_per_class():
    # Class 0: the top-scored sample is a negative; hiding it makes class 0 perfect.
    scores = torch.tensor([[3.0, 1.0], [2.0, -1.0], [1.0, 2.0], [-1.0, -2.0]])
    targets = torch.tensor([[0, 1], [1, 0], [1, 1], [0, 0]])
    unknown = torch.tensor([[True, False], [False, False], [False, False], [False, False]])
    ap = average_precision(scores, targets).tolist()
    assert ap[0] == pytest.approx(100 * (1 / 2 + 2 / 3) / 2)
    ap_known = average_precision(scores, targets, unknown=unknown).tolist()
    assert ap_known == pytest.approx([100.0, 100.0])
    # same as deleting the entry: the equivalent difficult entry with mode "ignore"
    m_unknown = multilabel_metrics(scores, targets, unknown=unknown, top_k=1)
    m_difficult = multilabel_metrics(scores, targets, unknown.clone(), top_k=1)
    assert m_unknown == m_difficult
    # unknown wins over difficult_mode="positive" / "negative"
    for mode in ("positive", "negative"):
        m = multilabel_metrics(scores, targets, unknown=unknown, difficult_mode=mode, top_k=1)
        assert m == m_unknown
    # a positive target at an unknown entry is not used
    flipped = torch.where(unknown, 1 - targets, targets)
    assert multilabel_metrics(scores, flipped, unknown=unknown, top_k=1) == m_unknown
    with pytest.raises(ValueError, match="unknown has shape"):
        average_precision(scores, targets, unknown=unknown[:2])


def test_multilabel_metric_reads_unknown_from_the_samples():
    scores = torch.tensor([[3.0, 1.0], [2.0, -1.0], [1.0, 2.0], [-1.0, -2.0]])
    targets = torch.tensor([[0.0, 1], [1, 0], [1, 1], [0, 0]])
    unknown = torch.zeros(4, 2, dtype=torch.bool)
    unknown[0, 0] = True
    metric = MultiLabelMetric(top_k=1)
    metric.process(
        None,
        [{"scores": s, "gt_label": t, "unknown": u} for s, t, u in zip(scores, targets, unknown)],
    )
    result = metric.evaluate(size=4)
    assert result["multilabel/AP/0"] == pytest.approx(100.0)


def test_label_statistics_of_a_partially_labelled_dataset_use_known_entries(tmp_path):
    from mlrkit.graph import LabelStatistics, label_statistics_for

    ds = scenes(0.4)
    stats = label_statistics_for(ds, tmp_path)
    assert stats == LabelStatistics.from_targets(ds.targets, ds.classes, ds.unknown)
    assert stats.known_pairs is not None
    assert label_statistics_for(ds, tmp_path) == stats  # read back from the cache
