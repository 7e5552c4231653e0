"""Three splits and the two protocols: disjoint splits, refused overlaps, paper selection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mlrkit.engine.config import load_config
from mlrkit.engine.experiment import prepare_config
from mlrkit.engine.protocol import PROTOCOLS, apply_protocol, check_disjoint, protocol_note
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


# (config, train, val, test): (split, hold-out part) of each loader's dataset
THREE_SPLITS = {
    "voc2012": (("train", "rest"), ("train", "held_out"), ("val", None)),
    "nus_wide": (("train", "rest"), ("train", "held_out"), ("test", None)),
    "nus_wide_asl": (("train", "rest"), ("train", "held_out"), ("val", None)),
    "open_images": (("train", None), ("validation", None), ("test", None)),
}


@pytest.mark.parametrize("name", sorted(THREE_SPLITS))
def test_other_dataset_configs_have_three_splits_and_select_on_val(name):
    cfg = load_config(CONFIGS / "_base_" / "datasets" / f"{name}.py")
    datasets = [cfg[f"{s}_dataloader"].dataset for s in ("train", "val", "test")]
    assert cfg.protocol == "held_out"
    got = tuple((ds.split, ds.get("hold_out_part") if ds.get("hold_out_size") else None)
                for ds in datasets)  # fmt: skip
    assert got == THREE_SPLITS[name]
    if name != "open_images":  # val is a hold-out of the train file, of the same size
        assert datasets[0].hold_out_size == datasets[1].hold_out_size > 0
        assert cfg.paper_protocol_train == dict(hold_out_size=0)
    else:  # the three official CSVs
        files = [ds.labels_csv.rsplit("/", 1)[1].split("-")[0] for ds in datasets]
        assert files == ["train", "validation", "test"]
    assert apply_protocol(cfg) == "held_out"  # val is not the test split
    paper = load_config(CONFIGS / "_base_" / "datasets" / f"{name}.py", {"protocol": "paper"})
    apply_protocol(paper)
    assert paper.val_dataloader.dataset == paper.test_dataloader.dataset
    assert not paper.train_dataloader.dataset.get("hold_out_size")


def _voc2012_tree(root: Path) -> dict:
    from ..datasets.test_voc import write_voc

    for split in ("train", "val"):
        write_voc(root, split=split)
    return {f"{s}_dataloader.dataset.root": str(root) for s in ("train", "val", "test")}


def _nus_wide_tree(root: Path) -> dict:
    from ..datasets.test_nus_wide import write_official

    write_official(root)
    return {f"{s}_dataloader.dataset.root": str(root) for s in ("train", "val", "test")}


@pytest.mark.parametrize(
    ("name", "tree"), [("voc2012", _voc2012_tree), ("nus_wide", _nus_wide_tree)]
)
def test_the_overlap_check_covers_the_hold_out_configs(tmp_path, name, tree):
    options = tree(tmp_path / "data")
    size = {f"{s}_dataloader.dataset.hold_out_size": 1 for s in ("train", "val")}
    cfg = load_config(CONFIGS / "_base_" / "datasets" / f"{name}.py", {**options, **size})
    train = DATASETS.build(cfg.train_dataloader.dataset)
    val = DATASETS.build(cfg.val_dataloader.dataset)
    assert len(val) == 1
    check_disjoint(train, val, "train", "val")
    # a val hold-out larger than train's: one image of val is also trained on
    wrong = load_config(
        CONFIGS / "_base_" / "datasets" / f"{name}.py",
        {**options, **size, "val_dataloader.dataset.hold_out_size": 2},
    )
    with pytest.raises(ValueError) as err:
        check_disjoint(train, DATASETS.build(wrong.val_dataloader.dataset), "train", "val")
    message = str(err.value)
    assert "the val split" in message and "the train split" in message
    assert "shares 1 image(s)" in message


def test_the_overlap_check_covers_open_images(tmp_path):
    from ..datasets.test_open_images import write

    labels, desc, img = write(tmp_path)
    train_files = {"labels_csv": str(labels), "classes_csv": str(desc), "img_dir": str(img)}
    options = {
        f"{s}_dataloader.dataset.{k}": v for s in ("train", "val") for k, v in train_files.items()
    }
    cfg = load_config(CONFIGS / "_base_" / "datasets" / "open_images.py", options)
    train = DATASETS.build(cfg.train_dataloader.dataset)
    with pytest.raises(ValueError, match=r"val split .* shares 3 image\(s\) with the train split"):
        check_disjoint(train, DATASETS.build(cfg.val_dataloader.dataset), "train", "val")
