"""mlrkit.graph. Importing the package imports every module in it, so that their components
register (the registries import this package lazily on first use)."""

from mlrkit._autoimport import import_submodules

import_submodules(__name__, __path__)

from .adjacency import (  # noqa: E402
    ADJACENCY_KINDS,
    DIRECTIONS,
    binary_adjacency,
    build_adjacency,
    cosine_weighted,
    gen_adj,
    reweight,
)
from .label_graph import LabelGraph  # noqa: E402
from .label_statistics import LabelStatistics, label_statistics_for  # noqa: E402

__all__ = [
    "ADJACENCY_KINDS",
    "DIRECTIONS",
    "LabelGraph",
    "LabelStatistics",
    "binary_adjacency",
    "build_adjacency",
    "cosine_weighted",
    "gen_adj",
    "label_statistics_for",
    "reweight",
]
