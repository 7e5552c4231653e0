"""LabelStatistics: counting, JSON round trip and validation, the shipped files, caching."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import mlrkit.graph.label_statistics as label_statistics_module
from mlrkit.graph import LabelStatistics, label_statistics_for

TARGETS = np.array(
    [[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 0], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=np.uint8
)
CLASSES = ("cat", "dog", "dining table", "zebra")


def test_from_targets_counts_by_hand():
    stats = LabelStatistics.from_targets(TARGETS, CLASSES)
    assert stats.classes == CLASSES and stats.num_samples == 5
    np.testing.assert_array_equal(stats.counts, [3, 3, 3, 0])
    expected_pairs = [[0, 2, 2, 0], [2, 0, 1, 0], [2, 1, 0, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(stats.pairs, expected_pairs)
    assert stats.counts.dtype == np.int64 and stats.pairs.dtype == np.int64
    # P_ij = M_ij / N_i; the zebra row (N = 0) is 0, not NaN
    prob = stats.conditional()
    assert prob[0, 1] == pytest.approx(2 / 3) and prob[1, 2] == pytest.approx(1 / 3)
    np.testing.assert_array_equal(prob[3], 0.0)
    # a tensor or a bool matrix gives the same counts
    assert LabelStatistics.from_targets(torch.from_numpy(TARGETS).bool(), CLASSES) == stats


@pytest.mark.parametrize(
    ("targets", "classes", "message"),
    [
        (TARGETS[0], CLASSES, "2-D"),
        (TARGETS, CLASSES[:3], "4 columns but 3 class names"),
        (TARGETS.astype(np.int8) * 2 - 1, CLASSES, "only 0 and 1"),
        (TARGETS, ("a", "a", "b", "c"), "unique"),
    ],
)
def test_from_targets_refuses_bad_targets(targets, classes, message):
    with pytest.raises(ValueError, match=message):
        LabelStatistics.from_targets(targets, classes)


def test_json_round_trip(tmp_path):
    stats = LabelStatistics.from_targets(TARGETS, CLASSES)
    path = stats.to_json(tmp_path / "sub" / "stats.json")
    assert path.is_file() and not list(path.parent.glob("*.tmp"))  # no temp file left behind
    again = LabelStatistics.from_json(path)
    assert again == stats and again.classes == CLASSES


def _write(tmp_path, **changes):
    data = LabelStatistics.from_targets(TARGETS, CLASSES).to_dict()
    data.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del data[key]
    path = tmp_path / "stats.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(nums=None), r"misses the key\(s\) \['nums'\]"),
        (dict(num_samples=None), "no 'num_samples'"),
        (dict(nums=[3, 3, 3]), r"shape \(4,\)"),
        (dict(nums=[3, -1, 3, 0]), "non-negative"),
        (dict(nums=[3, 1.5, 3, 0]), "integer"),
        (dict(nums=[1, 3, 3, 0]), "M_ij > N_i"),
        (dict(cooccurrence=[[0, 2, 2, 0], [2, 0, 1, 0], [2, 1, 0, 0]]), r"shape \(4, 4\)"),
        (dict(cooccurrence=[[0, 2, 2, 0], [2, 0, 1, 0], [2, 0, 0, 0], [0] * 4]), "symmetric"),
        (dict(cooccurrence=[[3, 2, 2, 0], [2, 0, 1, 0], [2, 1, 0, 0], [0] * 4]), "diagonal"),
        (dict(num_samples=2), "exceeds num_samples"),
        (dict(names="cat"), "list of strings"),
    ],
)
def test_from_json_refuses_malformed_files(tmp_path, changes, message):
    path = _write(tmp_path, **changes)
    with pytest.raises(ValueError, match=message) as info:
        LabelStatistics.from_json(path)
    assert str(path) in str(info.value)


def test_from_json_refuses_non_json_and_missing_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON") as info:
        LabelStatistics.from_json(bad)
    assert str(bad) in str(info.value)
    with pytest.raises(FileNotFoundError, match="nope.json"):
        LabelStatistics.from_json(tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("name", "k", "first"), [("coco", 80, "airplane"), ("voc", 20, "aeroplane")]
)
def test_shipped_statistics(name, k, first):
    stats = LabelStatistics.shipped(name)
    assert stats.num_classes == k and stats.classes[0] == first
    # person is the most frequent label of both datasets
    assert stats.classes[int(stats.counts.argmax())] == "person"
    with pytest.raises(ValueError, match="coco"):
        LabelStatistics.shipped("imagenet")


class FakeDataset:
    dataset_name = "fake"

    def __init__(self, targets, classes):
        self.targets = targets
        self.classes = classes

    def cache_key(self):
        return "fake-train-0123"


def test_label_statistics_for_caches(tmp_path, monkeypatch):
    dataset = FakeDataset(TARGETS, CLASSES)
    first = label_statistics_for(dataset, tmp_path)
    path = tmp_path / "label_stats" / "fake-train-0123.json"
    assert path.is_file() and first == LabelStatistics.from_targets(TARGETS, CLASSES)
    mtime = os.stat(path).st_mtime_ns

    def no_recount(*args, **kwargs):
        raise AssertionError("the cached file should have been read")

    monkeypatch.setattr(label_statistics_module.LabelStatistics, "from_targets", no_recount)
    second = label_statistics_for(dataset, tmp_path)
    assert second == first and os.stat(path).st_mtime_ns == mtime


def test_label_statistics_for_checks_cached_classes(tmp_path):
    label_statistics_for(FakeDataset(TARGETS, CLASSES), tmp_path)
    renamed = FakeDataset(TARGETS, ("a", "b", "c", "d"))
    with pytest.raises(ValueError, match="delete the file"):
        label_statistics_for(renamed, tmp_path)
    # no cache dir: computed, nothing written
    assert label_statistics_for(renamed, None).classes == ("a", "b", "c", "d")


def test_label_statistics_for_a_real_dataset(tmp_path):
    from mlrkit.datasets.base import MultiLabelDataset

    class Tiny(MultiLabelDataset):
        dataset_name = "tiny"

        def __init__(self):
            super().__init__(split="train")
            self.classes = CLASSES
            self._targets = TARGETS

    dataset = Tiny()
    stats = label_statistics_for(dataset, tmp_path)
    assert (tmp_path / "label_stats" / f"{dataset.cache_key()}.json").is_file()
    assert stats == LabelStatistics.from_targets(TARGETS, CLASSES)


def test_partial_labels_count_only_known_entries_hand_case(tmp_path):
    # 4 images, labels (a, b); "?" = unknown (its stored target must not be used).
    #   img0: a=1 b=1    img1: a=1 b=?(1)    img2: a=1 b=0    img3: a=?(1) b=1
    targets = np.array([[1, 1], [1, 1], [1, 0], [1, 1]])
    unknown = np.array([[0, 0], [0, 1], [0, 0], [1, 0]], dtype=bool)
    stats = LabelStatistics.from_targets(targets, ("a", "b"), unknown)
    assert stats.counts.tolist() == [3, 2]  # N_a: img0-2; N_b: img0, img3
    assert stats.pairs.tolist() == [[0, 1], [1, 0]]  # only img0 has both known positives
    # D_ab: a known positive with b known = img0, img2; D_ba: b positive with a known = img0
    assert stats.known_pairs.tolist() == [[3, 2], [1, 2]]
    np.testing.assert_allclose(stats.conditional(), [[0, 1 / 2], [1 / 1, 0]])
    # fully labelled: D is not stored and P_ij = M_ij / N_i as before
    full = LabelStatistics.from_targets(targets, ("a", "b"), np.zeros((4, 2), dtype=bool))
    assert full.known_pairs is None and full == LabelStatistics.from_targets(targets, ("a", "b"))
    np.testing.assert_allclose(full.conditional(), [[0, 3 / 4], [3 / 3, 0]])
    # JSON round trip and reordering keep D
    assert LabelStatistics.from_json(stats.to_json(tmp_path / "s.json")) == stats
    assert stats.reordered([1, 0]).known_pairs.tolist() == [[2, 1], [2, 3]]
    with pytest.raises(ValueError, match="M_ij <= D_ij <= N_i"):
        LabelStatistics(("a", "b"), stats.counts, stats.pairs, 4, np.array([[3, 0], [1, 2]]))
