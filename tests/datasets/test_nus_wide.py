"""NUSWideMultiLabel on hand-made files: the official release layout and ASL's CSV."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from mlrkit.datasets.hold_out import hold_out_ids
from mlrkit.datasets.nus_wide import NUS_WIDE_CLASSES, NUSWideMultiLabel
from mlrkit.registry import DATASETS

# Official lists are Windows paths relative to Flickr/ (the full list has a drive prefix).
TRAIN = ["actor\\0001_2124494179.jpg", "C:\\ImageData\\Flickr\\zebra\\0002_123.jpg"]
TEST = ["sky\\0003_77.jpg"]
POSITIVE = {"train": {0: ["clouds", "sky"], 1: []}, "test": {0: ["zebra"]}}


def image(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (6, 4), (1, 2, 3)).save(path)


def write_official(root, bad_line=None):
    (root / "ImageList").mkdir(parents=True)
    (root / "ImageList" / "TrainImagelist.txt").write_text("\r\n".join(TRAIN) + "\r\n")
    (root / "ImageList" / "TestImagelist.txt").write_text("\r\n".join(TEST) + "\r\n")
    labels = root / "Groundtruth" / "TrainTestLabels"
    labels.mkdir(parents=True)
    for tag, files in (("Train", TRAIN), ("Test", TEST)):
        for name in NUS_WIDE_CLASSES:
            values = [int(name in POSITIVE[tag.lower()][n]) for n in range(len(files))]
            (labels / f"Labels_{name}_{tag}.txt").write_text("".join(f"{v}\n" for v in values))
    (root / "Concepts81.txt").write_text("\n".join(NUS_WIDE_CLASSES) + "\n")
    for rel in ("actor/0001_2124494179.jpg", "zebra/0002_123.jpg", "sky/0003_77.jpg"):
        image(root / "Flickr" / rel)
    if bad_line:
        (labels / "Labels_sky_Train.txt").write_text("1\nyes\n")


def expected(split):
    files = TRAIN if split == "train" else TEST
    out = np.zeros((len(files), 81), dtype=np.uint8)
    for n, names in POSITIVE[split].items():
        out[n, [NUS_WIDE_CLASSES.index(c) for c in names]] = 1
    return out


@pytest.mark.parametrize("split", ["train", "test"])
def test_official_release(tmp_path, split):
    write_official(tmp_path)
    ds = DATASETS.build(dict(type="NUSWideMultiLabel", root=tmp_path, split=split))
    assert ds.classes == NUS_WIDE_CLASSES and len(NUS_WIDE_CLASSES) == 81
    assert np.array_equal(ds.targets, expected(split))
    assert not ds.unknown.any() and not ds.difficult.any()
    first = "actor/0001_2124494179.jpg" if split == "train" else "sky/0003_77.jpg"
    assert ds.files[0] == first and ds[0]["inputs"].shape == (3, 4, 6)
    if split == "train":
        assert ds.files[1] == "zebra/0002_123.jpg"  # drive and Flickr prefix stripped
        dropped = NUSWideMultiLabel(tmp_path, split="train", drop_empty=True)
        assert len(dropped) == 1


def test_official_malformed_line_and_misaligned_file(tmp_path):
    write_official(tmp_path, bad_line=True)
    with pytest.raises(ValueError, match=r"Labels_sky_Train.txt' line 2: expected 0 or 1"):
        NUSWideMultiLabel(tmp_path)
    (tmp_path / "Groundtruth/TrainTestLabels/Labels_sky_Train.txt").write_text("1\n")
    with pytest.raises(ValueError, match="has 1 labels but .* lists 2 images"):
        NUSWideMultiLabel(tmp_path)
    with pytest.raises(ValueError, match="split must be one of"):
        NUSWideMultiLabel(tmp_path, split="val")


CSV = (
    ",filename,label,split\n"
    "0,images/0001_2124494179.jpg,\"['clouds', 'sky']\",train\n"
    "1,images/0002_123.jpg,[],train\n"
    "2,images/0003_77.jpg,['zebra'],val\n"
)


def test_asl_csv(tmp_path):
    (tmp_path / "nus_wid_data.csv").write_text(CSV)
    for name in ("0001_2124494179", "0002_123", "0003_77"):
        image(tmp_path / "images" / "images" / f"{name}.jpg")
    train = NUSWideMultiLabel(tmp_path, split="train", source="csv")
    assert np.array_equal(train.targets, expected("train"))
    val = NUSWideMultiLabel(tmp_path, split="val", source="csv")
    assert np.array_equal(val.targets, expected("test"))
    assert val[0]["data_samples"]["img_path"].endswith("images/images/0003_77.jpg")
    # without the index column too
    (tmp_path / "plain.csv").write_text(
        "\n".join(line.split(",", 1)[1] for line in CSV.splitlines())
    )
    plain = NUSWideMultiLabel(
        tmp_path, split="train", source="csv", csv_file=tmp_path / "plain.csv"
    )
    assert np.array_equal(plain.targets, train.targets)


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("3,images/x.jpg,['unicorn'],train", "'unicorn' is not one of the 81"),
        ("3,images/x.jpg,clouds sky,train", "label must be a list"),
        ("3,images/x.jpg,[],test", "split must be 'train' or 'val'"),
        ("3,images/x.jpg,train", "expected 4 fields"),
    ],
)
def test_asl_csv_malformed_line(tmp_path, line, what):
    (tmp_path / "images").mkdir()
    (tmp_path / "nus_wid_data.csv").write_text(CSV + line + "\n")
    with pytest.raises(ValueError, match=rf"nus_wid_data.csv' line 5: {what}"):
        NUSWideMultiLabel(tmp_path, source="csv")


@pytest.mark.parametrize("source", ["official", "csv"])
def test_hold_out_of_train_is_disjoint_and_fixed(tmp_path, source):
    if source == "official":
        write_official(tmp_path)
    else:
        (tmp_path / "nus_wid_data.csv").write_text(CSV)
        for name in ("0001_2124494179", "0002_123", "0003_77"):
            image(tmp_path / "images" / "images" / f"{name}.jpg")
    build = lambda **kw: NUSWideMultiLabel(tmp_path, split="train", source=source, **kw)  # noqa: E731
    every = build()
    rest = build(hold_out_size=1, hold_out_part="rest")
    held = build(hold_out_size=1, hold_out_part="held_out")
    assert len(rest) == len(held) == 1
    assert set(held.files) == hold_out_ids(list(every.files), 1)  # keyed by the relative path
    assert set(rest.files) | set(held.files) == set(every.files)
    assert rest.image_path(0) != held.image_path(0)
    row = every.files.index(held.files[0])
    assert np.array_equal(held.targets[0], every.targets[row])  # targets follow their image
    assert build(hold_out_size=1, hold_out_part="held_out").files == held.files  # stable
    assert held.metainfo["hold_out"] == (1, "held_out") and every.metainfo["hold_out"] is None
    with pytest.raises(ValueError, match=r"NUSWideMultiLabel: hold_out_size must be in \[0, 2\]"):
        build(hold_out_size=3)
