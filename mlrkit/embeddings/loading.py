"""One entry point from a configured source to the label-embedding matrix X (K, d)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mlrkit.registry import EMBEDDINGS, UnknownComponentError

from ._checks import validate_embeddings
from .file_embedding import FileEmbedding

__all__ = ["load_label_embeddings", "build_embedding_source"]

_FILE_SUFFIXES = (".npy", ".txt", ".vec", ".gz")


def _looks_like_path(text: str) -> bool:
    return "/" in text or os.sep in text or text.endswith(_FILE_SUFFIXES) or Path(text).exists()


def build_embedding_source(source: Any) -> Callable[[Sequence[str]], np.ndarray]:
    """The callable behind a source spec: a config dict (``dict(type="GloVe50")``), a registered
    name (``"MiniLM"``), a file path (``.npy`` / GloVe text), or a callable itself."""
    if isinstance(source, dict):
        if "type" not in source:
            raise ValueError(
                f"Label embedding config {source} has no 'type'; one of "
                f"{EMBEDDINGS.names()} (or 'FileEmbedding' with path=...)."
            )
        return EMBEDDINGS.build(source)
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
        return FileEmbedding(source)
    if isinstance(source, str):
        try:
            return EMBEDDINGS.build(dict(type=source))
        except UnknownComponentError as err:
            raise UnknownComponentError(
                f"{err} A file path (.npy in class order, or GloVe text) is accepted too."
            ) from err
    if callable(source):
        return source
    raise TypeError(
        f"Label embedding source must be a config dict, a registered name, a file path or a "
        f"callable, got {type(source).__name__}."
    )


def load_label_embeddings(
    source: dict | str | os.PathLike | Callable | np.ndarray | torch.Tensor,
    classes: Sequence[str],
) -> np.ndarray:
    """The label embeddings X of ``classes`` from a configured source, validated.

    Args:
        source: a config dict, a name registered in ``EMBEDDINGS`` (``"GloVe300"``,
            ``"GloVe50"``, ``"MiniLM"``, ``"OneHot"``), a path (``.npy`` in class order or a
            GloVe text file), a callable ``classes -> (K, d)``, or the (K, d) array itself.
        classes: the K label names, in the dataset's label order.

    Shapes:
        - output: (K, d) float32

    Raises:
        ValueError: if the embeddings do not have K finite rows.
        UnknownComponentError: for a name that is neither registered nor a path.
    """
    classes = tuple(classes)
    if not classes:
        raise ValueError("load_label_embeddings: no classes given; pass the dataset's classes.")
    if isinstance(source, np.ndarray | torch.Tensor):
        return validate_embeddings(source, len(classes), "The given label embeddings")
    fn = build_embedding_source(source)
    origin = (
        f"Label embedding source {fn!r}"
        if not isinstance(fn, FileEmbedding)
        else (f"Label embedding file {fn.path}")
    )
    return validate_embeddings(fn(classes), len(classes), origin, getattr(fn, "dim", None))
