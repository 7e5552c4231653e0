"""VOC2012 and COCO 2017: the VOC and COCO loaders on the 2012 / 2017 layouts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from mlrkit.datasets.coco2017 import Coco2017MultiLabel
from mlrkit.datasets.hold_out import hold_out_ids
from mlrkit.datasets.voc import VOC_CLASSES
from mlrkit.registry import DATASETS

from .test_voc import IDS, expected, write_voc


@pytest.mark.parametrize("split", ["train", "val", "trainval"])
def test_voc2012_reads_the_voc_layout(tmp_path, split):
    root = tmp_path / "VOCdevkit" / "VOC2012"
    write_voc(root, split=split)
    ds = DATASETS.build(dict(type="VOC2012MultiLabel", root=root, split=split))
    targets, difficult = expected()
    assert ds.classes == VOC_CLASSES and ds.img_ids == tuple(IDS)
    assert np.array_equal(ds.targets, targets) and np.array_equal(ds.difficult, difficult)
    assert ds.metainfo["dataset_name"] == "voc2012"


def test_voc2012_has_no_test_labels_and_points_at_the_folder(tmp_path):
    with pytest.raises(ValueError, match="VOC2012 test labels are not public"):
        DATASETS.build(dict(type="VOC2012MultiLabel", root=tmp_path, split="test"))
    write_voc(tmp_path / "VOCdevkit" / "VOC2012", split="train")
    with pytest.raises(FileNotFoundError, match="did you mean root=.*VOCdevkit/VOC2012"):
        DATASETS.build(dict(type="VOC2012MultiLabel", root=tmp_path))


def write_coco2017(root, split):
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    (root / f"{split}2017").mkdir()
    images = [{"id": i, "file_name": f"{i:012d}.jpg", "height": 4, "width": 6} for i in (9, 25, 30)]
    for img in images:
        Image.new("RGB", (6, 4)).save(root / f"{split}2017" / img["file_name"])
    data = {
        "images": images,
        "annotations": [
            {"id": 1, "image_id": 9, "category_id": 18, "iscrowd": 0},
            {"id": 2, "image_id": 9, "category_id": 1, "iscrowd": 1},
            {"id": 3, "image_id": 25, "category_id": 1, "iscrowd": 0},
        ],
        "categories": [{"id": 1, "name": "person"}, {"id": 18, "name": "dog"}],
    }
    (root / "annotations" / f"instances_{split}2017.json").write_text(json.dumps(data))


@pytest.mark.parametrize("split", ["train", "val"])
def test_coco2017_finds_the_official_files(tmp_path, split):
    write_coco2017(tmp_path, split)
    ds = DATASETS.build(dict(type="Coco2017MultiLabel", root=tmp_path, split=split))
    assert ds.classes == ("dog", "person")  # alphabetical, as COCO 2014
    assert ds.img_ids == (9, 25)  # image 30 has no annotation: dropped
    assert ds.targets.tolist() == [[1, 1], [0, 1]]
    assert ds.image_path(0).endswith(f"{split}2017/000000000009.jpg")
    by_id = Coco2017MultiLabel(tmp_path, split=split, class_order="category_id", drop_empty=False)
    assert by_id.classes == ("person", "dog") and len(by_id) == 3


def test_coco2017_split_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="test2017 has no public labels"):
        Coco2017MultiLabel(tmp_path, split="test")
    with pytest.raises(FileNotFoundError, match="instances_train2017.json"):
        Coco2017MultiLabel(tmp_path, split="train")


def test_malformed_files_name_the_file_and_line(tmp_path):
    root = tmp_path / "VOC2012"
    write_voc(root, split="train")
    with open(root / "ImageSets" / "Main" / "dog_train.txt", "a") as f:
        f.write("000009  2\n")
    with pytest.raises(
        ValueError, match=r"dog_train.txt' line 5: expected '<image id> <1\|-1\|0>'"
    ):
        DATASETS.build(dict(type="VOC2012MultiLabel", root=root, split="train"))
    write_coco2017(tmp_path / "coco", "val")
    ann = tmp_path / "coco" / "annotations" / "instances_val2017.json"
    ann.write_text(ann.read_text()[:-1] + ',\n  "info": }')
    with pytest.raises(ValueError, match=r"instances_val2017.json': Expecting value at line 2"):
        Coco2017MultiLabel(tmp_path / "coco", split="val")


def test_voc2012_hold_out_of_train_is_disjoint_and_fixed(tmp_path):
    root = tmp_path / "VOC2012"
    write_voc(root, split="train")
    build = lambda **kw: DATASETS.build(  # noqa: E731
        dict(type="VOC2012MultiLabel", root=root, split="train", **kw)
    )
    rest = build(hold_out_size=1, hold_out_part="rest")
    held = build(hold_out_size=1, hold_out_part="held_out")
    assert len(held) == 1 and len(rest) == 3
    assert set(held.img_ids) == hold_out_ids(IDS, 1)
    assert held.metainfo["hold_out"] == (1, "held_out")
    assert set(rest.img_ids) | set(held.img_ids) == set(IDS)
    assert not {rest.image_path(i) for i in range(3)} & {held.image_path(0)}
    # the targets and difficult masks follow their images
    targets, difficult = expected()
    row = IDS.index(held.img_ids[0])
    assert np.array_equal(held.targets[0], targets[row])
    assert np.array_equal(held.difficult[0], difficult[row])
    assert build(hold_out_size=1, hold_out_part="held_out").img_ids == held.img_ids  # stable
    assert build().metainfo["hold_out"] is None and len(build()) == 4
    with pytest.raises(ValueError, match=r"VOC2012MultiLabel: hold_out_size must be in \[0, 4\]"):
        build(hold_out_size=5)
    with pytest.raises(ValueError, match="VOC2012MultiLabel: hold_out_part must be one of"):
        build(hold_out_size=1, hold_out_part="val")
