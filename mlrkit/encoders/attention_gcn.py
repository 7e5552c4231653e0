"""AttentionGCNEncoder (AGCN): graph convolution with learned aggregation weights (eq. 3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn
from torch_geometric.nn import MessagePassing
from torch_geometric.utils import scatter, softmax

from mlrkit.checks import positive_int
from mlrkit.registry import ENCODERS

from .base import LabelEncoder, _hidden_dims, _negative_slope, dense_to_edges

__all__ = ["AttentionGraphConv", "AttentionGCNEncoder", "PAPER_HIDDEN_DIMS", "SCORES"]

#: Hidden widths of the paper's AGCN for 1..5 layers (Sec. IV-C3, Table V); the last layer
#: always outputs D. The paper prints "512 -> 1024 -> 1024 -> 2048" for five layers too, one
#: width short; the missing one is taken as another 1024.
PAPER_HIDDEN_DIMS: dict[int, tuple[int, ...]] = {
    1: (),
    2: (1024,),
    3: (512, 1024),
    4: (512, 1024, 1024),
    5: (512, 1024, 1024, 1024),
}

NORMALIZATIONS = ("l1", "softmax")

#: How a pair (label i, neighbour j) is scored: the paper's 2-layer MLP, or the official
#: code's one-layer additive score.
SCORES = ("mlp", "linear")

#: The activation h between layers (and after the last with ``activate_last``).
ACTIVATIONS = ("leaky_relu", "relu")


class AttentionGraphConv(MessagePassing):
    r"""One attention graph convolution layer of Deep-LIFT's AGCN (eq. 3).

    Li et al., "Deep-LIFT: Deep Label-Specific Feature Learning for Image Annotation", IEEE
    Transactions on Cybernetics, https://doi.org/10.1109/TCYB.2021.3049630; the pair scoring
    follows GAT (Velickovic et al., https://arxiv.org/abs/1710.10903).

    .. math::

        Y = [X \,\|\, G X] \, W + b, \qquad
        s_{ij} = w_2^\top \sigma\big(W_1 [x_i \,\|\, x_j] + b_1\big) + b_2
        \quad \text{for } A_{ij} \ne 0,

        G_{ij} = s_{ij} / \textstyle\sum_k |s_{ik}| \ \ (\texttt{"l1"}, \text{the paper's }
        \textstyle\sum_j |G_{ij}| = 1) \quad\text{or}\quad
        G_{ij} = \mathrm{softmax}_j(s_{ij}) \ \ (\texttt{"softmax"}, \text{GAT}),

    with :math:`\sigma` = LeakyReLU (``score="mlp"``, the paper's "g"). ``score="linear"`` is the
    official Deep-LIFT code's one-layer additive score,
    :math:`s_{ij} = \mathrm{PReLU}(w_t^\top x_i + b_t + w_s^\top x_j + b_s)` (its
    ``AttentionAggregator``: two 1x1 convolutions to one channel and a PReLU with one slope).
    :math:`G_{ij} = 0` off the graph's edges, and a label
    without neighbours aggregates nothing. The 2-layer MLP :math:`g` scores the pair
    (label i, neighbour j); :math:`W_1 [x_i \| x_j]` is computed as
    :math:`W_1^{(i)} x_i + W_1^{(j)} x_j`, once per node instead of once per edge. Only the
    non-zero pattern of the adjacency is used, not its values. The activation :math:`h` of
    eq. 3 is applied by :class:`AttentionGCNEncoder` between layers.

    Args:
        in_dim: input width d.
        out_dim: output width d'.
        attention_hidden: hidden width of the scoring MLP.
        negative_slope: slope of the LeakyReLU inside the scoring MLP.
        normalization: ``"l1"`` (the paper) or ``"softmax"`` (GAT), over each row of G.
        bias: add a bias after W.
        eps: floor of the l1 norm of a row, so a row of near-zero scores stays finite.
        score: ``"mlp"`` (the paper: 2-layer MLP of width ``attention_hidden``) or
            ``"linear"`` (the official code: one-layer additive score and PReLU;
            ``attention_hidden`` and ``negative_slope`` unused).

    Shapes:
        - x: (K, d)
        - edge_index: (2, E), sources j in row 0, targets i in row 1
        - output: (K, d')
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        attention_hidden: int = 128,
        negative_slope: float = 0.2,
        normalization: str = "l1",
        bias: bool = False,
        eps: float = 1e-6,
        score: str = "mlp",
    ) -> None:
        super().__init__(aggr="add")
        name = type(self).__name__
        for arg, value in (("in_dim", in_dim), ("out_dim", out_dim)):
            positive_int(name, arg, value)
        positive_int(name, "attention_hidden", attention_hidden)
        if normalization not in NORMALIZATIONS:
            raise ValueError(
                f"{name}: normalization must be one of {list(NORMALIZATIONS)}, got "
                f"{normalization!r}."
            )
        if not eps > 0:
            raise ValueError(f"{name}: eps must be > 0, got {eps}.")
        if score not in SCORES:
            raise ValueError(f"{name}: score must be one of {list(SCORES)}, got {score!r}.")
        self.in_dim, self.out_dim = in_dim, out_dim
        self.normalization = normalization
        self.eps = eps
        self.score = score
        if score == "mlp":
            self.score_target = nn.Linear(in_dim, attention_hidden)  # W_1 on x_i, with b_1
            self.score_source = nn.Linear(in_dim, attention_hidden, bias=False)  # W_1 on x_j
            self.score_out = nn.Linear(attention_hidden, 1)  # w_2, b_2
            self.score_act = nn.LeakyReLU(negative_slope)
        else:
            self.score_target = nn.Linear(in_dim, 1)  # w_t, b_t
            self.score_source = nn.Linear(in_dim, 1)  # w_s, b_s
            self.score_out = nn.Identity()
            self.score_act = nn.PReLU(1)
        self.lin = nn.Linear(2 * in_dim, out_dim, bias=bias)  # W on [X || GX]
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for layer in (self.score_target, self.score_source, self.score_out, self.lin):
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()

    def aggregation_weights(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """The non-zero entries of G, one per edge.

        Shapes:
            - x: (K, d)
            - edge_index: (2, E)
            - output: (E,), ``G[edge_index[1], edge_index[0]]``
        """
        source, target = edge_index
        hidden = self.score_target(x)[target] + self.score_source(x)[source]  # (E, hidden | 1)
        if self.score == "mlp":
            score = self.score_out(self.score_act(hidden)).squeeze(-1)  # (E,)
        else:
            score = self.score_act(hidden).squeeze(-1)  # (E,)
        if self.normalization == "softmax":
            return softmax(score, target, num_nodes=x.shape[0])
        row_norm = scatter(score.abs(), target, dim=0, dim_size=x.shape[0], reduce="sum")  # (K,)
        return score / row_norm.clamp_min(self.eps)[target]

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        weight = self.aggregation_weights(x, edge_index)  # (E,)
        aggregated = self.propagate(edge_index, x=x, weight=weight)  # (K, d): G @ X
        return self.lin(torch.cat([x, aggregated], dim=-1))  # (K, 2d) -> (K, d')

    def message(self, x_j: Tensor, weight: Tensor) -> Tensor:
        return weight.unsqueeze(-1) * x_j  # (E, d)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.in_dim}, {self.out_dim}, "
            f"normalization={self.normalization!r}, score={self.score!r})"
        )


@ENCODERS.register_module()
class AttentionGCNEncoder(LabelEncoder):
    r"""Deep-LIFT's Attention-GCN (AGCN): stacked :class:`AttentionGraphConv` layers.

    Li et al., "Deep-LIFT: Deep Label-Specific Feature Learning for Image Annotation", IEEE
    Transactions on Cybernetics, https://doi.org/10.1109/TCYB.2021.3049630, eq. 3:

    .. math::

        H^{(l+1)} = h\big([H^{(l)} \,\|\, G^{(l)} H^{(l)}] \, W^{(l)}\big), \qquad
        G^{(l)} = g^{(l)}(H^{(l)}, A), \qquad H^{(0)} = X,

    with :math:`h` = LeakyReLU(0.2) between layers and none after the last, which outputs the
    label features L (K x D) (the paper's reading). The official code's reading is a set of
    options: ``score="linear"``, ``normalization="softmax"``, ``bias=True``,
    ``activation="relu"``, ``activate_last=True`` (ReLU after every layer) and
    ``input_norm=True`` (a BatchNorm without affine parameters over the K input embeddings,
    :math:`H^{(0)} = \mathrm{BN}(X)`), on the complete graph
    (``graph=dict(kind="complete")``); see ``configs/_base_/models/deeplift_official_r101.py``.
    Depth and widths follow the paper (Table V): 2 layers 1024 -> D by default,
    3: 512 -> 1024 -> D, 4: 512 -> 1024 -> 1024 -> D,
    5: 512 -> 1024 -> 1024 -> 1024 -> D. The graph only decides which pairs are scored: by
    default the binary graph at the paper's :math:`\tau = 0.5`, unnormalised, in the direction
    every encoder shares (``graph=dict(direction="mlgcn")``, ML-GCN's): label i attends to the
    labels j with :math:`P(i \mid j) \ge \tau`; ``direction="conditional"`` reverses it.

    Args:
        in_dim: width d of the label embeddings.
        out_dim: width D of the output, the backbone's channels.
        num_layers: number of layers, 1..5 with the paper's widths (default 2); with
            ``hidden_dims`` it may be omitted.
        hidden_dims: explicit hidden widths (``num_layers - 1`` of them) instead of the paper's.
        attention_hidden: hidden width of each layer's pair-scoring MLP.
        negative_slope: slope of the LeakyReLUs (between layers and inside the scoring MLPs).
        normalization: ``"l1"`` (paper: each row of G has :math:`\sum_j |G_{ij}| = 1`) or
            ``"softmax"``.
        bias: add a bias after each W.
        score: pair scoring of every layer, ``"mlp"`` (paper) or ``"linear"`` (official code).
        activation: h, ``"leaky_relu"`` (paper, slope ``negative_slope``) or ``"relu"``.
        activate_last: apply h after the last layer too (official code).
        input_norm: batch-normalise the input embeddings over the K labels, without affine
            parameters (official code's ``bn0``).
        graph: overrides of :attr:`default_graph` for ``build_adjacency``.

    Shapes:
        - x: (K, d)
        - adjacency: (K, K); entry (i, j) non-zero when label i may aggregate from label j
        - output: (K, D)
    """

    default_graph: ClassVar[dict[str, Any]] = dict(kind="binary", tau=0.5, normalize=False)

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        num_layers: int | None = None,
        hidden_dims: Sequence[int] | None = None,
        attention_hidden: int = 128,
        negative_slope: float = 0.2,
        normalization: str = "l1",
        bias: bool = False,
        score: str = "mlp",
        activation: str = "leaky_relu",
        activate_last: bool = False,
        input_norm: bool = False,
        graph: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(in_dim, out_dim, graph)
        name = type(self).__name__
        if hidden_dims is None:
            num_layers = 2 if num_layers is None else num_layers
            if num_layers not in PAPER_HIDDEN_DIMS:
                raise ValueError(
                    f"{name}: the paper's widths cover num_layers 1..5, got {num_layers!r}; "
                    "pass hidden_dims=[...] for another depth."
                )
            hidden_dims = PAPER_HIDDEN_DIMS[num_layers]
        hidden_dims = _hidden_dims(name, hidden_dims)
        if num_layers is not None and num_layers != len(hidden_dims) + 1:
            raise ValueError(
                f"{name}: num_layers={num_layers} disagrees with {len(hidden_dims)} hidden_dims "
                f"(num_layers = len(hidden_dims) + 1); give one or the other."
            )
        self.hidden_dims = hidden_dims
        self.num_layers = len(self.hidden_dims) + 1
        _negative_slope(name, negative_slope)
        if normalization not in NORMALIZATIONS:
            raise ValueError(
                f"{name}: normalization must be one of {list(NORMALIZATIONS)}, got "
                f"{normalization!r}."
            )
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"{name}: activation must be one of {list(ACTIVATIONS)}, got {activation!r}."
            )
        widths = [in_dim, *self.hidden_dims, out_dim]
        self.convs = nn.ModuleList(
            AttentionGraphConv(
                a, b, attention_hidden, negative_slope, normalization, bias, score=score
            )
            for a, b in zip(widths[:-1], widths[1:])
        )
        self.activation, self.activate_last = activation, bool(activate_last)
        self.act = nn.ReLU() if activation == "relu" else nn.LeakyReLU(negative_slope)
        self.input_norm = nn.BatchNorm1d(in_dim, affine=False) if input_norm else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for conv in self.convs:
            conv.reset_parameters()

    def forward(self, x: Tensor, adjacency: Tensor) -> Tensor:
        self.check_inputs(x, adjacency)
        edge_index, _ = dense_to_edges(adjacency)  # only the pattern matters
        if self.input_norm is not None:
            x = self.input_norm(x)  # (K, d), normalised over the K labels
        out = self.run_layers(self.convs, x, edge_index)
        return self.act(out) if self.activate_last else out
