"""ListMultiLabel (CSV / JSONL), image decoding, and the on_bad_image policy of the base class."""

from __future__ import annotations

import io
import json
import logging
import os

import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate
from PIL import Image
from torch.utils.data import DataLoader

from mlrkit.datasets._io import ImageDecodeError, decode_image_file
from mlrkit.datasets.list_dataset import ListMultiLabel
from mlrkit.registry import DATASETS


def pixels(height: int, width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def write_png(path, height=12, width=16, seed=0) -> np.ndarray:
    """Write a lossless RGB image; returns its pixels (H, W, 3)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    array = pixels(height, width, seed)
    Image.fromarray(array).save(path)
    return array


# image, labels; "traffic light" has a space; img/c.png has no label at all
RECORDS = [
    ("img/a.png", ["dog", "person"]),
    ("img/b.png", ["traffic light"]),
    ("img/c.png", []),
    ("img/d.png", ["person", "dog", "traffic light"]),
]
EXPECTED_CLASSES = ("dog", "person", "traffic light")
EXPECTED_TARGETS = np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0], [1, 1, 1]], dtype=np.uint8)


@pytest.fixture
def data_dir(tmp_path):
    for i, (image, _) in enumerate(RECORDS):
        write_png(tmp_path / image, seed=i)
    return tmp_path


def write_csv(path, separators=("|", ";", "|", ";")) -> None:
    lines = ["image,labels"]
    for (image, labels), sep in zip(RECORDS, separators):
        lines.append(f"{image},{sep.join(labels)}")
    path.write_text("\n".join(lines) + "\n")


def write_jsonl(path) -> None:
    lines = [json.dumps({"image": image, "labels": labels}) for image, labels in RECORDS]
    lines.insert(2, "")  # blank lines are allowed
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_targets_and_inferred_classes(data_dir, kind):
    ann = data_dir / f"list.{kind}"
    write_csv(ann) if kind == "csv" else write_jsonl(ann)
    ds = ListMultiLabel(ann)
    assert ds.classes == EXPECTED_CLASSES
    np.testing.assert_array_equal(ds.targets, EXPECTED_TARGETS)
    assert ds.targets.dtype == np.uint8
    assert not ds.difficult.any() and ds.difficult.shape == (4, 3)
    assert [ds.image_path(i) for i in range(4)] == [str(data_dir / r[0]) for r in RECORDS]


def test_given_classes_set_the_order(data_dir):
    write_csv(data_dir / "list.csv")
    ds = ListMultiLabel(data_dir / "list.csv", classes=["traffic light", "person", "dog", "cat"])
    np.testing.assert_array_equal(ds.targets[:, :3], EXPECTED_TARGETS[:, ::-1])
    assert not ds.targets[:, 3].any()


def test_sample_is_the_contract(data_dir):
    write_jsonl(data_dir / "list.jsonl")
    ds = DATASETS.build(dict(type="ListMultiLabel", ann_file=str(data_dir / "list.jsonl")))
    sample = ds[3]
    image = sample["inputs"]
    assert image.dtype == torch.uint8 and image.shape == (3, 12, 16)
    np.testing.assert_array_equal(image.permute(1, 2, 0).numpy(), pixels(12, 16, seed=3))
    ds_ = sample["data_samples"]
    assert ds_["gt_label"].dtype == torch.float32
    assert ds_["gt_label"].tolist() == [1.0, 1.0, 1.0]
    assert ds_["difficult"].dtype == torch.bool and ds_["difficult"].shape == (3,)
    assert ds_["index"] == 3 and ds_["img_path"] == str(data_dir / "img/d.png")
    assert ds[-1]["data_samples"]["index"] == 3
    with pytest.raises(IndexError):
        ds[4]


def test_dataloader_batches_with_mmengine_default_collate(data_dir):
    write_csv(data_dir / "list.csv")
    pipeline = [dict(type="Resize", size=8)]
    ds = ListMultiLabel(data_dir / "list.csv", pipeline=pipeline)
    batch = next(iter(DataLoader(ds, batch_size=4, collate_fn=default_collate)))
    assert batch["inputs"].shape == (4, 3, 8, 8) and batch["inputs"].dtype == torch.uint8
    samples = batch["data_samples"]
    assert samples["gt_label"].shape == (4, 3) and samples["difficult"].shape == (4, 3)
    assert samples["index"].tolist() == [0, 1, 2, 3]
    assert len(samples["img_path"]) == 4


def test_img_root_and_absolute_paths(tmp_path):
    write_png(tmp_path / "images" / "x.png")
    absolute = tmp_path / "elsewhere" / "y.png"
    write_png(absolute)
    ann = tmp_path / "ann" / "list.jsonl"
    ann.parent.mkdir()
    ann.write_text(
        json.dumps({"image": "x.png", "labels": ["a"]})
        + "\n"
        + json.dumps({"image": str(absolute), "labels": ["b"]})
        + "\n"
    )
    with pytest.raises(ValueError, match="outside the image root"):
        ListMultiLabel(ann, img_root=tmp_path / "images")
    ds = ListMultiLabel(ann, img_root=tmp_path / "images", restrict_to_root=False)
    assert ds.image_path(0) == str(tmp_path / "images" / "x.png")
    assert ds.image_path(1) == str(absolute)
    assert ds[1]["inputs"].shape == (3, 12, 16)


# -- bad list files ---------------------------------------------------------------------------
def test_unknown_class_lists_the_known_ones(data_dir):
    write_csv(data_dir / "list.csv")
    with pytest.raises(ValueError, match=r"line 3: unknown class 'traffic light'.*'dog', 'person'"):
        ListMultiLabel(data_dir / "list.csv", classes=["dog", "person"])


def test_missing_files_fail_at_construction(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        ListMultiLabel(tmp_path / "nope.csv")
    write_csv(tmp_path / "list.csv")
    with pytest.raises(FileNotFoundError, match="no_images"):
        ListMultiLabel(tmp_path / "list.csv", img_root=tmp_path / "no_images")


@pytest.mark.parametrize(
    "name, text, match",
    [
        ("l.jsonl", '{"image": "a.png", "labels": ["x"]}\n{"image": "b.png", "labels": [\n',
         r"l.jsonl' line 2: malformed JSON"),
        ("l.jsonl", '{"image": "a.png", "labels": "x|y"}\n', r"line 1: 'labels' must be a list"),
        ("l.jsonl", '{"labels": ["x"]}\n', r"line 1: 'image' must be a non-empty path"),
        ("l.jsonl", '["a.png", ["x"]]\n', r"line 1: expected a JSON object"),
        ("l.csv", "path,labels\na.png,x\n", r"line 1: the header has no 'image' column"),
        ("l.csv", "image,labels\na.png,x\nb.png\n", r"line 3: expected 2 fields"),
        ("l.csv", "image,labels\na.png,x,extra\n", r"line 2: expected 2 fields"),
        ("l.csv", "image,labels\n,x\n", r"line 2: empty path"),
        ("l.csv", "image,labels\n", r"lists no images"),
        ("l.txt", "a.png x\n", r"suffix must be one of"),
    ],
)  # fmt: skip
def test_malformed_list_files(tmp_path, name, text, match):
    (tmp_path / name).write_text(text)
    with pytest.raises(ValueError, match=match):
        ListMultiLabel(tmp_path / name)


def test_bad_classes_argument(data_dir):
    write_csv(data_dir / "list.csv")
    with pytest.raises(ValueError, match="not unique"):
        ListMultiLabel(data_dir / "list.csv", classes=["dog", "dog"])
    with pytest.raises(ValueError, match="list of names"):
        ListMultiLabel(data_dir / "list.csv", classes="dog")
    with pytest.raises(ValueError, match="on_bad_image"):
        ListMultiLabel(data_dir / "list.csv", on_bad_image="ignore")


# -- decoding ---------------------------------------------------------------------------------
def encode(array: np.ndarray, mode: str, fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).convert(mode).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    "mode, fmt, tolerance",
    [
        ("RGB", "JPEG", 1),
        ("L", "JPEG", 1),
        ("CMYK", "JPEG", 1),
        ("RGBA", "PNG", 0),
        ("LA", "PNG", 0),
        ("P", "PNG", 0),
        ("RGB", "BMP", 0),  # not a torchvision format: decoded by PIL
        ("RGB", "TIFF", 0),
    ],
)
def test_decodes_any_mode_to_rgb_like_pil(tmp_path, mode, fmt, tolerance):
    data = encode(pixels(10, 14, seed=7), mode, fmt)
    path = tmp_path / f"img.{fmt.lower()}"
    path.write_bytes(data)
    image = decode_image_file(path)
    assert image.dtype == torch.uint8 and image.shape == (3, 10, 14)
    reference = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)
    assert np.abs(image.permute(1, 2, 0).numpy().astype(int) - reference).max() <= tolerance


def test_decodes_16_bit_png_to_8_bits(tmp_path):
    values = np.array([[0, 255, 256, 65535]], dtype=np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    image = decode_image_file(tmp_path / "deep.png")
    assert image.dtype == torch.uint8 and image.shape == (3, 1, 4)
    assert image[0, 0].tolist() == [0, 0, 1, 255]


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "the file is empty"),
        (b"\xff\xd8\xff\xe0" + b"garbage" * 20, "cannot decode image"),
        (b"this is not an image at all", "cannot decode image"),
    ],
)
def test_corrupt_image_names_the_file(tmp_path, content, match):
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageDecodeError, match=match) as info:
        decode_image_file(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, OSError)


def test_truncated_jpeg_is_an_error(tmp_path):
    data = encode(pixels(64, 64, seed=1), "RGB", "JPEG")
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageDecodeError, match="cut.jpg"):
        decode_image_file(tmp_path / "cut.jpg")


def test_missing_image_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="gone.jpg"):
        decode_image_file(tmp_path / "gone.jpg")


# -- on_bad_image -----------------------------------------------------------------------------
@pytest.fixture
def broken_dir(data_dir):
    """RECORDS with img/b.png corrupt and img/c.png missing."""
    (data_dir / "img" / "b.png").write_bytes(b"not a png")
    (data_dir / "img" / "c.png").unlink()
    write_csv(data_dir / "list.csv")
    return data_dir


def test_raise_names_the_bad_file(broken_dir):
    ds = ListMultiLabel(broken_dir / "list.csv")
    assert ds[0]["inputs"].shape == (3, 12, 16)
    with pytest.raises(ImageDecodeError, match="b.png"):
        ds[1]
    with pytest.raises(FileNotFoundError, match="c.png"):
        ds[2]


def test_skip_returns_next_good_sample_and_counts_once(broken_dir, caplog):
    ds = ListMultiLabel(broken_dir / "list.csv", on_bad_image="skip")
    with caplog.at_level(logging.WARNING, logger="mlrkit.datasets.base"):
        first = ds[1]
        again = ds[2]
        ds[1]
    for sample in (first, again):
        assert sample["data_samples"]["index"] == 3
        assert sample["data_samples"]["img_path"] == str(broken_dir / "img/d.png")
        assert sample["data_samples"]["gt_label"].tolist() == EXPECTED_TARGETS[3].tolist()
        np.testing.assert_array_equal(
            sample["inputs"].permute(1, 2, 0).numpy(), pixels(12, 16, seed=3)
        )
    assert ds.num_bad_images == 2
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2
    assert "b.png" in logged[0] and "c.png" in logged[1]


def test_skip_wraps_around_and_fails_when_nothing_is_readable(broken_dir):
    (broken_dir / "img" / "d.png").unlink()
    ds = ListMultiLabel(broken_dir / "list.csv", on_bad_image="skip")
    assert ds[1]["data_samples"]["index"] == 0  # wraps past the end to sample 0
    (broken_dir / "img" / "a.png").unlink()
    ds = ListMultiLabel(broken_dir / "list.csv", on_bad_image="skip")
    with pytest.raises(RuntimeError, match="none of its 4 images can be read"):
        ds[0]
    assert ds.num_bad_images == 4


# -- paths outside the image root, FIFOs (issue 13, item 10) ------------------------------------


@pytest.mark.parametrize("where", ["dotdot", "absolute"])
def test_images_outside_the_root_are_refused_unless_allowed(tmp_path, where):
    root = tmp_path / "data"
    secret = write_png(tmp_path / "secret.png", seed=7)
    write_png(root / "img/a.png")
    outside = "img/../../secret.png" if where == "dotdot" else str(tmp_path / "secret.png")
    ann = root / "list.jsonl"
    lines = [{"image": "img/a.png", "labels": ["dog"]}, {"image": outside, "labels": ["cat"]}]
    ann.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(ValueError, match=r"line 2: image .*secret.png' is outside the image root"):
        ListMultiLabel(ann)
    with pytest.raises(ValueError, match="restrict_to_root=False"):
        ListMultiLabel(ann)
    opened = ListMultiLabel(ann, restrict_to_root=False)  # the explicit opt-out
    np.testing.assert_array_equal(opened.load_image(1).permute(1, 2, 0).numpy(), secret)


def test_dotdot_that_stays_inside_the_root_is_fine(data_dir):
    ann = data_dir / "list.jsonl"
    ann.write_text(json.dumps({"image": "img/../img/a.png", "labels": ["dog"]}) + "\n")
    assert ListMultiLabel(ann).load_image(0).shape == (3, 12, 16)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    root = tmp_path / "data"
    (root / "img").mkdir(parents=True)
    os.mkfifo(root / "img/pipe.png")  # reading it would block for good
    write_png(root / "img/a.png")
    ann = root / "list.jsonl"
    lines = [{"image": "img/a.png", "labels": ["dog"]}, {"image": "img/pipe.png", "labels": []}]
    ann.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    ds = ListMultiLabel(ann)
    with pytest.raises(ImageDecodeError, match="pipe.png.*not a regular file"):
        ds.load_image(1)
    with pytest.raises(ImageDecodeError, match="not a regular file"):
        decode_image_file(root / "img/pipe.png")
    skipping = ListMultiLabel(ann, on_bad_image="skip")
    assert skipping[1]["inputs"].shape == (3, 12, 16)  # the next readable image instead
    with pytest.raises(ValueError, match="restrict_to_root must be True or False"):
        ListMultiLabel(ann, restrict_to_root="no")
