"""OpenImagesMultiLabel on hand-made V6/V7 files: positive, negative, unknown, bad lines."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from mlrkit.datasets.open_images import OpenImagesMultiLabel
from mlrkit.registry import DATASETS

HEADER = "ImageID,Source,LabelName,Confidence\n"
# Rows as published: several sources, a disagreement (img c, /m/02 from two sources), a row of
# a class outside the class list (/m/99), and an image (d) whose only row is such a class.
ROWS = [
    "000a1b2c3d4e5f60,verification,/m/01,1",
    "000a1b2c3d4e5f60,verification,/m/03,0",
    "0b00000000000001,crowdsource-verification,/m/02,1",
    "0b00000000000001,verification,/m/01,0",
    "0c00000000000002,verification,/m/02,0",
    "0c00000000000002,crowdsource-verification,/m/02,1",
    "0d00000000000003,verification,/m/99,1",
    "0c00000000000002,verification,/m/03,1",
]
V6_CLASSES = '/m/01,Tortoise\n/m/02,Container\n/m/03,"Magpie, black-billed"\n'
V7_CLASSES = "LabelName,DisplayName\n" + V6_CLASSES
IDS = ["000a1b2c3d4e5f60", "0b00000000000001", "0c00000000000002"]
# -1 unknown, 0 negative, 1 positive; classes /m/01, /m/02, /m/03
STATES = np.array([[1, -1, 0], [0, 1, -1], [-1, 1, 1]])


def write(tmp_path, rows=ROWS, classes=V6_CLASSES):
    (tmp_path / "img").mkdir(exist_ok=True)
    for i in IDS:
        Image.new("RGB", (8, 6), (10, 20, 30)).save(tmp_path / "img" / f"{i}.jpg")
    labels = tmp_path / "train-annotations-human-imagelabels-boxable.csv"
    labels.write_text(HEADER + "\n".join(rows) + "\n")
    desc = tmp_path / "class-descriptions-boxable.csv"
    desc.write_text(classes)
    return labels, desc, tmp_path / "img"


@pytest.mark.parametrize("classes", [V6_CLASSES, V7_CLASSES], ids=["v6", "v7"])
def test_states_from_confidence_and_missing_rows(tmp_path, classes):
    labels, desc, img = write(tmp_path, classes=classes)
    ds = DATASETS.build(
        dict(type="OpenImagesMultiLabel", labels_csv=labels, classes_csv=desc, img_dir=img)
    )
    assert ds.classes == ("Tortoise", "Container", "Magpie, black-billed")
    assert ds.label_names == ("/m/01", "/m/02", "/m/03")
    assert ds.img_ids == tuple(IDS)
    assert np.array_equal(ds.targets, (STATES == 1).astype(np.uint8))
    assert np.array_equal(ds.unknown, STATES == -1)
    sample = ds[2]
    assert sample["data_samples"]["unknown"].tolist() == [True, False, False]
    assert sample["data_samples"]["img_path"].endswith("0c00000000000002.jpg")
    assert sample["inputs"].shape == (3, 6, 8)


def test_trainable_file_restricts_and_orders_the_classes(tmp_path):
    labels, desc, img = write(tmp_path)
    (tmp_path / "trainable.txt").write_text("/m/03\n/m/01\n")
    ds = OpenImagesMultiLabel(labels, desc, img, trainable_file=tmp_path / "trainable.txt")
    assert ds.label_names == ("/m/03", "/m/01")
    # image b has no row of a kept class... it has /m/01 = 0, so it stays
    assert ds.img_ids == tuple(IDS)
    assert np.array_equal(ds.unknown, STATES[:, [2, 0]] == -1)


@pytest.mark.parametrize(
    ("bad", "line", "what"),
    [
        ("0c00000000000002,verification,/m/03,0.5", 5, "Confidence"),
        ("0c00000000000002,verification,/m/03", 5, "expected 4 fields"),
        (",verification,/m/03,1", 5, "empty ID"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, bad, line, what):
    rows = [*ROWS[:3], bad, *ROWS[3:]]
    labels, desc, img = write(tmp_path, rows=rows)
    with pytest.raises(ValueError, match=rf"imagelabels-boxable.csv' line {line}: .*{what}"):
        OpenImagesMultiLabel(labels, desc, img)


def test_wrong_header_is_refused(tmp_path):
    labels, desc, img = write(tmp_path)
    labels.write_text("ImageID,LabelName,Confidence\n" + "a,/m/01,1\n")
    with pytest.raises(ValueError, match="line 1: expected the header"):
        OpenImagesMultiLabel(labels, desc, img)


def test_malformed_class_descriptions_name_the_line(tmp_path):
    labels, desc, img = write(tmp_path, classes=V7_CLASSES + "/m/04\n")
    with pytest.raises(ValueError, match=r"class-descriptions-boxable.csv' line 5: expected"):
        OpenImagesMultiLabel(labels, desc, img)
