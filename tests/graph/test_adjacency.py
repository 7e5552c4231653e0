"""The adjacency variants against ML-GCN's formula (docs/maths.md, "Label graph"), written here
again with plain loops so that a mistake in the vectorised code cannot hide in the reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlrkit.graph import (
    LabelStatistics,
    binary_adjacency,
    build_adjacency,
    cosine_weighted,
    gen_adj,
    reweight,
)


def reference_mlgcn(nums, cooc, tau, p=0.25):
    """docs/maths.md ("Label graph"), one entry at a time: binary A, re-weighted A', A_hat."""
    k = len(nums)
    binary = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(k):
            prob = cooc[i][j] / nums[i] if nums[i] > 0 else 0.0
            binary[i][j] = 1.0 if (i != j and prob >= tau) else 0.0
    col = [sum(binary[i][j] for i in range(k)) for j in range(k)]
    rew = [
        [p * binary[i][j] / (col[j] + 1e-6) + (1.0 if i == j else 0.0) for j in range(k)]
        for i in range(k)
    ]
    norm = normalise_reference(rew)
    return np.array(binary), np.array(rew), norm


def normalise_reference(a):
    """A_hat_ij = d_i * A'_ji * d_j with d_i = (sum_j A'_ij)^-1/2 (gen_adj: D A'^T D)."""
    k = len(a)
    d = [1.0 / math.sqrt(sum(a[i][j] for j in range(k))) for i in range(k)]
    return np.array([[d[i] * a[j][i] * d[j] for j in range(k)] for i in range(k)])


@pytest.mark.parametrize("name", ["coco", "voc"])
@pytest.mark.parametrize("tau", [0.4, 0.5])
def test_real_statistics_match_mlgcn_formula(name, tau):
    stats = LabelStatistics.shipped(name)
    nums, cooc = stats.counts.tolist(), stats.pairs.tolist()
    ref_binary, ref_rew, ref_norm = reference_mlgcn(nums, cooc, tau)
    assert ref_binary.sum() > 0  # the graph is not empty at these thresholds

    # unnormalised, ML-GCN's direction is the transpose of gen_A's matrix (gen_adj transposes)
    binary = build_adjacency(stats, "binary", tau=tau, normalize=False).T
    rew = build_adjacency(stats, "reweighted", tau=tau, normalize=False).T
    norm = build_adjacency(stats, "reweighted", tau=tau)
    for ours, ref in ((binary, ref_binary), (rew, ref_rew), (norm, ref_norm)):
        assert ours.dtype == torch.float32 and ours.shape == (stats.num_classes,) * 2
        np.testing.assert_allclose(ours.numpy(), ref, rtol=0, atol=1e-6)
    # the pieces agree with the composed function
    torch.testing.assert_close(gen_adj(reweight(binary_adjacency(stats, tau))).float(), norm)
    # binary normalised: gen_adj of A + I
    ref_bin_norm = normalise_reference((ref_binary + np.eye(len(nums))).tolist())
    np.testing.assert_allclose(
        build_adjacency(stats, "binary", tau=tau).numpy(), ref_bin_norm, rtol=0, atol=1e-6
    )


def test_gen_adj_is_transposed_and_not_symmetric():
    a = torch.tensor([[1.0, 2.0], [0.0, 1.0]], dtype=torch.float64)
    # rows sums 3 and 1: D = diag(3^-1/2, 1); D A^T D
    expected = torch.tensor([[1 / 3, 0.0], [2 / math.sqrt(3), 1.0]], dtype=torch.float64)
    torch.testing.assert_close(gen_adj(a), expected)
    assert not torch.allclose(gen_adj(a), gen_adj(a).T)
    assert gen_adj(a.float()).dtype == torch.float32


def test_gen_adj_refuses_zero_rows():
    with pytest.raises(ValueError, match="self-loops"):
        gen_adj(torch.zeros(3, 3))


def test_hand_made_statistics():
    # labels: 0 occurs in 4 samples, 1 in 2 (always with 0), 2 in 1 (alone)
    targets = np.array([[1, 1, 0], [1, 1, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1]])
    stats = LabelStatistics.from_targets(targets, ["a", "b", "c"])
    # P(b|a) = 0.5, P(a|b) = 1
    expected = torch.tensor([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=torch.float64)
    torch.testing.assert_close(binary_adjacency(stats, 0.5), expected)
    assert binary_adjacency(stats, 0.6)[0, 1] == 0 and binary_adjacency(stats, 0.6)[1, 0] == 1
    rew = reweight(expected, p=0.25)
    torch.testing.assert_close(rew[0, 1], torch.tensor(0.25 / (1 + 1e-6), dtype=torch.float64))
    torch.testing.assert_close(torch.diagonal(rew), torch.ones(3, dtype=torch.float64))


def test_cosine_weighting():
    binary = torch.tensor([[0, 1, 1], [1, 0, 0], [0, 0, 0]], dtype=torch.float64)
    emb = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]], dtype=np.float32)
    weighted = cosine_weighted(binary, emb)
    expected = torch.tensor(
        [[0, 1 / math.sqrt(2), 0.0], [1 / math.sqrt(2), 0, 0], [0, 0, 0]], dtype=torch.float64
    )  # the (0, 2) edge has cosine -1: clamped to 0
    torch.testing.assert_close(weighted, expected)


