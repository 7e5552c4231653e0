"""MultiLabelMetric: the mmengine metric around mlrkit.metrics.functional."""

from __future__ import annotations

import doctest
import json
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator

import mlrkit.metrics.multilabel_metric as multilabel_metric
from mlrkit.metrics.functional import average_precision, metric_names, multilabel_metrics
from mlrkit.metrics.multilabel_metric import MultiLabelMetric
from mlrkit.registry import METRICS


def make_data(seed: int = 0, num_samples: int = 30, num_classes: int = 5):
    rng = np.random.default_rng(seed)
    targets = (rng.random((num_samples, num_classes)) < 0.35).astype(np.float32)
    targets[:, -1] = 0  # the last class has no positive
    scores = (rng.normal(size=(num_samples, num_classes)) + 2 * targets - 1).astype(np.float32)
    difficult = rng.random((num_samples, num_classes)) < 0.1
    difficult[:, -1] = False
    return torch.from_numpy(scores), torch.from_numpy(targets), torch.from_numpy(difficult)


def predict_dicts(scores, targets, difficult, start: int = 0):
    """What the classifier returns in predict mode: one dict per sample."""
    return [
        {"scores": s, "gt_label": t, "difficult": d, "index": start + i}
        for i, (s, t, d) in enumerate(zip(scores, targets, difficult))
    ]


def run_batches(metric, scores, targets, difficult, batch_size=8):
    for start in range(0, len(scores), batch_size):
        end = start + batch_size
        metric.process(
            None, predict_dicts(scores[start:end], targets[start:end], difficult[start:end], start)
        )


def test_doctest():
    result = doctest.testmod(multilabel_metric)
    assert result.attempted >= 3 and result.failed == 0


def test_registered_and_buildable_from_config():
    metric = METRICS.build(dict(type="MultiLabelMetric", ap_mode="voc11", top_k=2))
    assert isinstance(metric, MultiLabelMetric)
    assert metric.options["ap_mode"] == "voc11" and metric.prefix == "multilabel"


@pytest.mark.parametrize("difficult_mode", ["ignore", "negative", "positive"])
def test_matches_functional_api(difficult_mode):
    scores, targets, difficult = make_data()
    options = dict(difficult_mode=difficult_mode, ap_mode="tie_grouped", top_k=2, cf1="mean_f1")
    metric = MultiLabelMetric(**options)
    metric.dataset_meta = {"classes": ("a", "b", "c", "d", "e")}
    run_batches(metric, scores, targets, difficult)
    result = metric.evaluate(size=len(scores))

    expected = multilabel_metrics(scores, targets, difficult, **options)
    for name in metric_names(2):
        assert result[f"multilabel/{name}"] == pytest.approx(expected[name], abs=1e-12)
    ap = average_precision(
        scores, targets, difficult, difficult_mode=difficult_mode, ap_mode="tie_grouped"
    )
    for k, name in enumerate("abcd"):
        assert result[f"multilabel/AP/{name}"] == pytest.approx(ap[k].item(), abs=1e-12)
    assert "multilabel/AP/e" not in result  # no positive: left out, not NaN
    assert all(math.isfinite(v) for v in result.values())
    assert metric.results == []  # mmengine clears them for the next evaluation


def test_index_names_without_dataset_meta_and_no_per_class_option():
    scores, targets, difficult = make_data(1)
    metric = MultiLabelMetric(prefix="val")
    run_batches(metric, scores, targets, difficult)
    result = metric.evaluate(size=len(scores))
    assert {f"val/AP/{k}" for k in range(4)} <= set(result)

    metric = MultiLabelMetric(per_class_ap=False)
    run_batches(metric, scores, targets, difficult)
    assert sorted(metric.evaluate(size=len(scores))) == sorted(
        f"multilabel/{name}" for name in metric_names(3)
    )


def test_stores_one_compact_cpu_entry_per_sample():
    scores, targets, difficult = make_data(2, num_samples=5)
    metric = MultiLabelMetric()
    metric.process(None, predict_dicts(scores.half(), targets, difficult))
    assert len(metric.results) == 5
    stored_scores, stored_targets, stored_difficult, stored_unknown = metric.results[0]
    assert stored_scores.dtype == torch.float32 and stored_scores.device.type == "cpu"
    assert stored_targets.dtype == torch.bool and stored_difficult.dtype == torch.bool
    assert stored_unknown.dtype == torch.bool and not stored_unknown.any()
    # Each entry owns its storage: gathering across ranks must not drag the batch along.
    assert stored_scores.untyped_storage().nbytes() == 5 * 4


def test_missing_difficult_means_none_are_difficult():
    scores, targets, _ = make_data(3)
    metric = MultiLabelMetric()
    metric.process(None, [{"scores": s, "gt_label": t} for s, t in zip(scores, targets)])
    result = metric.evaluate(size=len(scores))
    assert result["multilabel/mAP"] == pytest.approx(multilabel_metrics(scores, targets)["mAP"])


