"""CocoMultiLabel on a tiny instances file: non-contiguous ids, class orders, empty images."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from mlrkit.datasets import hold_out as hold_out_module
from mlrkit.datasets.coco import CocoMultiLabel, hold_out_ids
from mlrkit.registry import DATASETS

# Category ids are non-contiguous and listed out of order; one name has a space.
CATEGORIES = [
    {"id": 10, "name": "traffic light", "supercategory": "outdoor"},
    {"id": 1, "name": "person", "supercategory": "person"},
    {"id": 90, "name": "toothbrush", "supercategory": "indoor"},
    {"id": 3, "name": "car", "supercategory": "vehicle"},
]
# Image 100 has no annotation.
IMAGES = [
    {"id": 42, "file_name": "000042.jpg", "height": 20, "width": 24},
    {"id": 7, "file_name": "000007.jpg", "height": 20, "width": 24},
    {"id": 100, "file_name": "000100.jpg", "height": 20, "width": 24},
    {"id": 3, "file_name": "000003.jpg", "height": 20, "width": 24},
    {"id": 55, "file_name": "000055.jpg", "height": 20, "width": 24},
]
ANNOTATIONS = [  # (image id, category id); image 7's car is a crowd annotation
    (42, 1), (42, 1), (42, 10), (7, 3), (3, 90), (3, 3), (55, 10),
]  # fmt: skip

# Labels per image, written out by hand.
ALPHABETICAL = ("car", "person", "toothbrush", "traffic light")
TARGETS_ALPHABETICAL = {
    42: [0, 1, 0, 1],
    7: [1, 0, 0, 0],
    100: [0, 0, 0, 0],
    3: [1, 0, 1, 0],
    55: [0, 0, 0, 1],
}
BY_ID = ("person", "car", "traffic light", "toothbrush")  # ids 1, 3, 10, 90
TARGETS_BY_ID = {
    42: [1, 0, 1, 0],
    7: [0, 1, 0, 0],
    100: [0, 0, 0, 0],
    3: [0, 1, 0, 1],
    55: [0, 0, 1, 0],
}


def instances() -> dict:
    anns = [
        {"id": i + 1, "image_id": img, "category_id": cat, "iscrowd": int(img == 7),
         "bbox": [0, 0, 5, 5], "area": 25.0}
        for i, (img, cat) in enumerate(ANNOTATIONS)
    ]  # fmt: skip
    # copies: tests that break an entry must not break the module's lists for later tests
    return {
        "images": [dict(img) for img in IMAGES],
        "annotations": anns,
        "categories": [dict(cat) for cat in CATEGORIES],
    }


@pytest.fixture
def coco(tmp_path):
    img_dir = tmp_path / "train2014"
    img_dir.mkdir()
    for n, img in enumerate(IMAGES):
        array = np.full((img["height"], img["width"], 3), 10 * n, dtype=np.uint8)
        Image.fromarray(array).save(img_dir / img["file_name"], quality=95)
    ann = tmp_path / "instances_train2014.json"
    ann.write_text(json.dumps(instances()))
    return ann, img_dir


def test_alphabetical_targets_drop_empty(coco):
    ann, img_dir = coco
    ds = CocoMultiLabel(ann, img_dir)
    assert ds.classes == ALPHABETICAL
    assert ds.cat_ids == (3, 1, 90, 10)
    assert ds.img_ids == (42, 7, 3, 55)
    expected = np.array([TARGETS_ALPHABETICAL[i] for i in (42, 7, 3, 55)], dtype=np.uint8)
    np.testing.assert_array_equal(ds.targets, expected)
    assert ds.targets.dtype == np.uint8 and not ds.difficult.any()
    assert ds.image_path(2) == str(img_dir / "000003.jpg")


def test_category_id_order_keeps_empty_images(coco):
    ann, img_dir = coco
    ds = CocoMultiLabel(ann, img_dir, class_order="category_id", drop_empty=False)
    assert ds.classes == BY_ID
    assert ds.cat_ids == (1, 3, 10, 90)
    assert ds.img_ids == (42, 7, 100, 3, 55)
    expected = np.array([TARGETS_BY_ID[i] for i in (42, 7, 100, 3, 55)], dtype=np.uint8)
    np.testing.assert_array_equal(ds.targets, expected)
    assert ds.metainfo["class_order"] == "category_id"


def test_sample_and_registry(coco):
    ann, img_dir = coco
    ds = DATASETS.build(
        dict(type="CocoMultiLabel", ann_file=str(ann), img_dir=str(img_dir), split="val",
             pipeline=[dict(type="Resize", size=16)])
    )  # fmt: skip
    sample = ds[0]
    assert sample["inputs"].shape == (3, 16, 16) and sample["inputs"].dtype == torch.uint8
    assert sample["data_samples"]["gt_label"].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert sample["data_samples"]["img_path"].endswith("000042.jpg")
    assert ds.metainfo["classes"] == ALPHABETICAL and ds.metainfo["split"] == "val"
    assert ds.cache_key().startswith("coco-val-")


def test_pycocotools_prints_nothing(coco, capsys):
    CocoMultiLabel(*coco)
    assert capsys.readouterr().out == ""


def test_class_orders_give_different_cache_keys(coco):
    a = CocoMultiLabel(*coco).cache_key()
    b = CocoMultiLabel(*coco, class_order="category_id").cache_key()
    assert a != b


def test_missing_image_raise_or_skip(coco):
    ann, img_dir = coco
    (img_dir / "000007.jpg").unlink()
    with pytest.raises(FileNotFoundError, match="000007.jpg"):
        CocoMultiLabel(ann, img_dir)[1]
    ds = CocoMultiLabel(ann, img_dir, on_bad_image="skip")
    assert ds[1]["data_samples"]["img_path"].endswith("000003.jpg")
    assert ds.num_bad_images == 1


def test_missing_paths_fail_at_construction(coco, tmp_path):
    ann, img_dir = coco
    with pytest.raises(FileNotFoundError, match="instances_val2014.json"):
        CocoMultiLabel(tmp_path / "instances_val2014.json", img_dir)
    with pytest.raises(FileNotFoundError, match="val2014' does not exist"):
        CocoMultiLabel(ann, tmp_path / "val2014")
    with pytest.raises(ValueError, match="class_order"):
        CocoMultiLabel(ann, img_dir, class_order="frequency")


def test_malformed_json_names_file_and_line(tmp_path):
    text = json.dumps(instances(), indent=1)
    ann = tmp_path / "instances.json"
    ann.write_text(text[: len(text) // 2])
    with pytest.raises(ValueError, match=r"malformed JSON in '.*instances.json'.*line \d+"):
        CocoMultiLabel(ann, tmp_path)


def break_annotations(data: dict) -> None:
    del data["annotations"][2]["category_id"]


def unknown_category(data: dict) -> None:
    data["annotations"][4]["category_id"] = 2


def unknown_image(data: dict) -> None:
    data["annotations"][0]["image_id"] = 999


def no_categories(data: dict) -> None:
    del data["categories"]


def duplicate_name(data: dict) -> None:
    data["categories"][1]["name"] = "car"


@pytest.mark.parametrize(
    "corrupt, match",
    [
        (break_annotations, r"annotations\[2\] has no 'category_id' field"),
        (unknown_category, r"annotations\[4\] refers to unknown category 2"),
        (unknown_image, r"annotations\[0\] refers to unknown image 999"),
        (no_categories, r"missing the 'categories' list"),
        (duplicate_name, r"not unique \(names: \['car'\]\)"),
    ],
)
def test_invalid_content_names_the_entry(tmp_path, corrupt, match):
    data = instances()
    corrupt(data)
    ann = tmp_path / "instances.json"
    ann.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=match):
        CocoMultiLabel(ann, tmp_path)


def test_hold_out_splits_the_file_in_two_disjoint_parts(coco):
    ann, img_dir = coco
    rest = CocoMultiLabel(ann, img_dir, hold_out_size=2, hold_out_part="rest")
    held = CocoMultiLabel(ann, img_dir, hold_out_size=2, hold_out_part="held_out")
    assert len(held) == 2 and len(rest) == 2
    assert not set(rest.img_ids) & set(held.img_ids)
    assert set(rest.img_ids) | set(held.img_ids) == {42, 7, 3, 55}  # the kept images
    assert set(held.img_ids) == hold_out_ids([42, 7, 3, 55], 2)
    assert held.metainfo["hold_out"] == (2, "held_out")
    with pytest.raises(ValueError, match="hold_out_size must be in"):
        CocoMultiLabel(ann, img_dir, hold_out_size=5)
    with pytest.raises(ValueError, match="hold_out_part must be one of"):
        CocoMultiLabel(ann, img_dir, hold_out_size=1, hold_out_part="val")


# sha1("mlrkit-hold-out:<id>"): the same ids on every machine and in every version
PINNED = {1785, 2018, 8210, 9002, 9100}


def test_hold_out_is_a_fixed_function_of_the_ids():
    ids = list(range(1, 10001))
    assert hold_out_ids(ids, 5) <= set(ids)
    assert hold_out_ids(ids[::-1], 5) == hold_out_ids(ids, 5)  # order does not matter
    assert hold_out_ids(ids, 5) == PINNED


def test_hold_out_is_the_same_in_another_process():
    import os
    import subprocess
    import sys

    # the module is loaded from its file alone (standard library only: a fast process)
    module = Path(hold_out_module.__file__)
    code = (
        "import importlib.util as u;"
        f"s = u.spec_from_file_location('h', {str(module)!r}); m = u.module_from_spec(s);"
        "s.loader.exec_module(m); print(sorted(m.hold_out_ids(list(range(1, 20001)), 50)))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {f"{sorted(hold_out_ids(list(range(1, 20001)), 50))}\n"}
