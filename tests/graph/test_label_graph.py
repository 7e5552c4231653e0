"""LabelGraph: built once from statistics, an embedding source and the encoder's declared
graph; checked; frozen."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from mlrkit.encoders.attention_gcn import AttentionGCNEncoder
from mlrkit.encoders.gcn import GCNEncoder
from mlrkit.graph import LabelGraph, LabelStatistics, build_adjacency

CLASSES = ("cat", "dog", "car", "tree")
TARGETS = np.array([[1, 1, 0, 0], [1, 1, 0, 1], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 0]])


@pytest.fixture(scope="module")
def stats() -> LabelStatistics:
    return LabelStatistics.from_targets(TARGETS, CLASSES)


def embeddings(k: int = 4, d: int = 5) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((k, d)).astype(np.float32)


def test_built_from_statistics_and_the_encoders_declared_graph(stats):
    graph = GCNEncoder.graph_for(dict(tau=0.3))  # a classmethod: no encoder is built
    assert graph == dict(kind="reweighted", tau=0.3, p=0.25)
    label_graph = LabelGraph.build(4, graph, label_embedding=embeddings(), label_statistics=stats)
    assert label_graph.classes == CLASSES and label_graph.num_classes == 4
    assert label_graph.dim == 5 and label_graph.embeddings.dtype == torch.float32
    torch.testing.assert_close(label_graph.adjacency, build_adjacency(stats, **graph).float())
    torch.testing.assert_close(label_graph.embeddings, torch.from_numpy(embeddings()))
    assert label_graph.provenance["graph"] == graph
    assert label_graph.provenance["label_embedding"] == "array of shape (4, 5)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        label_graph.classes = ("a",)
    with pytest.raises(TypeError):
        label_graph.provenance["graph"] = None  # read-only


def test_statistics_are_aligned_to_the_given_classes(stats):
    order = [2, 0, 3, 1]
    shuffled = LabelStatistics(
        tuple(CLASSES[i] for i in order),
        stats.counts[order],
        stats.pairs[np.ix_(order, order)],
        stats.num_samples,
    )
    graph = AttentionGCNEncoder.graph_for()
    expected = LabelGraph.build(4, graph, label_embedding=embeddings(), label_statistics=stats)
    aligned = LabelGraph.build(
        4, graph, CLASSES, label_embedding=embeddings(), label_statistics=shuffled
    )
    torch.testing.assert_close(aligned.adjacency, expected.adjacency)
    with pytest.raises(ValueError, match="name different labels"):
        LabelGraph.build(
            4, graph, ("cat", "dog", "car", "bush"), embeddings(), label_statistics=stats
        )


def test_a_given_adjacency_replaces_the_statistics():
    adjacency = np.eye(4) * 0.5
    label_graph = LabelGraph.build(4, {}, CLASSES, label_embedding="OneHot", adjacency=adjacency)
    torch.testing.assert_close(label_graph.adjacency, torch.eye(4) * 0.5)
    assert label_graph.provenance["graph"] is None
    with pytest.raises(ValueError, match=r"adjacency must be a \(4, 4\) matrix"):
        LabelGraph.build(4, {}, CLASSES, label_embedding="OneHot", adjacency=np.eye(3))
    nan = np.eye(4)
    nan[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN or infinite entries \(the first at \[1, 2\]\)"):
        LabelGraph.build(4, {}, CLASSES, label_embedding="OneHot", adjacency=nan)


def test_label_counts_must_agree(stats):
    graph = GCNEncoder.graph_for()
    with pytest.raises(ValueError, match=r"label statistics have 4 labels but num_classes=5"):
        LabelGraph.build(5, graph, label_embedding=embeddings(5), label_statistics=stats)
    with pytest.raises(ValueError, match=r"3 classes were given but num_classes=4"):
        LabelGraph.build(4, graph, CLASSES[:3], embeddings(), label_statistics=stats)
    with pytest.raises(ValueError, match=r"label_embedding 'array of shape \(3, 5\)'.*3.*4"):
        LabelGraph.build(4, graph, label_embedding=embeddings(3), label_statistics=stats)
    with pytest.raises(ValueError, match=r"needs a graph"):
        LabelGraph.build(4, graph, CLASSES, label_embedding=embeddings())
    with pytest.raises(ValueError, match=r"needs the class names"):
        LabelGraph.build(4, graph, label_embedding=embeddings(), adjacency=np.eye(4))
    with pytest.raises(ValueError, match=r"encoder Mine asks for graph=\{'kind': 'binary', 'x'"):
        LabelGraph.build(4, dict(kind="binary", x=1), None, embeddings(), stats, encoder="Mine")


def test_from_buffers_checks_shapes_and_values():
    label_graph = LabelGraph.from_buffers(CLASSES, torch.ones(4, 3), torch.eye(4), "ckpt.pth")
    assert label_graph.provenance == {"buffers": "ckpt.pth"} and label_graph.dim == 3
    with pytest.raises(ValueError, match=r"embeddings must be \(4, d\) for 4 classes"):
        LabelGraph.from_buffers(CLASSES, torch.ones(3, 3), torch.eye(4))
    with pytest.raises(ValueError, match=r"adjacency must be \(4, 4\) for 4 classes"):
        LabelGraph.from_buffers(CLASSES, torch.ones(4, 3), torch.eye(3))
    with pytest.raises(ValueError, match=r"adjacency hold NaN"):
        LabelGraph.from_buffers(CLASSES, torch.ones(4, 3), torch.full((4, 4), float("nan")))
