"""FashionMNISTScenes on tiny idx files written in tmp_path: the outfit model, determinism,
item provenance, rendering, and the errors for missing or malformed files."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from mlrkit.datasets.fashion_scenes import (
    ANKLE_BOOT,
    BAG,
    COAT,
    DRESS,
    FASHION_CLASSES,
    PULLOVER,
    SANDAL,
    SHIRT,
    SNEAKER,
    T_SHIRT,
    TROUSER,
    FashionMNISTScenes,
    read_idx,
)
from mlrkit.registry import DATASETS

TOPS = [T_SHIRT, SHIRT, PULLOVER]
SHOES = [SANDAL, SNEAKER, ANKLE_BOOT]


def _idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write(path: Path, array: np.ndarray, compress: bool) -> Path:
    data = _idx_bytes(array)
    if compress:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def _items(per_class: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Items whose pixels encode their class and number: item n of class c is a filled square
    of brightness 20 + 20 c + offset + n (all distinct, all >= 20)."""
    labels = np.repeat(np.arange(10), per_class)
    images = np.zeros((len(labels), 28, 28), dtype=np.uint8)
    for n, c in enumerate(labels):
        images[n, 4:24, 4:24] = 20 + 20 * c + offset + n % per_class
    return images, labels


@pytest.fixture
def fashion_root(tmp_path) -> Path:
    """Train files gzip-compressed, t10k files raw: both forms are read."""
    for prefix, per_class, offset, compress in (("train", 3, 0, True), ("t10k", 2, 10, False)):
        images, labels = _items(per_class, offset)
        _write(tmp_path / f"{prefix}-images-idx3-ubyte", images, compress)
        _write(tmp_path / f"{prefix}-labels-idx1-ubyte", labels, compress)
    return tmp_path


def test_outfits_follow_the_model(fashion_root):
    ds = FashionMNISTScenes(num_samples=3000, root=fashion_root, seed=0)
    t = ds.targets.astype(bool)
    counts = t.sum(1)
    assert counts.min() >= 2 and counts.max() <= 4
    assert (t[:, DRESS] ^ t[:, TROUSER]).all()  # a dress, or a top with trousers
    assert (t[:, TOPS].sum(1) == ~t[:, DRESS]).all()  # exactly one top without a dress
    assert (t[:, SHOES].sum(1) <= 1).all() and t[t[:, DRESS]][:, SHOES].any(1).all()
    full = t[:, TROUSER] & t[:, SHOES].any(1) & t[:, COAT]  # top, trousers, shoes, coat
    assert full.any() and not t[full, BAG].any()  # the bag goes when there are four items
    assert t[~full, BAG].mean() == pytest.approx(0.35, abs=0.03)
    # seasons make context informative: a coat comes with pullovers and boots far more often
    coat = t[:, COAT]
    assert t[coat, PULLOVER].mean() > 2 * t[~coat, PULLOVER].mean()
    assert t[coat, ANKLE_BOOT].mean() > 2 * t[~coat, ANKLE_BOOT].mean()
    assert t[coat, SANDAL].mean() < 0.5 * t[~coat, SANDAL].mean()  # no coats in summer
    # marginals of the model: P(dress) = .45 * .40 + .30 * .20 + .25 * .10 = 0.265
    assert t[:, DRESS].mean() == pytest.approx(0.265, abs=0.03)
    assert t[:, COAT].mean() == pytest.approx(0.30 * 0.25 + 0.25 * 0.70, abs=0.03)


def test_same_seed_same_scenes_different_seed_different(fashion_root):
    a = FashionMNISTScenes(num_samples=60, root=fashion_root, seed=1, image_size=48)
    b = FashionMNISTScenes(num_samples=60, root=fashion_root, seed=1, image_size=48)
    c = FashionMNISTScenes(num_samples=60, root=fashion_root, seed=2, image_size=48)
    assert np.array_equal(a.targets, b.targets) and np.array_equal(a.items, b.items)
    assert all(torch.equal(a[i]["inputs"], b[i]["inputs"]) for i in range(5))
    assert not np.array_equal(a.targets, c.targets)
    small = FashionMNISTScenes(num_samples=10, root=fashion_root, seed=1, image_size=48)
    assert np.array_equal(small.targets, a.targets[:10])  # random access
    assert torch.equal(small[7]["inputs"], a[7]["inputs"])


def test_items_come_from_their_split_and_class(fashion_root):
    train = FashionMNISTScenes(num_samples=200, root=fashion_root, split="train")
    test = FashionMNISTScenes(num_samples=200, root=fashion_root, split="test")
    _, train_labels = _items(3, 0)
    _, test_labels = _items(2, 10)
    for ds, labels in ((train, train_labels), (test, test_labels)):
        for i in range(len(ds)):
            placed = ds.items[i][ds.items[i] >= 0]
            assert sorted(labels[placed]) == sorted(np.flatnonzero(ds.targets[i]))
    assert train.items.max() < 30 and test.items.max() < 20
    assert len(np.unique(train.items[train.items >= 0])) == 30  # every item gets used


