"""The options that give the official Deep-LIFT code's reading, each on a hand-checked case.

Paper text against official code: the pair score of AGCN (2-layer MLP against a one-layer
additive score with PReLU), ReLU after every layer, BatchNorm on the input embeddings, the
D x D projection of the label features and the sum of the pooled maps.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from mlrkit.encoders.attention_gcn import AttentionGCNEncoder, AttentionGraphConv
from mlrkit.heads.deep_lift import DeepLIFTHead


def test_linear_score_is_prelu_of_an_additive_score_softmaxed():
    """Two labels, complete graph (self-loops included), x = (1, 0), (0, 1).

    w_t = (1, 0), b_t = 0, w_s = (0, 2), b_s = 0, PReLU slope 0.25:
    s_00 = 1 + 0 = 1, s_01 = 1 + 2 = 3, s_10 = 0 + 0 = 0, s_11 = 0 + 2 = 2 (all >= 0).
    softmax over j: G_0 = (1, e^2) / (1 + e^2), G_1 = (1, e^2) / (1 + e^2).
    """
    conv = AttentionGraphConv(2, 2, normalization="softmax", score="linear")
    with torch.no_grad():
        conv.score_target.weight.copy_(torch.tensor([[1.0, 0.0]]))
        conv.score_source.weight.copy_(torch.tensor([[0.0, 2.0]]))
        conv.score_target.bias.zero_()
        conv.score_source.bias.zero_()
    x = torch.eye(2)
    edge_index = torch.tensor([[0, 1, 0, 1], [0, 0, 1, 1]])  # (source, target) pairs
    weight = conv.aggregation_weights(x, edge_index)
    big = math.exp(2) / (1 + math.exp(2))
    torch.testing.assert_close(weight, torch.tensor([1 - big, big, 1 - big, big]))
    # the paper's MLP score has a hidden layer; the linear one has w_t, b_t, w_s, b_s, slope
    params = sum(p.numel() for p in conv.parameters()) - sum(
        p.numel() for p in conv.lin.parameters()
    )
    assert params == (2 + 1) + (2 + 1) + 1
    mlp = AttentionGraphConv(2, 2, attention_hidden=4)
    assert sum(p.numel() for p in mlp.parameters()) - 2 * 2 * 2 == (2 * 4 + 4) + 2 * 4 + 5


def test_official_encoder_options_change_the_output_as_documented():
    torch.manual_seed(0)
    x = torch.randn(5, 6) * 3 + 1
    adjacency = torch.ones(5, 5)
    paper = AttentionGCNEncoder(6, 4, hidden_dims=(8,))
    official = AttentionGCNEncoder(
        6, 4, hidden_dims=(8,), score="linear", normalization="softmax", bias=True,
        activation="relu", activate_last=True, input_norm=True,
    )  # fmt: skip
    out = official(x, adjacency)
    assert (out >= 0).all()  # ReLU after the last layer
    assert (paper(x, adjacency) < 0).any()  # no activation after the last layer
    # BatchNorm over the K labels, no affine parameters: a shift and scale of the
    # embeddings (per dimension) leaves the training-mode output unchanged
    torch.testing.assert_close(official(x * 2 + 5, adjacency), out, atol=1e-4, rtol=1e-4)
    assert isinstance(official.input_norm, nn.BatchNorm1d) and not official.input_norm.affine
    assert official.convs[0].lin.bias is not None and paper.convs[0].lin.bias is None
    with pytest.raises(ValueError, match="AttentionGCNEncoder: activation"):
        AttentionGCNEncoder(6, 4, activation="gelu")
    with pytest.raises(ValueError, match="AttentionGraphConv: score"):
        AttentionGraphConv(6, 4, score="dot")


def test_head_projection_and_pooling_by_hand():
    """K = 1, D = 2, a 1x2 map F = [[(1, 0), (3, 0)]] (channel 0 is 1 then 3), L = (1, 0).

    LIFT map A = (1, 3): avg 2, max 3. concat feeds (2, 3), sum feeds 5. With the projection
    W = [[0, 0], [2, 0]] (L W = (0, 0)) A is 0 everywhere; with W = I it is unchanged.
    """
    features = torch.tensor([[[[1.0, 3.0]], [[0.0, 0.0]]]])  # (1, D=2, 1, 2)
    label = torch.tensor([[1.0, 0.0]])
    seen = {}
    for pooling in ("concat", "sum"):
        head = DeepLIFTHead(1, 2, channel_attention="none", pooling=pooling)
        head.classifier = nn.Identity()
        seen[pooling] = head(features, label)["logits"]
    torch.testing.assert_close(seen["concat"], torch.tensor([[2.0, 3.0]]))
    torch.testing.assert_close(seen["sum"], torch.tensor([[5.0]]))
    head = DeepLIFTHead(1, 2, channel_attention="none", projection=True)
    assert head.projection.shape == (2, 2)
    with torch.no_grad():
        head.projection.copy_(torch.tensor([[0.0, 0.0], [2.0, 0.0]]))
    assert head(features, label)["lift_map"].abs().max() == 0
    with torch.no_grad():
        head.projection.copy_(torch.eye(2))
    torch.testing.assert_close(head(features, label)["lift_map"], torch.tensor([[[[1.0, 3.0]]]]))
    assert DeepLIFTHead(80, 2048).projection is None  # off by default (the paper's text)
    with pytest.raises(ValueError, match="DeepLIFTHead: pooling"):
        DeepLIFTHead(2, 4, pooling="max")
