"""build_model: the label graph first (once, no encoder instance to read it), then a
classifier that reads no file; the same weights and logits as before the label graph existed."""

from __future__ import annotations

import builtins
from pathlib import Path

import numpy as np
import pytest
import torch

import mlrkit.embeddings.loading as embedding_loading
from mlrkit.encoders.gcn import GCNEncoder
from mlrkit.graph import LabelGraph, LabelStatistics
from mlrkit.models.build import build_model
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

K = 4
CLASSES = ("cat", "dog", "car", "tree")
BACKBONE = dict(type="TimmBackbone", model_name="resnet18", out_index=1)  # 64 ch


def stats() -> LabelStatistics:
    targets = np.array([[1, 1, 0, 0], [1, 1, 0, 1], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 0]])
    return LabelStatistics.from_targets(targets, CLASSES)


def config(**overrides) -> dict:
    cfg = dict(
        type="MultiLabelClassifier",
        backbone=BACKBONE,
        head=dict(type="MLGCNHead"),
        encoder=dict(type="GCNEncoder", hidden_dims=(8,), graph=dict(tau=0.3)),
        num_classes=K,
        label_statistics=stats(),
        label_embedding="OneHot",
    )
    cfg.update(overrides)
    return cfg


def test_the_graph_is_built_once_and_the_encoder_once(monkeypatch):
    builds, encoders = [], []
    original_build, original_init = LabelGraph.build.__func__, GCNEncoder.__init__

    def counting_build(cls, *args, **kwargs):
        builds.append(kwargs.get("encoder"))
        return original_build(cls, *args, **kwargs)

    def counting_init(self, *args, **kwargs):
        encoders.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(LabelGraph, "build", classmethod(counting_build))
    monkeypatch.setattr(GCNEncoder, "__init__", counting_init)
    cfg = config()
    model = build_model(cfg)
    assert builds == ["GCNEncoder"] and encoders == [model.encoder]
    assert model.classes == CLASSES and model.label_embeddings.shape == (K, K)
    assert cfg["label_statistics"] is not None and "label_graph" not in cfg  # not modified


def test_the_classifier_reads_no_file(monkeypatch):
    label_graph = LabelGraph.build(
        K, GCNEncoder.graph_for(), label_embedding="OneHot", label_statistics=stats()
    )

    def no_io(*args, **kwargs):
        raise AssertionError("MultiLabelClassifier read a file")

    for owner, name in [
        (builtins, "open"),
        (np, "load"),
        (torch, "load"),
        (Path, "read_text"),
        (Path, "read_bytes"),
        (LabelStatistics, "from_json"),
        (embedding_loading, "load_label_embeddings"),
    ]:
        monkeypatch.setattr(owner, name, no_io)
    model = MultiLabelClassifier(
        backbone=BACKBONE,
        head=dict(type="MLGCNHead"),
        encoder=dict(type="GCNEncoder", hidden_dims=(8,)),
        num_classes=K,
        label_graph=label_graph,
    )
    monkeypatch.undo()
    torch.testing.assert_close(model.adjacency, label_graph.adjacency)
    torch.testing.assert_close(model.label_embeddings, label_graph.embeddings)
    assert model.adjacency.data_ptr() != label_graph.adjacency.data_ptr()  # loading weights
    assert model.classes == CLASSES  # into the buffers leaves the graph as it is


def test_encoder_and_label_graph_go_together():
    label_graph = LabelGraph.from_buffers(CLASSES, torch.eye(K), torch.eye(K))
    with pytest.raises(ValueError, match=r"an encoder and a label_graph go together.*build_model"):
        MultiLabelClassifier(BACKBONE, dict(type="MLGCNHead"), K, encoder="GCNEncoder")
    with pytest.raises(ValueError, match=r"an encoder and a label_graph go together"):
        MultiLabelClassifier(BACKBONE, dict(type="GlobalPoolHead"), K, label_graph=label_graph)
    with pytest.raises(ValueError, match=r"classes and the label graph's classes differ"):
        build_model(config(classes=("a", "b", "c", "d"), label_graph=label_graph))
    with pytest.raises(ValueError, match=r"encoder must be a config dict with a 'type'"):
        build_model(config(encoder=dict(hidden_dims=(8,))))


def test_a_model_without_an_encoder_ignores_the_graph_keys():
    model = build_model(config(head=dict(type="GlobalPoolHead"), encoder=None, classes=CLASSES))
    assert model.encoder is None and model.adjacency is None and model.classes == CLASSES


# Logits of configs/synthetic/deeplift_agcn.py and mlgcn.py (the overrides below, weights from
# torch.manual_seed(0)) on a fixed input, recorded with the classifier that built its own label
# graph, before LabelGraph existed. The same numbers mean the same weights, graph and forward.
RECORDED = {
    "deeplift_agcn": [-0.05971374362707138, 0.05151721462607384, 0.008784320205450058],
    "mlgcn": [0.570178210735321, 2.3558332920074463, 2.99949312210083],
}
TINY = {
    "train_dataloader.dataset.num_samples": 64,
    "val_dataloader.dataset.num_samples": 16,
    "train_dataloader.dataset.image_size": 32,
    "val_dataloader.dataset.image_size": 32,
    "test_dataloader.dataset.image_size": 32,
    "model.backbone.out_index": 1,
}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_same_logits_as_before_the_label_graph(name, tiny, tmp_path):
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import prepare_config

    cfg = prepare_config(load_config(tiny.configs / f"{name}.py", TINY), work_dir=str(tmp_path))
    torch.manual_seed(0)
    model = build_model(cfg.model).eval()
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        logits = model(x)
    torch.testing.assert_close(logits[0, :3], torch.tensor(RECORDED[name]), rtol=1e-4, atol=1e-5)