def test_images_are_the_items_composed_on_black(fashion_root):
    ds = FashionMNISTScenes(num_samples=50, root=fashion_root, image_size=64, split="test")
    for i in range(10):
        image = ds[i]["inputs"]
        assert image.dtype == torch.uint8 and image.shape == (3, 64, 64)
        assert torch.equal(image[0], image[1]) and torch.equal(image[0], image[2])
        values = set(torch.unique(image[0]).tolist())
        item_values = {20 + 20 * c + 10 + n % 2 for c, n in zip(*_item_ids(ds, i))}
        assert 0 in values  # black canvas around the items
        assert item_values <= values  # each item's brightness survives (the centre of its square)
        assert max(values) == max(item_values)


def _item_ids(ds, i):
    _, labels = _items(2, 10)
    placed = ds.items[i][ds.items[i] >= 0]
    return labels[placed], placed


def test_contract_and_registry(fashion_root):
    ds = DATASETS.build(dict(type="FashionMNISTScenes", num_samples=8, root=str(fashion_root)))
    assert ds.classes == FASHION_CLASSES and ds.targets.shape == (8, 10)
    sample = ds[2]["data_samples"]
    assert torch.equal(sample["gt_label"], torch.from_numpy(ds.targets[2]).float())
    assert sample["index"] == 2 and sample["img_path"].startswith("fashion-scenes/train")


# -- errors ----------------------------------------------------------------------------------
def test_missing_folder_or_file_says_how_to_get_them(tmp_path, fashion_root):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        FashionMNISTScenes(num_samples=5, root=tmp_path / "nowhere")
    (fashion_root / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte.*apt-get install"):
        FashionMNISTScenes(num_samples=5, root=fashion_root, split="test")


@pytest.mark.parametrize(
    ("corrupt", "match"),
    [
        (lambda b: b"\x12\x34" + b[2:], "bad magic number"),
        (lambda b: b[:2] + b"\x0d" + b[3:], "element type 0x0d"),
        (lambda b: b[:-100], "truncated or corrupt"),
        (lambda b: b[:6], "truncated header"),
        (lambda b: b"", "bad magic number empty"),
    ],
)
def test_malformed_idx_files_are_named(tmp_path, corrupt, match):
    images, _ = _items(1, 0)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(corrupt(_idx_bytes(images)))
    with pytest.raises(ValueError, match=f"{path.name}.*{match}|{match}.*{path.name}"):
        read_idx(path)


def test_inconsistent_files_are_refused(fashion_root):
    images, labels = _items(2, 10)
    _write(fashion_root / "t10k-labels-idx1-ubyte", labels[:-1], compress=False)
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.*one label per image"):
        FashionMNISTScenes(num_samples=5, root=fashion_root, split="test")
    bad = labels.copy()
    bad[0] = 12
    _write(fashion_root / "t10k-labels-idx1-ubyte", bad, compress=False)
    with pytest.raises(ValueError, match="label 12 out of range"):
        FashionMNISTScenes(num_samples=5, root=fashion_root, split="test")
    (fashion_root / "train-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz.*cannot decompress"):
        FashionMNISTScenes(num_samples=5, root=fashion_root)


def test_bad_arguments(fashion_root):
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        FashionMNISTScenes(num_samples=5, root=fashion_root, split="valid")
    with pytest.raises(ValueError, match="item_size"):
        FashionMNISTScenes(num_samples=5, root=fashion_root, item_size=(0.8, 0.3))
    with pytest.raises(ValueError, match="image_size"):
        FashionMNISTScenes(num_samples=5, root=fashion_root, image_size=16)


@pytest.mark.skipif(
    not Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").is_file(),
    reason="the dataset-fashion-mnist package is not installed",
)
def test_real_files_when_installed():
    ds = FashionMNISTScenes(num_samples=100, split="test")
    assert ds.items.max() < 10_000 and ds[0]["inputs"].shape == (3, 64, 64)


def test_val_split_is_other_scenes_of_the_training_items(fashion_root):
    train = FashionMNISTScenes(num_samples=40, root=fashion_root, split="train", seed=0)
    val = FashionMNISTScenes(num_samples=40, root=fashion_root, split="val", seed=0)
    test = FashionMNISTScenes(num_samples=40, root=fashion_root, split="test", seed=0)
    assert not np.array_equal(train.targets, val.targets)  # its own random streams
    assert not np.array_equal(val.items, train.items)
    assert not np.array_equal(test.targets, val.targets)
    paths = [{d.image_path(i) for i in range(len(d))} for d in (train, val, test)]
    assert not (paths[0] & paths[1]) and not (paths[1] & paths[2])
