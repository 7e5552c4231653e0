"""Three splits and the two protocols: disjoint splits, refused overlaps, paper selection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mlrkit.engine.config import load_config
from mlrkit.engine.protocol import PROTOCOLS, apply_protocol, check_disjoint, protocol_note
from mlrkit.engine.runner import prepare_config
from mlrkit.registry import DATASETS

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
POOLED = CONFIGS / "synthetic" / "pooled.py"
TINY = {
    "train_dataloader.dataset.num_samples": 96,
    "val_dataloader.dataset.num_samples": 48,
    "test_dataloader.dataset.num_samples": 64,
}


def _paths(dataset) -> set[str]:
    return {dataset.image_path(i) for i in range(len(dataset))}


def test_built_in_splits_are_three_disjoint_streams(tmp_path):
    cfg = prepare_config(load_config(POOLED, TINY), str(tmp_path))
    assert cfg.protocol == "held_out"
    splits = {
        name: DATASETS.build(cfg[f"{name}_dataloader"].dataset) for name in ("train", "val", "test")
    }
    assert {n: ds.split for n, ds in splits.items()} == {
        "train": "train",
        "val": "val",
        "test": "test",
    }
    train, val, test = (_paths(splits[n]) for n in ("train", "val", "test"))
    assert len(train) == 96 and len(val) == 48 and len(test) == 64
    assert not (train & val) and not (train & test) and not (val & test)
    # disjoint by construction: the same index of another split is another scene
    assert not np.array_equal(splits["val"][0]["inputs"], splits["train"][0]["inputs"])
    assert not np.array_equal(splits["val"][0]["inputs"], splits["test"][0]["inputs"])


def test_a_val_split_that_overlaps_train_is_refused(tmp_path):
    cfg = load_config(POOLED, dict(TINY, **{"val_dataloader.dataset.split": "train"}))
    with pytest.raises(ValueError, match=r"val split .* shares 48 image\(s\) with the train split"):
        prepare_config(cfg, str(tmp_path))


def _write_list(tmp_path: Path, name: str, rows: list[tuple[str, str]]) -> Path:
    for image, _ in rows:
        path = tmp_path / image
        if not path.exists():
            Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    lines = ["image,labels", *(f"{image},{labels}" for image, labels in rows)]
    out = tmp_path / name
    out.write_text("\n".join(lines) + "\n")
    return out


def test_a_list_file_given_twice_is_refused_naming_both_splits_and_the_count(tmp_path):
    rows = [(f"{i}.png", "a|b" if i % 2 else "b") for i in range(5)]
    train_list = _write_list(tmp_path, "train.csv", rows)
    test_list = _write_list(tmp_path, "test.csv", [(f"t{i}.png", "a") for i in range(3)])
    listed = lambda path, split: dict(  # noqa: E731
        type="ListMultiLabel", ann_file=str(path), classes=["a", "b"], split=split
    )
    train = DATASETS.build(listed(train_list, "train"))
    with pytest.raises(ValueError) as err:
        check_disjoint(train, DATASETS.build(listed(train_list, "val")), "train", "val")
    message = str(err.value)
    assert "the val split" in message and "the train split" in message
    assert "shares 5 image(s)" in message
    check_disjoint(train, DATASETS.build(listed(test_list, "test")), "train", "test")


def test_held_out_refuses_a_val_split_that_is_the_test_split(tmp_path):
    cfg = load_config(POOLED, TINY)
    cfg.val_dataloader = cfg.test_dataloader
    with pytest.raises(ValueError, match="protocol 'held_out'.*protocol='paper'"):
        prepare_config(cfg, str(tmp_path))


def test_paper_protocol_selects_on_test_and_trains_as_the_papers(tmp_path):
    cfg = load_config(POOLED, dict(TINY, protocol="paper"))
    cfg.paper_protocol_train = dict(num_samples=128)  # e.g. VOC: split="trainval"
    prepare_config(cfg, str(tmp_path))
    assert cfg.val_dataloader.dataset.split == "test"
    assert cfg.val_dataloader.dataset.num_samples == 64
    assert cfg.train_dataloader.dataset.num_samples == 128
    apply_protocol(cfg)  # idempotent
    assert cfg.train_dataloader.dataset.num_samples == 128
    with pytest.raises(ValueError, match="protocol must be one of"):
        prepare_config(load_config(POOLED, dict(TINY, protocol="best")), str(tmp_path))


def test_notes_name_the_protocol():
    assert set(PROTOCOLS) == {"held_out", "paper"}
    assert "selected on the test split" in protocol_note("paper")
    assert "ML-GCN and Deep-LIFT" in protocol_note("paper")
    assert "val split" in protocol_note("held_out")
    assert "last epoch" in protocol_note("held_out", "last")


@pytest.mark.parametrize("name", ["coco", "voc2007"])
def test_full_scale_configs_have_three_splits(name):
    cfg = load_config(CONFIGS / name / "pooled_r101_448.py")
    train, val, test = (cfg[f"{s}_dataloader"].dataset for s in ("train", "val", "test"))
    assert cfg.protocol == "held_out"
    if name == "coco":  # val: a hash hold-out of train2014; test: val2014
        assert train.ann_file == val.ann_file and train.ann_file.endswith("train2014.json")
        assert train.hold_out_size == val.hold_out_size == 5000
        assert (train.hold_out_part, val.hold_out_part) == ("rest", "held_out")
        assert test.ann_file.endswith("val2014.json")
        assert cfg.paper_protocol_train == dict(hold_out_size=0)
    else:  # the official lists inside trainval, test for test
        assert (train.split, val.split, test.split) == ("train", "val", "test")
        assert cfg.paper_protocol_train == dict(split="trainval")
