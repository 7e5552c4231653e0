"""Label embeddings from a user's file: a ``.npy`` matrix in class order, or GloVe text."""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from mlrkit.registry import EMBEDDINGS

from ._checks import validate_embeddings
from .names import label_words, normalize_label_name

__all__ = ["FileEmbedding", "read_glove_text"]


@EMBEDDINGS.register_module()
class FileEmbedding:
    """Label embeddings read from a file.

    - ``.npy``: a (K, d) array whose row k is class k (the dataset's class order), loaded with
      ``allow_pickle=False``.
    - anything else (``.txt``, ``.vec``, optionally ``.gz``): GloVe text, one ``word v1 ... vd``
      per line (a word2vec ``count dim`` header line is skipped). Each class is looked up by its
      normalised name (file words are normalised the same way, so a ``dining_table`` line
      serves ``"diningtable"``); a name without its own line is the mean of its words'
      vectors. Only the lines needed are parsed, so a multi-gigabyte file is fine.

    Args:
        path: the file.
        dim: the width d the vectors must have, or None for any.

    Shapes:
        - output: (K, d) float32

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: naming the file and the expected shape, for an empty or unreadable file,
            the wrong number of rows or columns, NaN/inf, or words missing from a text file.
    """

    def __init__(self, path: str | os.PathLike, dim: int | None = None):
        self.path = Path(path)
        self.dim = dim

    def __call__(self, classes: Sequence[str]) -> np.ndarray:
        if not self.path.is_file():
            raise FileNotFoundError(
                f"Label embedding file {self.path} does not exist; give a .npy of shape "
                f"({len(classes)}, d) in class order or a GloVe text file."
            )
        if self.path.stat().st_size == 0:
            raise ValueError(
                f"Label embedding file {self.path} is empty; expected "
                f"({len(classes)}, {self.dim or 'd'}) vectors."
            )
        if self.path.suffix == ".npy":
            try:
                values = np.load(self.path, allow_pickle=False)
            except (ValueError, OSError, EOFError) as err:
                raise ValueError(
                    f"Label embedding file {self.path} is not a readable numeric .npy array "
                    f"({err}); expected shape ({len(classes)}, {self.dim or 'd'}). Pickled "
                    "(object) arrays are never loaded."
                ) from err
        else:
            values = read_glove_text(self.path, classes)
        return validate_embeddings(
            values, len(classes), f"Label embedding file {self.path}", self.dim
        )

    def __repr__(self) -> str:
        return f"FileEmbedding(path={str(self.path)!r}, dim={self.dim})"


def _lines(path: Path) -> Iterator[str]:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")
    with raw, io.TextIOWrapper(raw, encoding="utf-8", errors="strict") as text:
        yield from text


def read_glove_text(path: str | os.PathLike, classes: Sequence[str]) -> np.ndarray:
    """Look the classes up in a GloVe text file (see :class:`FileEmbedding`).

    Shapes:
        - output: (K, d) float32

    Raises:
        ValueError: naming the file (and line) for a malformed line, inconsistent widths,
            no vectors at all, or words of a class that the file does not have.
    """
    path = Path(path)
    names = [normalize_label_name(c) for c in classes]
    needed = set(names) | {word for name in names for word in label_words(name)}
    found: dict[str, np.ndarray] = {}
    dim = None
    try:
        for number, line in enumerate(_lines(path), start=1):
            parts = line.split()
            if not parts:
                continue
            if dim is None:
                if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                    continue  # word2vec header: "<count> <dim>"
                dim = len(parts) - 1
                if dim < 1:
                    raise ValueError(f"line {number} has a word but no vector")
            if len(parts) <= dim:
                raise ValueError(
                    f"line {number} has {len(parts) - 1} numbers where the first vector had {dim}"
                )
            word = normalize_label_name(" ".join(parts[:-dim]))
            if word in needed and word not in found:
                try:
                    found[word] = np.asarray(parts[-dim:], dtype=np.float32)  # (d,)
                except ValueError as err:
                    raise ValueError(f"line {number}: {err}") from err
    except (ValueError, UnicodeDecodeError, OSError, EOFError) as err:
        raise ValueError(f"Label embedding file {path} is not valid GloVe text: {err}.") from err
    if dim is None:
        raise ValueError(f"Label embedding file {path} holds no vectors.")
    rows, missing = [], []
    for original, name in zip(classes, names):
        if name in found:
            rows.append(found[name])
            continue
        words = label_words(name)
        absent = [w for w in words if w not in found]
        if absent or not words:
            missing.append(f"{original!r} ({', '.join(absent) or 'empty name'})")
            continue
        rows.append(np.mean([found[w] for w in words], axis=0))  # (d,)
    if missing:
        raise ValueError(
            f"Label embedding file {path} has no vector for the class(es) {', '.join(missing)}; "
            "add a line for the name (spaces as '_') or for each of its words."
        )
    return np.stack(rows).astype(np.float32)  # (K, d)
