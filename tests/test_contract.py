"""The contract every registered backbone, label encoder and head keeps, plugins included.

Each component is built at a tiny size, run forward and backward, and checked for the shapes
of docs/architecture.md, finite outputs and a gradient on every trainable parameter (an unused
parameter breaks DistributedDataParallel). Components of mlrkit get tiny arguments from the
tables below; a component this file does not know (a plugin's) is built with the contract's
arguments only, so it must have defaults for everything else.
"""

from __future__ import annotations

import warnings

import pytest
import torch

from mlrkit.models.build import build_model
from mlrkit.plugins import load_plugins
from mlrkit.registry import BACKBONES, ENCODERS, HEADS

with warnings.catch_warnings():  # a broken plugin is test_plugins' concern, not collection's
    warnings.simplefilter("ignore")
    load_plugins()

B, K, D, H, W, d = 2, 5, 16, 3, 4, 6

TINY_BACKBONES = {"TimmBackbone": dict(model_name="resnet18", out_index=1)}
TINY_ENCODERS = {
    "GCNEncoder": dict(hidden_dims=(8,)),
    "WeightedGCNEncoder": dict(hidden_dims=(8,)),
    "AttentionGCNEncoder": dict(hidden_dims=(8,), attention_hidden=4),
    "ResidualGCNEncoder": dict(hidden_dims=(8, 12), num_blocks=2),
}
TINY_HEADS: dict[str, dict] = {}


def generator() -> torch.Generator:
    return torch.Generator().manual_seed(0)


def asymmetric_adjacency() -> torch.Tensor:
    a = torch.rand(K, K, generator=generator()) * (torch.rand(K, K, generator=generator()) > 0.4)
    a[0, 1], a[1, 0] = 0.7, 0.0
    return a


def logits_of(out) -> torch.Tensor:
    return out["logits"] if isinstance(out, dict) else out


def check_gradients(module: torch.nn.Module, name: str) -> None:
    for pname, param in module.named_parameters():
        if param.requires_grad:
            assert param.grad is not None, f"{name}: parameter {pname} got no gradient"
            assert torch.isfinite(param.grad).all(), f"{name}: gradient of {pname} not finite"


@pytest.mark.parametrize("name", BACKBONES.names())
def test_backbone_contract(name):
    backbone = BACKBONES.build(dict(type=name, **TINY_BACKBONES.get(name, {})))
    x = torch.randn(B, 3, 32, 32, generator=generator())
    features = backbone(x)
    assert features.ndim == 4, f"{name}: expected (B, D, H, W), got {tuple(features.shape)}"
    assert features.shape[:2] == (B, backbone.num_features)
    assert torch.isfinite(features).all()
    assert len(backbone.pretrained_mean) == 3 and len(backbone.pretrained_std) == 3
    head = HEADS.build(dict(type="GlobalPoolHead", num_classes=K, in_channels=features.shape[1]))
    logits = head(features)
    assert logits.shape == (B, K)
    logits.square().mean().backward()
    check_gradients(backbone, name)


@pytest.mark.parametrize("name", ENCODERS.names())
def test_encoder_contract(name):
    encoder = ENCODERS.build(dict(type=name, in_dim=d, out_dim=D, **TINY_ENCODERS.get(name, {})))
    assert isinstance(encoder.graph, dict) and "kind" in encoder.graph
    x = torch.randn(K, d, generator=generator())
    label_features = encoder(x, asymmetric_adjacency())
    assert label_features.shape == (K, D)
    assert torch.isfinite(label_features).all()
    head = HEADS.build(dict(type="DeepLIFTHead", num_classes=K, in_channels=D))
    logits = logits_of(head(torch.randn(B, D, H, W, generator=generator()), label_features))
    assert logits.shape == (B, K)
    logits.square().mean().backward()
    check_gradients(encoder, name)


@pytest.mark.parametrize("name", HEADS.names())
def test_head_contract(name):
    head = HEADS.build(dict(type=name, num_classes=K, in_channels=D, **TINY_HEADS.get(name, {})))
    features = torch.randn(B, D, H, W, generator=generator()).requires_grad_()
    label_features = None
    if head.uses_label_features:
        label_features = torch.randn(K, D, generator=generator()).requires_grad_()
    out = head(features, label_features)
    logits = logits_of(out)
    assert logits.shape == (B, K)
    assert torch.isfinite(logits).all()
    if isinstance(out, dict):
        for key in ("lift_map", "att_lift_map"):
            if out.get(key) is not None:
                assert out[key].shape == (B, K, H, W)
    logits.square().mean().backward()
    check_gradients(head, name)
    assert features.grad is not None and torch.isfinite(features.grad).all()
    if label_features is not None:
        assert label_features.grad is not None


@pytest.mark.parametrize("name", HEADS.names())
def test_every_head_in_the_classifier(name):
    head = HEADS.build(dict(type=name, num_classes=K, in_channels=64, **TINY_HEADS.get(name, {})))
    encoder = dict(type="GCNEncoder", hidden_dims=(8,)) if head.uses_label_features else None
    model = build_model(
        dict(
            type="MultiLabelClassifier",
            backbone=dict(type="TimmBackbone", model_name="resnet18", out_index=1),
            head=head,
            encoder=encoder,
            num_classes=K,
            classes=[f"label{i}" for i in range(K)],
            label_embedding="OneHot",
            adjacency=asymmetric_adjacency(),
        )
    )
    images = torch.randint(0, 256, (B, 3, 32, 32), dtype=torch.uint8, generator=generator())
    data = model.data_preprocessor(
        {"inputs": images, "data_samples": {"gt_label": torch.ones(B, K)}}
    )
    assert model(data["inputs"]).shape == (B, K)
    loss = model(**data, mode="loss")["loss"]
    assert torch.isfinite(loss)
    loss.backward()
    check_gradients(model, name)