def test_through_mmengine_evaluator_with_padding_dropped():
    scores, targets, difficult = make_data(4, num_samples=21)
    evaluator = Evaluator([dict(type="mlrkit.MultiLabelMetric", top_k=1)])
    evaluator.dataset_meta = {"classes": [f"c{k}" for k in range(5)]}
    assert isinstance(evaluator.metrics[0], MultiLabelMetric)
    for start in range(0, 24, 8):  # 24 samples processed: the sampler padded 3 (repeats)
        idx = [i % 21 for i in range(start, start + 8)]
        evaluator.process(predict_dicts(scores[idx], targets[idx], difficult[idx]))
    result = evaluator.evaluate(21)
    expected = multilabel_metrics(scores, targets, difficult, top_k=1)
    for name, value in expected.items():
        assert result[f"multilabel/{name}"] == pytest.approx(value, abs=1e-12)
    assert "multilabel/AP/c0" in result


def test_evaluator_accepts_the_class_as_type():
    scores, targets, difficult = make_data(5)
    evaluator = Evaluator(dict(type=MultiLabelMetric, prefix="test"))
    evaluator.process(predict_dicts(scores, targets, difficult))
    result = evaluator.evaluate(len(scores))
    assert result["test/mAP"] == pytest.approx(
        multilabel_metrics(scores, targets, difficult)["mAP"]
    )


@pytest.mark.parametrize(
    ("samples", "error", "message"),
    [
        ({"scores": torch.zeros(2, 3)}, TypeError, "list of per-sample dicts"),
        ([{"scores": torch.zeros(3)}], ValueError, r"lacks \['gt_label'\]"),
        ([{"scores": torch.zeros(3), "gt_label": torch.zeros(4)}], ValueError, "gt_label has"),
        ([{"scores": torch.zeros(1, 3), "gt_label": torch.zeros(1, 3)}], ValueError, r"\(K,\)"),
        (
            [{"scores": torch.zeros(2), "gt_label": torch.tensor([2, 0]), "index": 7}],
            ValueError,
            r"gt_label must hold only 0 and 1 \(sample index 7\)",
        ),
        (
            [{"scores": torch.zeros(2), "gt_label": torch.zeros(2), "difficult": torch.zeros(3)}],
            ValueError,
            "difficult has shape",
        ),
    ],
)
def test_bad_samples_raise(samples, error, message):
    with pytest.raises(error, match=message):
        MultiLabelMetric().process(None, samples)


def test_bad_options_and_meta_raise():
    with pytest.raises(ValueError, match="ap_mode"):
        MultiLabelMetric(ap_mode="auc")
    with pytest.raises(ValueError, match="threshold"):
        MultiLabelMetric(threshold=1.5)
    with pytest.raises(ValueError, match="top_k"):
        MultiLabelMetric(top_k=0)
    scores, targets, difficult = make_data(6)
    metric = MultiLabelMetric()
    metric.dataset_meta = {"classes": ("a", "b")}
    run_batches(metric, scores, targets, difficult)
    with pytest.raises(ValueError, match=r"names 2 classes but the scores have K=5"):
        metric.evaluate(len(scores))
    with pytest.raises(ValueError, match="no samples"):
        MultiLabelMetric().compute_metrics([])


WORKER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import torch
    import torch.distributed as dist
    import torch.multiprocessing as mp

    def worker(rank, world, folder):
        from mlrkit.metrics.multilabel_metric import MultiLabelMetric
        dist.init_process_group(
            "gloo", init_method=f"file://{folder}/rendezvous", rank=rank, world_size=world
        )
        scores = torch.from_numpy(np.load(f"{folder}/scores.npy", allow_pickle=False))
        targets = torch.from_numpy(np.load(f"{folder}/targets.npy", allow_pickle=False))
        n = len(scores)
        per_rank = -(-n // world)
        # DistributedSampler without shuffling: rank r takes r, r + world, ..., padded by
        # repeating the first samples.
        order = [i % n for i in range(per_rank * world)][rank::world]
        metric = MultiLabelMetric(top_k=2)
        for start in range(0, len(order), 4):
            idx = order[start : start + 4]
            metric.process(None, [{"scores": scores[i], "gt_label": targets[i]} for i in idx])
        result = metric.evaluate(n)
        if rank == 0:
            with open(f"{folder}/result.json", "w") as f:
                json.dump(result, f)
        dist.destroy_process_group()

    if __name__ == "__main__":
        mp.spawn(worker, args=(2, sys.argv[1]), nprocs=2)
    """
)


@pytest.mark.dist
def test_gathers_across_two_ranks(tmp_path):
    scores, targets, _ = make_data(7, num_samples=23)
    np.save(tmp_path / "scores.npy", scores.numpy())
    np.save(tmp_path / "targets.npy", targets.numpy())
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    expected = multilabel_metrics(scores, targets, top_k=2)
    for name, value in expected.items():
        assert result[f"multilabel/{name}"] == pytest.approx(value, abs=1e-12)
