"""Validation shared by the embedding sources (private: not a registering module)."""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["validate_embeddings"]


def validate_embeddings(
    values: np.ndarray | torch.Tensor, num_classes: int, origin: str, dim: int | None = None
) -> np.ndarray:
    """Check a label-embedding matrix and return it as a contiguous float32 array.

    Args:
        values: the embeddings, one row per label.
        num_classes: K, the number of rows expected.
        origin: what the values came from (a file, a source), named in every error.
        dim: the width d expected, or None for any width >= 1.

    Shapes:
        - values: (K, d)
        - output: (K, d) float32

    Raises:
        ValueError: naming ``origin`` and the expected shape, for a non-numeric or empty array,
            the wrong number of dimensions, rows or columns, or NaN/inf values.
    """
    expected = f"({num_classes}, {dim if dim is not None else 'd'})"
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    array = np.asarray(values)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(
            f"{origin}: label embeddings must be numbers, got dtype {array.dtype}; expected a "
            f"float array of shape {expected}."
        )
    if array.ndim != 2:
        raise ValueError(
            f"{origin}: label embeddings must be a 2-D array of shape {expected} (one row per "
            f"class), got shape {array.shape}."
        )
    if array.size == 0:
        raise ValueError(f"{origin}: the label embeddings are empty; expected shape {expected}.")
    if array.shape[0] != num_classes:
        raise ValueError(
            f"{origin}: {array.shape[0]} rows of label embeddings for {num_classes} classes; "
            f"expected shape {expected}, one row per class in the dataset's class order."
        )
    if dim is not None and array.shape[1] != dim:
        raise ValueError(
            f"{origin}: label embeddings are {array.shape[1]}-d, expected shape {expected}."
        )
    if not np.isfinite(array).all():
        bad = sorted({int(i) for i in np.argwhere(~np.isfinite(array))[:, 0]})
        raise ValueError(
            f"{origin}: label embeddings contain NaN or inf (rows {bad[:10]}); expected finite "
            f"values of shape {expected}."
        )
    return np.ascontiguousarray(array, dtype=np.float32)
