"""One-hot label "embeddings": no word knowledge at all, a baseline for the encoders."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mlrkit.registry import EMBEDDINGS

__all__ = ["OneHot"]


@EMBEDDINGS.register_module()
class OneHot:
    """Row k is the k-th unit vector: the encoder must learn every label's vector itself.

    Shapes:
        - output: (K, K) float32
    """

    def __call__(self, classes: Sequence[str]) -> np.ndarray:
        if len(classes) == 0:
            raise ValueError("OneHot: no classes given; pass the dataset's class names.")
        return np.eye(len(classes), dtype=np.float32)
