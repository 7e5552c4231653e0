"""MultiLabelClassifier end to end at tiny sizes: modes, loss masking, the encoder cache, the
graph built from statistics, the data preprocessor and the errors on inconsistent parts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper
from torch import nn

from mlrkit.graph import LabelStatistics, build_adjacency
from mlrkit.models.build import build_model
from mlrkit.models.data_preprocessor import MultiLabelDataPreprocessor
from mlrkit.models.multi_label_classifier import MultiLabelClassifier

B, K, S, d = 2, 4, 32, 5
CLASSES = ("cat", "dog", "car", "tree")
BACKBONE = dict(type="TimmBackbone", model_name="resnet18", out_index=1)  # 64 ch, stride 4


@pytest.fixture(scope="module")
def stats() -> LabelStatistics:
    targets = np.array([[1, 1, 0, 0], [1, 1, 0, 1], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 0]])
    return LabelStatistics.from_targets(targets, CLASSES)


@pytest.fixture(scope="module")
def embeddings() -> np.ndarray:
    return np.random.default_rng(0).standard_normal((K, d)).astype(np.float32)


def make(stats, embeddings, head="DeepLIFTHead", encoder="AttentionGCNEncoder", **kwargs):
    torch.manual_seed(0)
    cfg = dict(
        type="MultiLabelClassifier",
        backbone=BACKBONE,
        head=dict(type=head) if isinstance(head, str) else head,
        num_classes=K,
        label_statistics=stats,
        label_embedding=embeddings,
    )
    if encoder is not None:
        cfg["encoder"] = (
            dict(type=encoder, graph=dict(tau=0.3)) if isinstance(encoder, str) else encoder
        )
    cfg.update(kwargs)
    return build_model(cfg)


def batch(seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    return {
        "inputs": torch.randint(0, 256, (B, 3, S, S), dtype=torch.uint8, generator=g),
        "data_samples": {
            "gt_label": torch.tensor([[1.0, 0, 1, 0], [0, 1, 1, 1]]),
            "difficult": torch.tensor([[False, True, False, False], [False] * 4]),
            "index": torch.arange(B),
            "img_path": ["a.jpg", "b.jpg"],
        },
    }


def test_three_modes(stats, embeddings):
    model = make(stats, embeddings)
    data = model.data_preprocessor(batch())
    logits = model(data["inputs"], mode="tensor")
    assert logits.shape == (B, K) and torch.isfinite(logits).all()
    loss = model(**data, mode="loss")
    assert set(loss) == {"loss"} and loss["loss"].ndim == 0 and torch.isfinite(loss["loss"])
    model.eval()
    with torch.no_grad():
        predictions = model(**data, mode="predict")
        eval_logits = model(data["inputs"])
    assert len(predictions) == B
    for i, sample in enumerate(predictions):
        assert set(sample) == {"scores", "gt_label", "difficult", "unknown"}
        torch.testing.assert_close(sample["scores"], eval_logits[i])
        assert torch.equal(sample["gt_label"], data["data_samples"]["gt_label"][i])
        assert sample["difficult"].dtype == torch.bool
    with pytest.raises(ValueError, match="mode must be one of"):
        model(data["inputs"], mode="features")


def test_difficult_labels_are_left_out_of_the_loss(stats, embeddings):
    model = make(stats, embeddings)
    data = model.data_preprocessor(batch())
    samples = data["data_samples"]
    logits = model(data["inputs"])
    expected = nn.functional.binary_cross_entropy_with_logits(
        logits[~samples["difficult"]], samples["gt_label"][~samples["difficult"]]
    )
    torch.testing.assert_close(model(**data, mode="loss")["loss"], expected)
    difficult = samples["difficult"]
    assert difficult.any() and not samples["gt_label"][difficult].any()
    model.train_difficult = "negative"  # the flag dropped: difficult = negative
    everything = nn.functional.binary_cross_entropy_with_logits(logits, samples["gt_label"])
    torch.testing.assert_close(model(**data, mode="loss")["loss"], everything)
    model.train_difficult = "positive"  # ML-GCN and the official Deep-LIFT code
    positive = samples["gt_label"].masked_fill(difficult, 1.0)
    expected = nn.functional.binary_cross_entropy_with_logits(logits, positive)
    torch.testing.assert_close(model(**data, mode="loss")["loss"], expected)
    with pytest.raises(ValueError, match="train_difficult must be one of"):
        make(stats, embeddings, train_difficult="drop")


def test_unknown_labels_are_always_left_out_of_the_loss(stats, embeddings):
    model = make(stats, embeddings)
    data = model.data_preprocessor(batch())
    samples = data["data_samples"]
    samples["unknown"] = torch.tensor([[False] * 4, [True, False, False, True]])
    logits = model(data["inputs"])
    model.train_difficult = "negative"
    keep = ~samples["unknown"]
    expected = nn.functional.binary_cross_entropy_with_logits(
        logits[keep], samples["gt_label"][keep]
    )
    torch.testing.assert_close(model(**data, mode="loss")["loss"], expected)
    model.train_difficult = "ignore"
    keep &= ~samples["difficult"]
    expected = nn.functional.binary_cross_entropy_with_logits(
        logits[keep], samples["gt_label"][keep]
    )
    torch.testing.assert_close(model(**data, mode="loss")["loss"], expected)
    model.eval()
    with torch.no_grad():
        predictions = model(**data, mode="predict")
    assert torch.equal(predictions[1]["unknown"], samples["unknown"][1])


def test_train_step_with_mmengine(stats, embeddings):
    model = make(stats, embeddings, head="MLGCNHead", encoder="GCNEncoder")
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = [p.detach().clone() for p in model.encoder.parameters()]
    log = model.train_step(batch(), wrapper)
    assert torch.isfinite(log["loss"])
    assert any(not torch.equal(a, p) for a, p in zip(before, model.encoder.parameters()))
    outputs = model.val_step(batch())
    assert len(outputs) == B and outputs[0]["scores"].shape == (K,)


def test_preprocessor_defaults_to_the_backbone_normalisation(stats, embeddings):
    model = make(stats, embeddings)
    pre = model.data_preprocessor
    assert isinstance(pre, MultiLabelDataPreprocessor)
    mean = torch.tensor([0.485, 0.456, 0.406]) * 255
    torch.testing.assert_close(pre.mean.flatten(), mean)
    images = batch()["inputs"]
    out = pre({"inputs": images})["inputs"]
    expected = (images.float() - mean.view(1, 3, 1, 1)) / (
        torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1) * 255
    )
    torch.testing.assert_close(out, expected)
    assert out.dtype == torch.float32
    # a list of images of one size is stacked; of several sizes, refused
    listed = pre({"inputs": list(images)})["inputs"]
    torch.testing.assert_close(listed, expected)
    with pytest.raises(ValueError, match="different sizes"):
        pre({"inputs": [images[0], images[1, :, :16]]})
    with pytest.raises(ValueError, match="mean and std are not set"):
        MultiLabelDataPreprocessor()({"inputs": images})
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        pre({"inputs": images[:, :1]})


def test_channels_last(stats, embeddings):
    model = make(stats, embeddings, channels_last=True)
    data = model.data_preprocessor(batch())
    assert data["inputs"].is_contiguous(memory_format=torch.channels_last)
    conv = model.backbone.model.conv1.weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    reference = make(stats, embeddings)
    torch.testing.assert_close(model(data["inputs"]), reference(data["inputs"]), atol=1e-4, rtol=0)


# ------------------------------------------------------------------- encoder output cache


class CountCalls:
    def __init__(self, module: nn.Module):
        self.calls = 0
        module.register_forward_hook(self.hook)

    def hook(self, *args):
        self.calls += 1


def test_eval_mode_caches_the_encoder_output_until_an_optimizer_step(stats, embeddings):
    model = make(stats, embeddings)
    counter = CountCalls(model.encoder)
    data = model.data_preprocessor(batch())
    model.eval()
    with torch.no_grad():
        first = model(data["inputs"])
        second = model(data["inputs"])
    assert counter.calls == 1
    torch.testing.assert_close(first, second)

    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    model(**data, mode="loss")["loss"].backward()
    optimizer.step()
    model.eval()
    calls = counter.calls
    with torch.no_grad():
        cached = model.label_features()
        assert counter.calls == calls + 1  # recomputed with the new weights
        fresh = model.encoder(model.label_embeddings, model.adjacency)
        model.label_features()
        assert counter.calls == calls + 2  # (the direct call above) + no new recompute
    torch.testing.assert_close(cached, fresh)


def test_cache_sees_in_place_weight_changes_and_grad_mode(stats, embeddings):
    model = make(stats, embeddings).eval()
    counter = CountCalls(model.encoder)
    with torch.no_grad():
        model.label_features()
        model.encoder.convs[0].lin.weight.mul_(2.0)  # an in-place write bumps _version
        changed = model.label_features()
        assert counter.calls == 2
        state = {k: v.clone() for k, v in model.state_dict().items()}
        model.load_state_dict(state)
        model.label_features()
        assert counter.calls == 3
    expected = model.encoder(model.label_embeddings, model.adjacency).detach()
    torch.testing.assert_close(changed, expected)
    # with gradients enabled (Grad-CAM in eval mode) nothing is cached
    calls = counter.calls
    model.label_features()
    model.label_features()
    assert counter.calls == calls + 2  # both recomputed
    model.cache_label_features = False
    with torch.no_grad():
        model.label_features()
        model.label_features()
    assert counter.calls == calls + 4  # caching switched off


# ------------------------------------------------------------------- maps for Grad-CAM


def test_forward_with_maps(stats, embeddings):
    model = make(stats, embeddings)
    x = model.data_preprocessor(batch())["inputs"]
    out = model.forward_with_maps(x)
    assert out["features"].shape == (B, 64, S // 4, S // 4)
    assert out["lift_map"].shape == out["att_lift_map"].shape == (B, K, S // 4, S // 4)
    grad = torch.autograd.grad(out["logits"][:, 1].sum(), out["att_lift_map"])[0]
    assert grad.abs().sum() > 0
    pooled = make(stats, embeddings, head="GlobalPoolHead", encoder=None)
    out = pooled.forward_with_maps(x)
    assert out["lift_map"] is None and out["att_lift_map"] is None
    assert out["logits"].shape == (B, K)


# ------------------------------------------------------------------- the graph and its labels


def test_adjacency_follows_the_encoder_and_the_class_order(stats, embeddings):
    model = make(stats, embeddings, encoder=dict(type="GCNEncoder", graph=dict(tau=0.3)))
    expected = build_adjacency(stats, kind="reweighted", tau=0.3, p=0.25)
    torch.testing.assert_close(model.adjacency, expected)
    torch.testing.assert_close(model.label_embeddings, torch.from_numpy(embeddings))
    assert model.classes == CLASSES
    # the same statistics listed in another order are aligned to `classes`
    order = [2, 0, 3, 1]
    shuffled = LabelStatistics(
        tuple(CLASSES[i] for i in order),
        stats.counts[order],
        stats.pairs[np.ix_(order, order)],
        stats.num_samples,
    )
    aligned = make(
        stats,
        embeddings,
        encoder=dict(type="GCNEncoder", graph=dict(tau=0.3)),
        label_statistics=shuffled,
        classes=CLASSES,
    )
    torch.testing.assert_close(aligned.adjacency, expected)
    # the adjacency and embeddings travel with the weights
    assert {"adjacency", "label_embeddings"} <= set(model.state_dict())


def test_shipped_voc_statistics_and_glove():
    voc = LabelStatistics.shipped("voc")
    model = build_model(
        dict(
            type=MultiLabelClassifier,
            backbone=BACKBONE,
            head=dict(type="MLGCNHead"),
            encoder=dict(type="WeightedGCNEncoder"),
            num_classes=20,
            label_statistics="voc",
        )
    )
    assert model.classes == voc.classes and model.label_embeddings.shape == (20, 300)
    assert model.encoder.in_dim == 300 and model.encoder.out_dim == 64
    x = model.data_preprocessor(batch())["inputs"]
    assert model(x).shape == (B, 20)


# ------------------------------------------------------------------- bad input


def test_mismatched_embedding_width_names_the_encoder_and_both_sizes(stats, embeddings):
    with pytest.raises(ValueError, match=r"encoder GCNEncoder has in_dim=7.*width d is 5"):
        make(stats, embeddings, encoder=dict(type="GCNEncoder", in_dim=7))
    with pytest.raises(ValueError, match=r"encoder GCNEncoder has out_dim=32.*D is 64"):
        make(stats, embeddings, encoder=dict(type="GCNEncoder", out_dim=32))


def test_disagreeing_label_counts(stats, embeddings):
    with pytest.raises(ValueError, match=r"head DeepLIFTHead has num_classes=3.*is 4"):
        make(stats, embeddings, head=dict(type="DeepLIFTHead", num_classes=3))
    with pytest.raises(ValueError, match=r"label statistics have 4 labels but num_classes=5"):
        make(stats, embeddings, num_classes=5, classes=None)
    with pytest.raises(ValueError, match=r"label_embedding 'array of shape \(3, 5\)'.*3.*4"):
        make(stats, embeddings[:3])  # 3 embedding rows for 4 labels
    with pytest.raises(ValueError, match=r"3 classes were given but num_classes=4"):
        make(stats, embeddings, classes=CLASSES[:3])
    with pytest.raises(ValueError, match=r"name different labels"):
        make(stats, embeddings, classes=("cat", "dog", "car", "bush"))
    model = make(stats, embeddings)
    data = model.data_preprocessor(batch())
    data["data_samples"]["gt_label"] = torch.zeros(B, K + 1)
    with pytest.raises(ValueError, match=r"data has 5 labels, the model 4"):
        model(**data, mode="loss")


class FlatBackbone(nn.Module):
    """Returns (B, D, H*W): a rank-3 map."""

    num_features = 8

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x):
        return self.conv(x).flatten(2)  # (B, 8, H*W)


def test_feature_map_of_unexpected_rank(stats, embeddings):
    model = MultiLabelClassifier(FlatBackbone(), dict(type="GlobalPoolHead"), K)
    with pytest.raises(ValueError, match=r"backbone FlatBackbone.*rank 3.*\(B, 8, H, W\)"):
        model(torch.randn(B, 3, 8, 8))


def test_other_configuration_errors(stats, embeddings):
    with pytest.raises(ValueError, match=r"MLGCNHead needs label features"):
        make(stats, embeddings, head="MLGCNHead", encoder=None)
    with pytest.raises(ValueError, match=r"GlobalPoolHead does not use label features"):
        make(stats, embeddings, head="GlobalPoolHead")
    with pytest.raises(ValueError, match=r"needs a graph"):
        make(None, embeddings, classes=CLASSES)
    with pytest.raises(FileNotFoundError, match="missing.json"):
        make("missing.json", embeddings)
    model = make(stats, embeddings)
    with pytest.raises(ValueError, match=r"uint8.*data_preprocessor"):
        model(batch()["inputs"])
    with pytest.raises(ValueError, match=r"mode='loss' needs data_samples"):
        model(torch.randn(B, 3, S, S), mode="loss")
