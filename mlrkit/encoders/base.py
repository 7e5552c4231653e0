"""What every label encoder shares: its widths, the graph it asks for, dense -> edge lists.

A label encoder maps the label embeddings ``X`` (K, d) and a dense label graph ``A`` (K, K) to
label features ``L`` (K, D), D being the backbone's channel count. The dense matrix is the
operator ``out = A @ X``: row i aggregates from the columns j (``mlrkit.graph``'s convention,
ML-GCN's ``adj @ support``).

torch-geometric passes messages along ``edge_index[0] -> edge_index[1]`` (source j to target
i), so the entry ``A[i, j]`` becomes the edge ``(j -> i)`` with weight ``A[i, j]``. That is
``A.nonzero()`` with its two rows swapped; ``torch_geometric.utils.dense_to_sparse`` keeps them
in order and would compute ``A^T @ X`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from mlrkit.checks import positive_int

__all__ = ["LabelEncoder", "dense_to_edges", "run_layers"]


def dense_to_edges(adjacency: Tensor) -> tuple[Tensor, Tensor]:
    """The non-zero entries of a dense operator as torch-geometric edges.

    Args:
        adjacency: the dense operator; ``out_i = sum_j adjacency[i, j] x_j``.

    Returns:
        ``edge_index`` (2, E) with sources (j) in row 0 and targets (i) in row 1, and
        ``edge_weight`` (E,) holding ``adjacency[i, j]``.

    Shapes:
        - adjacency: (K, K)
        - edge_index: (2, E), edge_weight: (E,)
    """
    target, source = adjacency.nonzero(as_tuple=True)  # each (E,)
    edge_index = torch.stack([source, target])  # (2, E)
    return edge_index, adjacency[target, source]


def run_layers(layers: nn.ModuleList, act: nn.Module, x: Tensor, *graph: Tensor) -> Tensor:
    """Apply ``layers`` in turn to ``x`` (each also given ``graph``), ``act`` between them.

    The loop every encoder (and RGCN's residual block) shares:
    ``x = layers[-1](act(... act(layers[0](x, *graph)) ...), *graph)``.

    Shapes:
        - x: (K, d) in, (K, D) out
    """
    for index, layer in enumerate(layers):
        x = layer(x, *graph)
        if index < len(layers) - 1:
            x = act(x)
    return x


def _hidden_dims(owner: str, hidden_dims: Any) -> tuple[int, ...]:
    """The hidden widths as a tuple of positive ints, or a ValueError naming ``owner``."""
    if isinstance(hidden_dims, (str, bytes)) or not isinstance(hidden_dims, Sequence):
        raise ValueError(f"{owner}: hidden_dims must be a list of ints, got {hidden_dims!r}.")
    return tuple(positive_int(owner, "hidden_dims", w) for w in hidden_dims)


def _negative_slope(owner: str, value: float) -> float:
    """LeakyReLU's negative slope (>= 0), or a ValueError naming ``owner``."""
    if not value >= 0:
        raise ValueError(f"{owner}: negative_slope must be >= 0, got {value}.")
    return value


class LabelEncoder(nn.Module):
    """Base of the label encoders: checks widths and inputs, and holds the graph request.

    Subclasses set :attr:`default_graph` (the keyword arguments of
    :func:`mlrkit.graph.build_adjacency` they want) and implement ``forward``.

    Args:
        in_dim: width d of the label embeddings.
        out_dim: width D of the label features (the backbone's channels).
        graph: overrides of :attr:`default_graph`, e.g. ``dict(tau=0.5)``; the merged dict is
            the attribute :attr:`graph` (:meth:`graph_for`), handed to ``build_adjacency``.

    Raises:
        ValueError: for a non-positive width or a graph that is not a dict.
    """

    #: ``build_adjacency`` keywords (``kind``, ``tau``, ``p``, ``normalize``) this encoder uses.
    default_graph: ClassVar[dict[str, Any]] = dict(kind="reweighted", tau=0.4, p=0.25)

    def __init__(self, in_dim: int, out_dim: int, graph: dict[str, Any] | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        self.in_dim = positive_int(name, "in_dim", in_dim)
        self.out_dim = positive_int(name, "out_dim", out_dim)
        self.graph: dict[str, Any] = self.graph_for(graph)

    @classmethod
    def graph_for(cls, graph: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``build_adjacency`` keywords an encoder of this class asks for, given its
        ``graph`` argument: :attr:`default_graph` updated by ``graph``. A classmethod, so that
        the label graph (:class:`~mlrkit.graph.LabelGraph`) is built before the encoder.

        Raises:
            ValueError: ``graph`` is not a dict.
        """
        if graph is not None and not isinstance(graph, dict):
            raise ValueError(
                f"{cls.__name__}: graph must be a dict of build_adjacency keywords such as "
                f"dict(kind='binary', tau=0.5), got {type(graph).__name__}."
            )
        return {**cls.default_graph, **(graph or {})}

    def check_inputs(self, x: Tensor, adjacency: Tensor) -> None:
        """Raise a ValueError naming this encoder when ``x`` or ``adjacency`` is malformed.

        Shapes:
            - x: (K, in_dim)
            - adjacency: (K, K)
        """
        name = type(self).__name__
        if x.ndim != 2 or x.shape[1] != self.in_dim:
            raise ValueError(
                f"{name}: label embeddings must have shape (K, {self.in_dim}), got "
                f"{tuple(x.shape)}; set in_dim to the embedding width."
            )
        if adjacency.shape != (x.shape[0], x.shape[0]):
            raise ValueError(
                f"{name}: adjacency must be ({x.shape[0]}, {x.shape[0]}) for {x.shape[0]} "
                f"labels, got {tuple(adjacency.shape)}."
            )

    def run_layers(self, layers: nn.ModuleList, x: Tensor, *graph: Tensor) -> Tensor:
        """:func:`run_layers` with this encoder's activation ``self.act``."""
        return run_layers(layers, self.act, x, *graph)

    def extra_repr(self) -> str:
        return f"in_dim={self.in_dim}, out_dim={self.out_dim}, graph={self.graph}"