def test_cosine_kind_on_real_statistics():
    stats = LabelStatistics.shipped("voc")
    emb = np.random.default_rng(0).normal(size=(20, 8)).astype(np.float32)
    ours = build_adjacency(
        stats, "cosine", tau=0.4, embeddings=emb, normalize=False, direction="conditional"
    ).numpy()
    binary, _, _ = reference_mlgcn(stats.counts.tolist(), stats.pairs.tolist(), 0.4)
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    weights = binary * np.maximum(unit @ unit.T, 0.0)
    expected = 0.25 * weights / (weights.sum(0, keepdims=True) + 1e-6) + np.eye(20)
    np.testing.assert_allclose(ours, expected, atol=1e-6)
    assert (ours >= 0).all()
    normed = build_adjacency(stats, "cosine", tau=0.4, embeddings=emb)
    assert torch.isfinite(normed).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(kind="gaussian"), "unknown kind"),
        (dict(kind="binary", direction="rows"), "unknown direction"),
        (dict(kind="binary", tau=1.5), "tau"),
        (dict(kind="reweighted", p=-1.0), "p must be"),
        (dict(kind="cosine"), "embeddings"),
        (dict(kind="cosine", embeddings=np.ones((3, 4))), r"shape \(20, d\)"),
    ],
)
def test_bad_arguments(kwargs, message):
    stats = LabelStatistics.shipped("voc")
    with pytest.raises(ValueError, match=message):
        build_adjacency(stats, **kwargs)


def test_direction_on_a_hand_made_graph():
    """P(b | a) = 1/2, P(a | b) = 1; at tau 0.6 only "b implies a" is an edge.

    ML-GCN's direction: a aggregates from b (P(a | b) >= tau), so the entry is (a, b).
    "conditional": row i holds j when P(j | i) >= tau, so the entry is (b, a).
    """
    targets = np.array([[1, 1, 0], [1, 1, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1]])
    stats = LabelStatistics.from_targets(targets, ["a", "b", "c"])
    for normalize in (False, True):
        ours = build_adjacency(stats, "binary", tau=0.6, normalize=normalize)
        other = build_adjacency(
            stats, "binary", tau=0.6, normalize=normalize, direction="conditional"
        )
        assert ours[0, 1] > 0 and ours[1, 0] == 0
        assert other[1, 0] > 0 and other[0, 1] == 0
        torch.testing.assert_close(other, ours.T)


def neighbours(adjacency: torch.Tensor, classes, name: str) -> set[str]:
    i = classes.index(name)
    return {classes[j] for j in adjacency[i].nonzero().flatten().tolist() if j != i}


def test_every_encoders_graph_has_the_same_neighbours_on_coco():
    """COCO at tau 0.5: ``person`` aggregates from the 38 labels j with P(person | j) >= 0.5
    under every encoder's graph; reversing the direction leaves it none (P(j | person) < 0.5
    for every j)."""
    from mlrkit.encoders.attention_gcn import AttentionGCNEncoder
    from mlrkit.encoders.gcn import GCNEncoder
    from mlrkit.encoders.residual_gcn import ResidualGCNEncoder
    from mlrkit.encoders.weighted_gcn import WeightedGCNEncoder

    stats = LabelStatistics.shipped("coco")
    prob = stats.conditional()
    person = stats.classes.index("person")
    expected = {stats.classes[j] for j in range(80) if j != person and prob[j, person] >= 0.5}
    assert len(expected) == 38 and {"backpack", "tie", "skis"} <= expected
    emb = np.random.default_rng(0).uniform(0.5, 1.0, size=(80, 4))  # all cosines positive
    for encoder in (GCNEncoder, ResidualGCNEncoder, WeightedGCNEncoder, AttentionGCNEncoder):
        graph = {**encoder.default_graph, "tau": 0.5}
        assert graph.get("direction", "mlgcn") == "mlgcn"
        got = neighbours(build_adjacency(stats, embeddings=emb, **graph), stats.classes, "person")
        assert got == expected, encoder.__name__
        reverse = build_adjacency(stats, embeddings=emb, **{**graph, "direction": "conditional"})
        assert neighbours(reverse, stats.classes, "person") == set(), encoder.__name__


def test_complete_graph_ignores_tau():
    stats = LabelStatistics.shipped("voc")
    for tau in (0.1, 0.9):
        torch.testing.assert_close(
            build_adjacency(stats, "complete", tau=tau), torch.full((20, 20), 1 / 20)
        )
        assert build_adjacency(stats, "complete", tau=tau, normalize=False).eq(1).all()
