"""LabelGraph: the data of a classifier's label branch, built once before the model."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import torch
from torch import Tensor

from .adjacency import build_adjacency
from .label_statistics import SHIPPED_STATISTICS, LabelStatistics

__all__ = ["LabelGraph"]


@dataclass(frozen=True, eq=False)
class LabelGraph:
    r"""The K label names, their embeddings X and the label graph A that an encoder reads.

    The label graph is data: :meth:`build` makes it once, from the training split's label
    statistics, a label-embedding source and the graph settings the encoder class declares
    (:meth:`~mlrkit.encoders.base.LabelEncoder.graph_for`), before any model exists;
    :meth:`from_buffers` makes it from a checkpoint's buffers. The classifier registers X and
    A as its buffers ``label_embeddings`` and ``adjacency`` and reads no file.

    A is the operator :math:`L = A X W` applies: row i aggregates from the columns j
    (:func:`~mlrkit.graph.build_adjacency`'s convention).

    Args:
        classes: the K label names, in the model's output order.
        embeddings: X, one row per label (stored as contiguous float32).
        adjacency: A (stored as contiguous float32).
        provenance: where X and A came from (sources and graph settings), for logs and repr.

    Shapes:
        - embeddings: (K, d)
        - adjacency: (K, K)

    Raises:
        ValueError: when the names, X and A disagree on K, or when X or A is not finite.
    """

    classes: tuple[str, ...]
    embeddings: Tensor
    adjacency: Tensor
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        classes = tuple(self.classes)
        embeddings = torch.as_tensor(self.embeddings).float().contiguous()  # (K, d)
        adjacency = torch.as_tensor(self.adjacency).float().contiguous()  # (K, K)
        K = len(classes)
        if embeddings.ndim != 2 or embeddings.shape[0] != K:
            raise ValueError(
                f"LabelGraph: embeddings must be ({K}, d) for {K} classes, got shape "
                f"{tuple(embeddings.shape)}."
            )
        if adjacency.shape != (K, K):
            raise ValueError(
                f"LabelGraph: adjacency must be ({K}, {K}) for {K} classes, got shape "
                f"{tuple(adjacency.shape)}."
            )
        for name, value in (("embeddings", embeddings), ("adjacency", adjacency)):
            if not torch.isfinite(value).all():
                raise ValueError(f"LabelGraph: {name} hold NaN or infinite values.")
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "embeddings", embeddings)
        object.__setattr__(self, "adjacency", adjacency)
        object.__setattr__(self, "provenance", MappingProxyType(dict(self.provenance)))

    @property
    def num_classes(self) -> int:
        """K."""
        return len(self.classes)

    @property
    def dim(self) -> int:
        """d, the embedding width (the encoder's ``in_dim``)."""
        return int(self.embeddings.shape[1])

    def __repr__(self) -> str:
        return (
            f"LabelGraph(num_classes={self.num_classes}, dim={self.dim}, "
            f"provenance={dict(self.provenance)})"
        )

    @classmethod
    def from_buffers(
        cls, classes: Sequence[str], embeddings: Tensor, adjacency: Tensor, source: str = ""
    ) -> LabelGraph:
        """The graph a trained classifier saved: its ``label_embeddings`` and ``adjacency``
        buffers (e.g. from a checkpoint's state dict), nothing recomputed."""
        return cls(classes, embeddings, adjacency, dict(buffers=source or "given"))

    @classmethod
    def build(
        cls,
        num_classes: int,
        graph: Mapping[str, Any],
        classes: Sequence[str] | None = None,
        label_embedding: Any = "GloVe300",
        label_statistics: LabelStatistics | str | os.PathLike | None = None,
        adjacency: np.ndarray | Tensor | str | os.PathLike | None = None,
        encoder: str = "the encoder",
    ) -> LabelGraph:
        """The label graph from the model config's pieces (the keys of the same names).

        Args:
            num_classes: K.
            graph: the encoder's ``build_adjacency`` keywords (``kind``, ``tau``, ...).
            classes: the K names in the data's order; default: the statistics' order.
            label_embedding: source of X: a config or registered name (``"GloVe300"``), a
                path (.npy or GloVe text), or a (K, d) array.
            label_statistics: training-set statistics: a ``LabelStatistics``, a JSON path, or
                ``"coco"`` / ``"voc"`` for the shipped ones (aligned to ``classes``).
            adjacency: a (K, K) operator (array or .npy path) to use instead of building one.
            encoder: the encoder's name, for the messages.

        Raises:
            ValueError: naming both sizes when K disagrees between classes, statistics and
                embeddings; for a graph ``build_adjacency`` does not accept; for a missing
                graph source, a pickled or malformed adjacency file.
            FileNotFoundError: a statistics or adjacency file is missing.
        """
        from mlrkit.embeddings import load_label_embeddings

        K = num_classes
        if classes is not None and len(classes) != K:
            raise ValueError(f"LabelGraph: {len(classes)} classes were given but num_classes={K}.")
        stats = None if label_statistics is None else _statistics(label_statistics, K)
        if classes is None:
            if stats is None:
                raise ValueError(
                    "LabelGraph: the label encoder needs the class names (for the embeddings); "
                    "give classes=[...] or label_statistics."
                )
            classes = stats.classes
        classes = tuple(classes)
        if stats is not None:
            stats = _align(stats, classes)
        try:
            embeddings = torch.from_numpy(load_label_embeddings(label_embedding, classes))
        except ValueError as err:
            raise ValueError(
                f"LabelGraph: label_embedding {_describe(label_embedding)!r}: {err}"
            ) from err
        if embeddings.shape[0] != K:
            raise ValueError(
                f"LabelGraph: label embeddings have {embeddings.shape[0]} rows but num_classes={K}."
            )
        graph = dict(graph)
        if adjacency is not None:
            matrix = _adjacency_from(adjacency, K)
            graph = None
        elif stats is None:
            raise ValueError(
                "LabelGraph: the label encoder needs a graph: give label_statistics "
                "(a LabelStatistics, a JSON path, or 'coco' / 'voc') or adjacency=(K, K)."
            )
        else:
            try:
                matrix = build_adjacency(stats, embeddings=embeddings.numpy(), **graph)
            except TypeError as err:
                raise ValueError(
                    f"LabelGraph: encoder {encoder} asks for graph={graph}, which "
                    f"build_adjacency does not accept: {err}."
                ) from err
        provenance = dict(
            label_embedding=_describe(label_embedding),
            label_statistics=_describe(label_statistics),
            graph=graph,
            adjacency="built" if adjacency is None else _describe(adjacency),
        )
        return cls(classes, embeddings, matrix, provenance)


def _describe(source: Any) -> Any:
    """A short, printable name of a source (file paths and names as they are)."""
    if isinstance(source, (np.ndarray, Tensor)):
        return f"array of shape {tuple(source.shape)}"
    if isinstance(source, (str, int, float, type(None))):
        return source
    if isinstance(source, os.PathLike):
        return str(source)
    if isinstance(source, Mapping):
        return {k: _describe(v) for k, v in source.items()}
    return repr(source)


def _statistics(spec: Any, num_classes: int) -> LabelStatistics:
    if isinstance(spec, LabelStatistics):
        stats = spec
    elif isinstance(spec, str) and spec in SHIPPED_STATISTICS:
        stats = LabelStatistics.shipped(spec)
    elif isinstance(spec, (str, os.PathLike)):
        stats = LabelStatistics.from_json(spec)
    else:
        raise ValueError(
            f"LabelGraph: label_statistics must be a LabelStatistics, a JSON path or one of "
            f"{list(SHIPPED_STATISTICS)}, got {type(spec).__name__}."
        )
    if stats.num_classes != num_classes:
        raise ValueError(
            f"LabelGraph: label statistics have {stats.num_classes} labels but "
            f"num_classes={num_classes}."
        )
    return stats


def _align(stats: LabelStatistics, classes: tuple[str, ...]) -> LabelStatistics:
    """The statistics in the order of ``classes`` (same names, maybe reordered)."""
    if stats.classes == classes:
        return stats
    missing = sorted(set(classes) - set(stats.classes))
    if missing or len(set(classes)) != len(classes):
        raise ValueError(
            f"LabelGraph: classes and label statistics name different labels "
            f"(not in the statistics: {missing[:5]}); were they computed on this dataset?"
        )
    return stats.reordered([stats.classes.index(name) for name in classes])


def _adjacency_from(spec: Any, num_classes: int) -> Tensor:
    """A given (K, K) operator (array, tensor or .npy path), checked, as float32."""
    if isinstance(spec, (str, os.PathLike)):
        path = Path(spec)
        if not path.is_file():
            raise FileNotFoundError(f"LabelGraph: adjacency file {path} not found.")
        where = f"LabelGraph: adjacency file {path}"
        try:
            spec = np.load(path, allow_pickle=False)
        except ValueError as err:  # numpy refuses pickled object arrays
            raise ValueError(
                f"{where} holds pickled data, which is never loaded (it can run code); save "
                "a plain numeric (K, K) array with np.save(path, array)"
            ) from err
        except (OSError, EOFError) as err:
            raise ValueError(f"{where} is not a .npy array ({err})") from err
    else:
        where = "LabelGraph: adjacency"
    matrix = torch.as_tensor(np.asarray(spec) if not isinstance(spec, Tensor) else spec)
    K = num_classes
    if matrix.shape != (K, K):
        raise ValueError(
            f"{where} must be a ({K}, {K}) matrix (K = the number of classes), got shape "
            f"{tuple(matrix.shape)}."
        )
    bad = ~torch.isfinite(matrix.double())
    if bad.any():
        i, j = torch.nonzero(bad)[0].tolist()
        raise ValueError(
            f"{where} has {int(bad.sum())} NaN or infinite entries (the first at [{i}, {j}]); "
            "every entry must be a finite number."
        )
    return matrix.float()
