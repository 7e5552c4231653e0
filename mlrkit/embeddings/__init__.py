"""mlrkit.embeddings. Importing the package imports every module in it, so that their components
register (the registries import this package lazily on first use)."""

from mlrkit._autoimport import import_submodules

import_submodules(__name__, __path__)

from ._checks import validate_embeddings  # noqa: E402
from .file_embedding import FileEmbedding, read_glove_text  # noqa: E402
from .glove import GloVe50, GloVe300  # noqa: E402
from .loading import build_embedding_source, load_label_embeddings  # noqa: E402
from .minilm import MiniLM  # noqa: E402
from .names import JOINED_NAMES, label_words, normalize_label_name  # noqa: E402
from .one_hot import OneHot  # noqa: E402

__all__ = [
    "JOINED_NAMES",
    "FileEmbedding",
    "GloVe50",
    "GloVe300",
    "MiniLM",
    "OneHot",
    "build_embedding_source",
    "label_words",
    "load_label_embeddings",
    "normalize_label_name",
    "read_glove_text",
    "validate_embeddings",
]
