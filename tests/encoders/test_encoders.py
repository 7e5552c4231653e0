"""Each label encoder against its dense formula, written here independently of the layers.

The adjacencies are dense and asymmetric, with zeros, so an edge taken in the wrong direction
(``A^T @ X`` instead of ``A @ X``) or a dropped/extra self-loop changes the result.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from mlrkit.encoders.attention_gcn import PAPER_HIDDEN_DIMS, AttentionGCNEncoder
from mlrkit.encoders.base import dense_to_edges
from mlrkit.encoders.gcn import GCNEncoder
from mlrkit.encoders.residual_gcn import ResidualGCNEncoder
from mlrkit.encoders.weighted_gcn import WeightedGCNEncoder
from mlrkit.registry import ENCODERS

K, D_IN, D_OUT = 6, 5, 7
ATOL = 1e-5


@pytest.fixture
def x() -> torch.Tensor:
    return torch.randn(K, D_IN, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def adjacency() -> torch.Tensor:
    """Asymmetric, weighted, with zero entries, a self-loop and a label (5) without neighbours."""
    a = torch.rand(K, K, generator=torch.Generator().manual_seed(1))
    a = a * (torch.rand(K, K, generator=torch.Generator().manual_seed(2)) > 0.5)
    a[0, 1], a[1, 0] = 0.9, 0.0  # 0 listens to 1, 1 does not listen to 0
    a[2, 2] = 0.5
    a[5] = 0.0
    assert not torch.allclose(a, a.T)
    return a


def leaky(t: torch.Tensor) -> torch.Tensor:
    return F.leaky_relu(t, 0.2)


# ---------------------------------------------------------------- edge conversion


def test_dense_to_edges_puts_sources_in_row_0():
    a = torch.tensor([[0.0, 2.0], [0.0, 0.0]])  # out_0 = 2 * x_1
    edge_index, weight = dense_to_edges(a)
    assert edge_index.tolist() == [[1], [0]]  # edge 1 -> 0
    assert weight.tolist() == [2.0]


def test_gcn_encoder_direction_on_two_nodes():
    enc = GCNEncoder(1, 1, hidden_dims=())
    with torch.no_grad():
        enc.convs[0].lin.weight.fill_(1.0)
    x = torch.tensor([[1.0], [10.0]])
    out = enc(x, torch.tensor([[0.0, 2.0], [0.0, 0.0]]))
    assert out.flatten().tolist() == [20.0, 0.0]  # label 0 aggregates 2 * x_1, label 1 nothing


# ---------------------------------------------------------------- GCN / Weighted-GCN


@pytest.mark.parametrize("cls", [GCNEncoder, WeightedGCNEncoder])
def test_gcn_equals_dense_formula(cls, x, adjacency):
    enc = cls(D_IN, D_OUT, hidden_dims=(4,))
    w1, w2 = (conv.lin.weight for conv in enc.convs)  # (out, in) each
    expected = adjacency @ leaky(adjacency @ x @ w1.T) @ w2.T  # (K, D_OUT)
    out = enc(x, adjacency)
    assert out.shape == (K, D_OUT)
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)


def test_gcn_bias_is_added_after_aggregation(x, adjacency):
    enc = GCNEncoder(D_IN, D_OUT, hidden_dims=(), bias=True)
    with torch.no_grad():
        enc.convs[0].bias.uniform_(-1, 1)
    conv = enc.convs[0]
    expected = adjacency @ x @ conv.lin.weight.T + conv.bias
    torch.testing.assert_close(enc(x, adjacency), expected, atol=ATOL, rtol=0)


def test_default_widths_and_graphs():
    gcn = GCNEncoder(300, 2048)
    assert [c.out_channels for c in gcn.convs] == [1024, 2048]
    assert gcn.graph == dict(kind="reweighted", tau=0.4, p=0.25)
    assert WeightedGCNEncoder(300, 64).graph["kind"] == "cosine"
    assert AttentionGCNEncoder(300, 64).graph == dict(kind="binary", tau=0.5, normalize=False)
    assert ResidualGCNEncoder(300, 64).graph == dict(kind="reweighted", tau=0.5, p=0.25)
    # partial overrides keep the other defaults
    assert GCNEncoder(3, 4, graph=dict(tau=0.5)).graph == dict(kind="reweighted", tau=0.5, p=0.25)


# ---------------------------------------------------------------- AGCN


def dense_attention_layer(conv, x, adjacency, normalization):
    """Eq. 3 for one layer from the dense matrices: Y = [X || G X] W."""
    q = x @ conv.score_target.weight.T + conv.score_target.bias  # (K, h): W1 x_i + b1
    k = x @ conv.score_source.weight.T  # (K, h): W1 x_j
    pair = leaky(q[:, None, :] + k[None, :, :])  # (K, K, h), [i, j]
    score = (pair @ conv.score_out.weight.T).squeeze(-1) + conv.score_out.bias  # (K, K)
    mask = adjacency != 0
    if normalization == "l1":
        score = torch.where(mask, score, torch.zeros_like(score))
        g = score / score.abs().sum(dim=1, keepdim=True).clamp_min(1e-6)
    else:
        g = torch.softmax(score.masked_fill(~mask, float("-inf")), dim=1).nan_to_num(0.0)
    return torch.cat([x, g @ x], dim=1) @ conv.lin.weight.T, g


@pytest.mark.parametrize("normalization", ["l1", "softmax"])
def test_attention_gcn_equals_dense_formula(normalization, x, adjacency):
    enc = AttentionGCNEncoder(
        D_IN, D_OUT, hidden_dims=(4, 3), attention_hidden=5, normalization=normalization
    )
    h = x
    for index, conv in enumerate(enc.convs):
        h, g = dense_attention_layer(conv, h, adjacency, normalization)
        if index < len(enc.convs) - 1:
            h = leaky(h)
    out = enc(x, adjacency)
    assert out.shape == (K, D_OUT)
    torch.testing.assert_close(out, h, atol=ATOL, rtol=0)


def test_attention_rows_are_normalised_on_edges_only(x, adjacency):
    conv = AttentionGCNEncoder(D_IN, D_OUT, num_layers=1).convs[0]
    edge_index, _ = dense_to_edges(adjacency)
    weight = conv.aggregation_weights(x, edge_index)
    g = torch.zeros(K, K).index_put((edge_index[1], edge_index[0]), weight)  # dense G
    assert torch.all(g[adjacency == 0] == 0)
    row_norms = g.abs().sum(dim=1)
    has_edges = (adjacency != 0).any(dim=1)
    torch.testing.assert_close(row_norms[has_edges], torch.ones(int(has_edges.sum())))
    assert row_norms[5] == 0  # no neighbours, nothing aggregated


@pytest.mark.parametrize("num_layers", sorted(PAPER_HIDDEN_DIMS))
def test_attention_gcn_paper_widths(num_layers):
    enc = AttentionGCNEncoder(300, 96, num_layers=num_layers)
    widths = [conv.out_dim for conv in enc.convs]
    assert widths == [*PAPER_HIDDEN_DIMS[num_layers], 96]  # the last width is always D
    assert enc.num_layers == num_layers
    assert [conv.out_dim for conv in AttentionGCNEncoder(300, 2048).convs] == [1024, 2048]


# ---------------------------------------------------------------- RGCN


def dense_gcn_chain(convs, x, adjacency):
    for index, conv in enumerate(convs):
        x = adjacency @ x @ conv.lin.weight.T
        if index < len(convs) - 1:
            x = leaky(x)
    return x


@pytest.mark.parametrize("num_blocks", [1, 2, 3])
def test_residual_gcn_equals_dense_formula(num_blocks, x, adjacency):
    enc = ResidualGCNEncoder(D_IN, D_OUT, num_blocks=num_blocks, hidden_dims=(4, 8))
    h = x
    for index, block in enumerate(enc.blocks):
        if index == 0:
            shortcut = h @ block.shortcut.weight.T  # projection D_IN -> D_OUT
        else:
            shortcut = h  # identity D_OUT -> D_OUT
        h = dense_gcn_chain(block.convs, h, adjacency) + shortcut  # eq. 4
        if index < num_blocks - 1:
            h = leaky(h)
    out = enc(x, adjacency)
    assert out.shape == (K, D_OUT)
    torch.testing.assert_close(out, h, atol=ATOL, rtol=0)


def test_residual_gcn_paper_widths():
    enc = ResidualGCNEncoder(300, 2048)
    assert [c.out_channels for c in enc.blocks[0].convs] == [512, 1024, 1024, 1024, 2048]
    assert isinstance(enc.blocks[0].shortcut, torch.nn.Linear)
    enc = ResidualGCNEncoder(300, 48, num_blocks=4)
    assert len(enc.blocks) == 4
    assert all(isinstance(b.shortcut, torch.nn.Identity) for b in enc.blocks[1:])
    assert enc.blocks[-1].convs[-1].out_channels == 48


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("GCNEncoder", dict(in_dim=0, out_dim=4)),
        ("GCNEncoder", dict(in_dim=3, out_dim=4, hidden_dims=(0,))),
        ("WeightedGCNEncoder", dict(in_dim=3, out_dim=4, graph="cosine")),
        ("AttentionGCNEncoder", dict(in_dim=3, out_dim=4, num_layers=6)),
        ("AttentionGCNEncoder", dict(in_dim=3, out_dim=4, num_layers=3, hidden_dims=(8,))),
        ("AttentionGCNEncoder", dict(in_dim=3, out_dim=4, normalization="l2")),
        ("ResidualGCNEncoder", dict(in_dim=3, out_dim=4, num_blocks=0)),
    ],
)
def test_invalid_arguments_name_the_class(name, kwargs):
    with pytest.raises(ValueError, match=name):
        ENCODERS.build(dict(type=name, **kwargs))


@pytest.mark.parametrize("name", ENCODERS.names())
def test_bad_inputs_name_the_encoder(name, x, adjacency):
    enc = ENCODERS.build(dict(type=name, in_dim=D_IN, out_dim=D_OUT))
    with pytest.raises(ValueError, match=rf"{name}.*\(K, {D_IN}\)"):
        enc(torch.randn(K, D_IN + 1), adjacency)
    with pytest.raises(ValueError, match=rf"{name}.*adjacency"):
        enc(x, adjacency[:-1])
