"""VOCMultiLabel on a tiny VOC2007 tree: ImageSets and XML sources, difficult labels."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from mlrkit.datasets.voc import VOC_CLASSES, VOCMultiLabel
from mlrkit.registry import DATASETS

# Objects per image: (class, difficult flag); None writes no <difficult> element (means 0).
OBJECTS = {
    "000001": [("dog", "0"), ("person", "1")],
    "000002": [("car", "0"), ("car", "1")],
    "000004": [("chair", "1"), ("chair", "1"), ("tvmonitor", "0")],
    "000007": [("diningtable", "0"), ("pottedplant", None)],
}
IDS = list(OBJECTS)
# Written out by hand: 1 positive, 0 difficult (only difficult objects), others -1.
LABELS = {
    "000001": {"dog": 1, "person": 0},
    "000002": {"car": 1},
    "000004": {"chair": 0, "tvmonitor": 1},
    "000007": {"diningtable": 1, "pottedplant": 1},
}


def expected() -> tuple[np.ndarray, np.ndarray]:
    labels = np.full((len(IDS), 20), -1)
    for n, img_id in enumerate(IDS):
        for name, value in LABELS[img_id].items():
            labels[n, VOC_CLASSES.index(name)] = value
    return (labels == 1).astype(np.uint8), labels == 0


def xml_for(img_id: str) -> str:
    objects = []
    for name, flag in OBJECTS[img_id]:
        difficult = "" if flag is None else f"<difficult>{flag}</difficult>"
        objects.append(
            f"<object><name>{name}</name><pose>Unspecified</pose><truncated>0</truncated>"
            f"{difficult}<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax>"
            "</bndbox></object>"
        )
    return (
        f"<annotation><folder>VOC2007</folder><filename>{img_id}.jpg</filename>"
        f"<size><width>20</width><height>16</height><depth>3</depth></size>"
        f"{''.join(objects)}</annotation>"
    )


def write_voc(root, split: str = "trainval", with_list: bool = True) -> None:
    (root / "Annotations").mkdir(parents=True, exist_ok=True)
    (root / "JPEGImages").mkdir(exist_ok=True)
    main = root / "ImageSets" / "Main"
    main.mkdir(parents=True, exist_ok=True)
    for n, img_id in enumerate(IDS):
        (root / "Annotations" / f"{img_id}.xml").write_text(xml_for(img_id))
        array = np.full((16, 20, 3), 30 * n, dtype=np.uint8)
        Image.fromarray(array).save(root / "JPEGImages" / f"{img_id}.jpg")
    if with_list:
        (main / f"{split}.txt").write_text("\n".join(IDS) + "\n")
    for name in VOC_CLASSES:
        lines = [f"{i} {LABELS[i].get(name, -1):2d}" for i in IDS]  # "000001 -1", "000001  1"
        (main / f"{name}_{split}.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def voc(tmp_path):
    root = tmp_path / "VOCdevkit" / "VOC2007"
    write_voc(root)
    return root


@pytest.mark.parametrize("source", ["imagesets", "xml"])
def test_targets_and_difficult_exact(voc, source):
    ds = VOCMultiLabel(voc, split="trainval", source=source)
    targets, difficult = expected()
    assert ds.classes == VOC_CLASSES and len(ds.classes) == 20
    assert ds.img_ids == tuple(IDS)
    np.testing.assert_array_equal(ds.targets, targets)
    np.testing.assert_array_equal(ds.difficult, difficult)
    assert not (ds.targets.astype(bool) & ds.difficult).any()
    assert ds.difficult[0, VOC_CLASSES.index("person")]
    assert ds.difficult[2, VOC_CLASSES.index("chair")]
    assert ds.targets[1, VOC_CLASSES.index("car")] == 1  # one non-difficult car is enough
    assert ds.targets[3, VOC_CLASSES.index("pottedplant")] == 1  # no <difficult>: not difficult


def test_sample_carries_difficult_mask(voc):
    ds = DATASETS.build(dict(type="VOCMultiLabel", root=str(voc)))
    sample = ds[0]["data_samples"]
    assert sample["difficult"].dtype == torch.bool
    assert sample["difficult"].nonzero().flatten().tolist() == [VOC_CLASSES.index("person")]
    assert sample["gt_label"].nonzero().flatten().tolist() == [VOC_CLASSES.index("dog")]
    assert sample["img_path"] == str(voc / "JPEGImages" / "000001.jpg")
    assert ds[0]["inputs"].shape == (3, 16, 20)
    assert ds.cache_key().startswith("voc-trainval-")


def test_split_without_id_list_uses_class_files(tmp_path):
    write_voc(tmp_path, split="test", with_list=False)
    ds = VOCMultiLabel(tmp_path, split="test")
    assert ds.img_ids == tuple(IDS)
    np.testing.assert_array_equal(ds.targets, expected()[0])
    with pytest.raises(FileNotFoundError, match="test.txt"):
        VOCMultiLabel(tmp_path, split="test", source="xml")


def test_root_must_be_the_voc2007_folder(voc):
    with pytest.raises(FileNotFoundError, match=r"did you mean root='.*VOCdevkit/VOC2007'"):
        VOCMultiLabel(voc.parent.parent)
    with pytest.raises(FileNotFoundError, match="root folder"):
        VOCMultiLabel(voc / "missing")
    with pytest.raises(ValueError, match="source"):
        VOCMultiLabel(voc, source="csv")


def test_missing_class_file_is_named(voc):
    (voc / "ImageSets" / "Main" / "sofa_trainval.txt").unlink()
    with pytest.raises(FileNotFoundError, match="sofa_trainval.txt"):
        VOCMultiLabel(voc)


def test_malformed_class_file_names_line(voc):
    path = voc / "ImageSets" / "Main" / "bus_trainval.txt"
    lines = path.read_text().splitlines()
    lines[2] = "000004 2"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        ValueError, match=r"bus_trainval.txt' line 3: expected '<image id> <1\|-1\|0>'"
    ):
        VOCMultiLabel(voc)


def test_class_files_must_agree_on_images(voc):
    path = voc / "ImageSets" / "Main" / "cow_trainval.txt"
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    with pytest.raises(ValueError, match=r"cow_trainval.txt' does not list the same images"):
        VOCMultiLabel(voc)


def test_malformed_xml_names_file_and_line(voc):
    (voc / "Annotations" / "000004.xml").write_text("<annotation>\n<object><name>cat</name>\n")
    with pytest.raises(ValueError, match=r"malformed XML in '.*000004.xml' at line 3"):
        VOCMultiLabel(voc, source="xml")
    VOCMultiLabel(voc, source="imagesets")  # the other source does not read the XML


def test_xml_with_unknown_class_or_flag(voc):
    path = voc / "Annotations" / "000002.xml"
    path.write_text(xml_for("000002").replace("<name>car</name>", "<name>truck</name>", 1))
    with pytest.raises(ValueError, match=r"000002.xml': object 0 has class 'truck'"):
        VOCMultiLabel(voc, source="xml")
    path.write_text(
        xml_for("000002").replace("<difficult>1</difficult>", "<difficult>x</difficult>")
    )
    with pytest.raises(ValueError, match=r"object 1 has difficult='x'"):
        VOCMultiLabel(voc, source="xml")


def test_missing_xml_is_named(voc):
    (voc / "Annotations" / "000007.xml").unlink()
    with pytest.raises(FileNotFoundError, match="000007.xml"):
        VOCMultiLabel(voc, source="xml")


def test_corrupt_jpeg_raise_or_skip(voc):
    (voc / "JPEGImages" / "000002.jpg").write_bytes(b"\xff\xd8\xff\xe0broken")
    with pytest.raises(OSError, match="000002.jpg"):
        VOCMultiLabel(voc)[1]
    ds = VOCMultiLabel(voc, on_bad_image="skip")
    assert ds[1]["data_samples"]["index"] == 2
    assert ds.num_bad_images == 1
