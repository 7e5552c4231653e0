"""Grad-CAM maths against hand-computable cases, and its use of the classifier's maps."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from mlrkit.cam import MAP_NAMES, grad_cam, grad_cam_from_maps, normalize_maps
from mlrkit.models.build import build_model

B, C, K, H, W = 2, 3, 4, 3, 5


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def linear_case():
    """logits = W mean_hw(A) + b: d logit_k / dA_c = W[k, c] / (H W) at every location."""
    maps = torch.randn(B, C, H, W, generator=gen()).requires_grad_()
    weight = torch.randn(K, C, generator=gen(1))
    logits = maps.mean(dim=(2, 3)) @ weight.T + 0.3  # (B, K)
    return maps, weight, logits


def expected_linear(maps: torch.Tensor, weight: torch.Tensor, label: int) -> torch.Tensor:
    alpha = weight[label] / (H * W)  # (C,)
    return F.relu(torch.einsum("c,bchw->bhw", alpha, maps.detach()))  # (B, H, W)


def test_linear_model_raw_maps_are_the_hand_computed_ones():
    maps, weight, logits = linear_case()
    out = grad_cam_from_maps(logits, {"features": maps}, labels=[2, 0], normalize=False)
    assert out["features"].shape == (B, 2, H, W)
    torch.testing.assert_close(out["features"][:, 0], expected_linear(maps, weight, 2))
    torch.testing.assert_close(out["features"][:, 1], expected_linear(maps, weight, 0))
    # a label whose map is not all zero after the ReLU: the case is not vacuous
    assert out["features"].amax() > 0


def test_per_sample_labels_and_upsampling_and_normalisation():
    maps, weight, logits = linear_case()
    labels = torch.tensor([[1], [3]])  # sample 0 explains label 1, sample 1 label 3
    out = grad_cam_from_maps(logits, {"m": maps}, labels=labels, size=(6, 10))["m"]
    assert out.shape == (B, 1, 6, 10)
    for b, k in enumerate((1, 3)):
        raw = expected_linear(maps, weight, k)[b][None, None]  # (1, 1, H, W)
        up = F.interpolate(raw, size=(6, 10), mode="bilinear", align_corners=False)[0, 0]
        expected = (up - up.min()) / (up.max() - up.min())
        torch.testing.assert_close(out[b, 0], expected)
        assert out[b, 0].min() == 0 and out[b, 0].max() == pytest.approx(1.0)


def test_normalize_maps_keeps_constant_maps_at_zero():
    cams = torch.stack([torch.zeros(3, 3), torch.full((3, 3), 2.0), torch.arange(9.0).view(3, 3)])
    out = normalize_maps(cams)
    assert torch.equal(out[0], torch.zeros(3, 3)) and torch.equal(out[1], torch.zeros(3, 3))
    torch.testing.assert_close(out[2], torch.arange(9.0).view(3, 3) / 8)


def test_a_map_the_logit_does_not_use_gives_zeros():
    maps, _, logits = linear_case()
    unused = torch.randn(B, C, H, W, requires_grad=True)
    out = grad_cam_from_maps(logits, {"used": maps, "unused": unused}, labels=[0, 1, 2, 3])
    assert torch.equal(out["unused"], torch.zeros(B, 4, H, W))
    assert out["used"].amax() > 0


def test_bad_labels_and_detached_logits_are_refused():
    maps, _, logits = linear_case()
    with pytest.raises(ValueError, match=r"label indices must be in \[0, 3\]"):
        grad_cam_from_maps(logits, {"m": maps}, labels=[4])
    with pytest.raises(ValueError, match="labels must be"):
        grad_cam_from_maps(logits, {"m": maps}, labels=torch.zeros(3, 1, dtype=torch.long))
    with pytest.raises(ValueError, match="not part of an autograd graph"):
        grad_cam_from_maps(logits.detach(), {"m": maps}, labels=[0])


def classifier(head: str, **head_args):
    uses_labels = head != "GlobalPoolHead"
    model = build_model(
        dict(
            type="MultiLabelClassifier",
            backbone=dict(type="TimmBackbone", model_name="resnet18", out_index=1),
            head=dict(type=head, **head_args),
            encoder=dict(type="GCNEncoder", hidden_dims=(8,)) if uses_labels else None,
            num_classes=K,
            classes=[f"label{i}" for i in range(K)],
            label_embedding="OneHot",
            adjacency=torch.eye(K),
        )
    )
    return model.eval()


def images(n: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=gen(seed))


def test_global_pool_classifier_matches_the_closed_form():
    """Average pooling + linear: Grad-CAM of the backbone map is ReLU(W_k . F / HW)."""
    torch.manual_seed(0)
    model = classifier("GlobalPoolHead", pool="avg")
    image = images(1)
    result = grad_cam(model, image[0], labels=[1, 3])
    assert set(result.maps) == {"features"}  # no LIFT maps for this head
    with torch.no_grad():
        features = model.backbone(model.data_preprocessor({"inputs": image})["inputs"])
    h, w = features.shape[-2:]
    for j, k in enumerate((1, 3)):
        raw = F.relu(torch.einsum("d,bdhw->bhw", model.head.fc.weight[k] / (h * w), features))
        up = F.interpolate(raw[None], size=(32, 32), mode="bilinear", align_corners=False)[0]
        expected = normalize_maps(up)[0]
        torch.testing.assert_close(result.maps["features"][0, j], expected, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(result.scores, result.logits.sigmoid())
    assert result.labels.tolist() == [[1, 3]]


def test_deeplift_gives_all_three_maps_and_top_k_in_score_order():
    torch.manual_seed(0)
    model = classifier("DeepLIFTHead")
    result = grad_cam(model, images(1), top_k=3)
    assert list(result.maps) == list(MAP_NAMES)
    for cams in result.maps.values():
        assert cams.shape == (1, 3, 32, 32)
        assert cams.min() >= 0 and cams.max() <= 1
    top = result.logits[0].topk(3).indices
    assert result.labels[0].tolist() == top.tolist()


def test_a_batch_gives_each_image_its_own_maps_and_no_parameter_gradients():
    torch.manual_seed(0)
    model = classifier("DeepLIFTHead")
    batch = images(2, seed=3)
    together = grad_cam(model, batch, top_k=2)
    for b in range(2):
        alone = grad_cam(model, batch[b], top_k=2)
        assert torch.equal(alone.labels[0], together.labels[b])
        for name in MAP_NAMES:
            torch.testing.assert_close(alone.maps[name][0], together.maps[name][b])
    assert all(p.grad is None for p in model.parameters())
    assert not model.training


def test_top_k_beyond_the_labels_is_refused():
    model = classifier("GlobalPoolHead")
    with pytest.raises(ValueError, match=f"top_k=5 is more than the model's {K} labels"):
        grad_cam(model, images(1), top_k=5)
    with pytest.raises(ValueError, match="top_k must be a positive integer"):
        grad_cam(model, images(1), top_k=0)
