"""GCNEncoder: ML-GCN's two-layer graph convolution over the label graph."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from torch import Tensor, nn
from torch_geometric.nn import GCNConv

from mlrkit.registry import ENCODERS

from .base import LabelEncoder, _hidden_dims, _negative_slope, dense_to_edges

__all__ = ["GCNEncoder"]


@ENCODERS.register_module()
class GCNEncoder(LabelEncoder):
    r"""Graph convolution over the label graph, as in ML-GCN.

    Chen et al., "Multi-Label Image Recognition with Graph Convolutional Networks", CVPR 2019,
    https://arxiv.org/abs/1904.03582 (layer of Kipf & Welling, https://arxiv.org/abs/1609.02907).
    Each layer computes

    .. math::

        H^{(l+1)} = h\big(\hat A \, H^{(l)} W^{(l)}\big), \qquad H^{(0)} = X,

    with :math:`h` = LeakyReLU(0.2) between layers and no activation after the last, which
    outputs the label features :math:`L` (K x D). :math:`\hat A` is the dense operator the
    classifier builds (``out = A_hat @ X``, row i aggregating from columns j): by default
    ML-GCN's re-weighted, normalised graph with :math:`\tau = 0.4`, :math:`p = 0.25`. It is
    already normalised, so ``GCNConv`` runs with ``normalize=False`` and no self-loops of its
    own; each entry ``A_hat[i, j]`` is the weight of the edge ``j -> i``.

    Args:
        in_dim: width d of the label embeddings (300 for GloVe).
        out_dim: width D of the output, the backbone's channels (2048 for ResNet-101).
        hidden_dims: widths of the hidden layers; ML-GCN: ``(1024,)``.
        negative_slope: slope of the LeakyReLU between layers.
        bias: add a bias in each layer (ML-GCN's layers have none).
        graph: overrides of :attr:`default_graph` for ``build_adjacency``.

    Shapes:
        - x: (K, d)
        - adjacency: (K, K)
        - output: (K, D)
    """

    default_graph: ClassVar[dict[str, Any]] = dict(kind="reweighted", tau=0.4, p=0.25)

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        hidden_dims: Sequence[int] = (1024,),
        negative_slope: float = 0.2,
        bias: bool = False,
        graph: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(in_dim, out_dim, graph)
        name = type(self).__name__
        self.hidden_dims = _hidden_dims(name, hidden_dims)
        _negative_slope(name, negative_slope)
        widths = [in_dim, *self.hidden_dims, out_dim]
        self.convs = nn.ModuleList(
            GCNConv(a, b, normalize=False, add_self_loops=False, bias=bias)
            for a, b in zip(widths[:-1], widths[1:])
        )
        self.act = nn.LeakyReLU(negative_slope)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for conv in self.convs:
            conv.reset_parameters()

    def forward(self, x: Tensor, adjacency: Tensor) -> Tensor:
        self.check_inputs(x, adjacency)
        edge_index, edge_weight = dense_to_edges(adjacency)
        return self.run_layers(self.convs, x, edge_index, edge_weight)
