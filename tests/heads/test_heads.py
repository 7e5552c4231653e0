"""Heads against their formulas, computed here by hand from the same parameters."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from mlrkit.heads.channel_attention import ChannelAttention
from mlrkit.heads.deep_lift import CAM_VARIANTS, CHANNEL_ATTENTION_VARIANTS, DeepLIFTHead
from mlrkit.heads.global_pool import GlobalPoolHead
from mlrkit.heads.mlgcn import MLGCNHead
from mlrkit.registry import HEADS

B, K, D, H, W = 2, 5, 6, 3, 4


@pytest.fixture
def features() -> torch.Tensor:
    return torch.randn(B, D, H, W, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def label_features() -> torch.Tensor:
    return torch.randn(K, D, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("pool", ["avg", "max"])
def test_global_pool_head(pool, features):
    head = GlobalPoolHead(K, D, pool=pool)
    flat = features.reshape(B, D, H * W)  # (B, D, HW)
    pooled = flat.mean(-1) if pool == "avg" else flat.max(-1).values
    expected = pooled @ head.fc.weight.T + head.fc.bias
    torch.testing.assert_close(head(features), expected)
    assert head(features, None).shape == (B, K)


def test_mlgcn_head_is_maxpool_times_label_features(features, label_features):
    head = MLGCNHead(K, D)
    expected = torch.zeros(B, K)
    for b in range(B):
        pooled = features[b].amax(dim=(1, 2))  # (D,)
        for k in range(K):
            expected[b, k] = pooled @ label_features[k]
    torch.testing.assert_close(head(features, label_features), expected)
    assert sum(p.numel() for p in head.parameters()) == 0


def test_channel_attention_formula():
    x = torch.randn(B, K, H, W)
    cam = ChannelAttention(K, reduction=2)
    (w0, b0), (w1, b1) = (cam.mlp[0].weight, cam.mlp[0].bias), (cam.mlp[2].weight, cam.mlp[2].bias)

    def mlp(a):
        return F.relu(a @ w0.T + b0) @ w1.T + b1

    expected = torch.sigmoid(mlp(x.mean((2, 3))) + mlp(x.amax((2, 3))))[:, :, None, None]
    torch.testing.assert_close(cam(x), expected)
    assert cam.mlp[0].out_features == K // 2
    only_max = ChannelAttention(K, reduction=2, pools=("max",))
    only_max.load_state_dict(cam.state_dict())
    torch.testing.assert_close(only_max(x), torch.sigmoid(mlp(x.amax((2, 3))))[:, :, None, None])


@pytest.mark.parametrize("variant", list(CHANNEL_ATTENTION_VARIANTS))
def test_deep_lift_head_formula(variant, features, label_features):
    head = DeepLIFTHead(
        K, D, channel_attention=variant, channel_attention_reduction=2, hidden_channels=7
    )
    out = head(features, label_features)
    # eq. 5: A[b, k, h, w] = <L_k, F[b, :, h, w]>
    lift = torch.zeros(B, K, H, W)
    for b in range(B):
        for k in range(K):
            lift[b, k] = (label_features[k][:, None, None] * features[b]).sum(0)
    torch.testing.assert_close(out["lift_map"], lift, atol=1e-5, rtol=0)
    # eq. 6-7
    if variant == "none":
        gate = torch.ones(B, K, 1, 1)
        assert head.channel_attention is None
    else:
        gate = head.channel_attention(lift)
        assert head.channel_attention.pools == CHANNEL_ATTENTION_VARIANTS[variant]
        assert head.channel_attention.mlp[0].out_features == K // 2
    att = gate * lift
    torch.testing.assert_close(out["att_lift_map"], att, atol=1e-5, rtol=0)
    # final MLP on [avgpool || maxpool]
    fc1, fc2 = head.classifier[0], head.classifier[2]
    pooled = torch.cat([att.mean((2, 3)), att.amax((2, 3))], dim=1)  # (B, 2K)
    logits = F.leaky_relu(pooled @ fc1.weight.T + fc1.bias, 0.2) @ fc2.weight.T + fc2.bias
    torch.testing.assert_close(out["logits"], logits, atol=1e-5, rtol=0)
    assert fc1.in_features == 2 * K and fc1.out_features == 7


def test_deep_lift_cam_keywords_still_build_the_same_head_with_a_warning(features, label_features):
    """`cam` / `cam_reduction`, the names before `channel_attention`, in old configs."""
    assert CAM_VARIANTS is CHANNEL_ATTENTION_VARIANTS
    torch.manual_seed(0)
    new = DeepLIFTHead(K, D, channel_attention="max", channel_attention_reduction=2)
    torch.manual_seed(0)
    with pytest.warns(FutureWarning) as warned:
        old = HEADS.build(dict(type="DeepLIFTHead", num_classes=K, in_channels=D, cam="max",
                               cam_reduction=2))  # fmt: skip
    assert [str(w.message).split(": ", 1)[1] for w in warned] == [
        "the keyword 'cam' is deprecated (it sets the head's channel attention, not a Grad-CAM "
        "explanation); use channel_attention='max'",
        "the keyword 'cam_reduction' is deprecated (it sets the head's channel attention, not a "
        "Grad-CAM explanation); use channel_attention_reduction=2",
    ]
    assert old.channel_attention_variant == "max"
    assert old.state_dict().keys() == new.state_dict().keys()
    for key, value in new.state_dict().items():
        torch.testing.assert_close(old.state_dict()[key], value)
    with pytest.warns(FutureWarning, match="channel_attention_variant"):
        assert old.cam == "max"
    # an old override laid over a config that names the new keyword wins, and says so
    with pytest.warns(FutureWarning, match="replaces channel_attention='none'"):
        head = DeepLIFTHead(K, D, channel_attention="none", cam="avg")
    assert head.channel_attention.pools == ("avg",)


def test_deep_lift_maps_carry_gradients_for_grad_cam(features, label_features):
    head = DeepLIFTHead(K, D)
    out = head(features.requires_grad_(), label_features)  # as a backbone's output would
    grads = torch.autograd.grad(out["logits"][:, 0].sum(), [out["lift_map"], out["att_lift_map"]])
    assert all(g.shape == (B, K, H, W) and g.abs().sum() > 0 for g in grads)


def test_heads_declare_whether_they_use_label_features():
    assert GlobalPoolHead.uses_label_features is False
    assert MLGCNHead.uses_label_features is True
    assert DeepLIFTHead.uses_label_features is True


@pytest.mark.parametrize("name", ["GlobalPoolHead", "MLGCNHead", "DeepLIFTHead"])
def test_bad_inputs_name_the_head(name, features, label_features):
    head = HEADS.build(dict(type=name, num_classes=K, in_channels=D))
    with pytest.raises(ValueError, match=rf"{name}.*\(B, {D}, H, W\)"):
        head(features[:, :-1], label_features[:, :-1])
    with pytest.raises(ValueError, match=name):
        head(features.flatten(2), label_features)  # rank 3
    if head.uses_label_features:
        with pytest.raises(ValueError, match=rf"{name}.*\({K}, {D}\)"):
            head(features, label_features[:-1])
        with pytest.raises(ValueError, match=rf"{name} needs label features"):
            head(features, None)


@pytest.mark.parametrize(
    "cfg",
    [
        dict(type="GlobalPoolHead", num_classes=K, in_channels=D, pool="mean"),
        dict(type="GlobalPoolHead", num_classes=0, in_channels=D),
        dict(type="MLGCNHead", num_classes=K, in_channels=-1),
        dict(type="DeepLIFTHead", num_classes=K, in_channels=D, channel_attention="spatial"),
        dict(type="DeepLIFTHead", num_classes=K, in_channels=D, hidden_channels=0),
    ],
)
def test_invalid_arguments_name_the_class(cfg):
    with pytest.raises(ValueError, match=cfg["type"]):
        HEADS.build(cfg)
