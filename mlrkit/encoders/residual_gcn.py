"""ResidualGCNEncoder (RGCN): graph convolutions with residual connections (eq. 4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from torch import Tensor, nn
from torch_geometric.nn import GCNConv

from mlrkit.checks import positive_int
from mlrkit.registry import ENCODERS

from .base import (
    LabelEncoder,
    _hidden_dims,
    _negative_slope,
    dense_to_edges,
    run_layers,
)

__all__ = ["ResidualGCNBlock", "ResidualGCNEncoder"]


class ResidualGCNBlock(nn.Module):
    r"""One residual block of RGCN: a chain of graph convolutions plus a shortcut.

    .. math::

        \mathcal{G}_{l+1} = \mathcal{F}(\mathcal{G}_l, \mathcal{W}_l) + P\,\mathcal{G}_l,
        \qquad \mathcal{F} = \hat A\,(\dots h(\hat A\, \mathcal{G}_l W_1) \dots) W_n,

    with :math:`h` = LeakyReLU between the convolutions of the chain and :math:`P` the identity
    when the block keeps its width, a bias-free linear projection when it does not (as
    ResNet's 1x1 projection shortcut).

    Args:
        widths: the chain's widths, input first: ``[in, w_1, ..., out]`` (at least two).
        negative_slope: slope of the LeakyReLU between the convolutions.
        bias: add a bias in each convolution.

    Shapes:
        - x: (K, widths[0]); edge_index: (2, E); edge_weight: (E,)
        - output: (K, widths[-1])
    """

    def __init__(self, widths: Sequence[int], negative_slope: float = 0.2, bias: bool = False):
        super().__init__()
        if len(widths) < 2:
            raise ValueError(f"ResidualGCNBlock: needs at least two widths, got {list(widths)}.")
        self.convs = nn.ModuleList(
            GCNConv(a, b, normalize=False, add_self_loops=False, bias=bias)
            for a, b in zip(widths[:-1], widths[1:])
        )
        self.act = nn.LeakyReLU(negative_slope)
        same_width = widths[0] == widths[-1]
        self.shortcut = nn.Identity() if same_width else nn.Linear(widths[0], widths[-1], False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for conv in self.convs:
            conv.reset_parameters()
        if isinstance(self.shortcut, nn.Linear):
            self.shortcut.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor) -> Tensor:
        residual = run_layers(self.convs, self.act, x, edge_index, edge_weight)  # (K, out)
        return residual + self.shortcut(x)


@ENCODERS.register_module()
class ResidualGCNEncoder(LabelEncoder):
    r"""Deep-LIFT's Residual-GCN (RGCN): residual blocks of graph convolutions.

    Li et al., "Deep-LIFT: Deep Label-Specific Feature Learning for Image Annotation", IEEE
    Transactions on Cybernetics, https://doi.org/10.1109/TCYB.2021.3049630, eq. 4:

    .. math::

        \mathcal{G}_{l+1} = \mathcal{F}(\mathcal{G}_l, \mathcal{W}_l) + \mathcal{G}_l,
        \qquad \mathcal{G}_0 = X,

    where :math:`\mathcal{F}` is a chain of GCN layers (:math:`\hat A H W`, LeakyReLU(0.2)
    between them). The paper's RGCN is "one residual block" with output widths
    512 -> 1024 -> 1024 -> 1024 -> 2048. Here a block is that whole chain,
    ``in -> hidden_dims... -> D``; the first block changes the width (d -> D), so its shortcut
    is a linear projection, and every further block (Table VI: 1..4 blocks) maps D -> D with an
    identity shortcut. A LeakyReLU separates blocks; the last block's sum is the output L.
    The default graph is ML-GCN's re-weighted, normalised one at the paper's
    :math:`\tau = 0.5`.

    Args:
        in_dim: width d of the label embeddings.
        out_dim: width D of the output, the backbone's channels.
        num_blocks: number of residual blocks (paper: 1; Table VI: 1..4).
        hidden_dims: the hidden widths of each block's chain (paper: 512, 1024, 1024, 1024).
        negative_slope: slope of the LeakyReLUs.
        bias: add a bias in each convolution.
        graph: overrides of :attr:`default_graph` for ``build_adjacency``.

    Shapes:
        - x: (K, d)
        - adjacency: (K, K)
        - output: (K, D)
    """

    default_graph: ClassVar[dict[str, Any]] = dict(kind="reweighted", tau=0.5, p=0.25)

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        num_blocks: int = 1,
        hidden_dims: Sequence[int] = (512, 1024, 1024, 1024),
        negative_slope: float = 0.2,
        bias: bool = False,
        graph: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(in_dim, out_dim, graph)
        name = type(self).__name__
        self.num_blocks = positive_int(name, "num_blocks", num_blocks)
        self.hidden_dims = _hidden_dims(name, hidden_dims)
        _negative_slope(name, negative_slope)
        self.blocks = nn.ModuleList(
            ResidualGCNBlock(
                [in_dim if index == 0 else out_dim, *self.hidden_dims, out_dim],
                negative_slope,
                bias,
            )
            for index in range(self.num_blocks)
        )
        self.act = nn.LeakyReLU(negative_slope)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for block in self.blocks:
            block.reset_parameters()

    def forward(self, x: Tensor, adjacency: Tensor) -> Tensor:
        self.check_inputs(x, adjacency)
        edge_index, edge_weight = dense_to_edges(adjacency)
        return self.run_layers(self.blocks, x, edge_index, edge_weight)
