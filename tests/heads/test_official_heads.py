"""Query2Label, ML-Decoder and ADD-GCN against re-implementations of their official code.

The reference functions below are written from the official repositories' forward passes
(Query2Label, ML-Decoder, ADD-GCN) in their own layout: sequence-first tensors, explicit
attention, DETR's cumsum positional encoding, ML-Decoder's per-group loop, ADD-GCN's identity
mask. They take the weights of an mlrkit head and run in eval mode (no dropout), except
ADD-GCN's, which also follows BatchNorm's training-mode batch statistics.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

from mlrkit.heads.add_gcn import ADDGCNHead
from mlrkit.heads.ml_decoder import MLDecoderHead
from mlrkit.heads.query2label import Query2LabelHead
from mlrkit.heads.transformer import sine_position_encoding
from mlrkit.models.build import build_model
from mlrkit.registry import HEADS

B, K, D, H, W = 3, 5, 16, 3, 4
TOL = dict(rtol=1e-5, atol=1e-5)


def layer_norm(x: Tensor, norm: torch.nn.LayerNorm) -> Tensor:
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + norm.eps) * norm.weight + norm.bias


def attention(
    query: Tensor, key: Tensor, value: Tensor, mha: torch.nn.MultiheadAttention
) -> Tensor:
    """Multi-head attention on sequence-first inputs (L, B, d) from the module's packed weights."""
    d, h = mha.embed_dim, mha.num_heads
    wq, wk, wv = mha.in_proj_weight.split(d)
    bq, bk, bv = mha.in_proj_bias.split(d)
    q, k, v = query @ wq.T + bq, key @ wk.T + bk, value @ wv.T + bv
    Lq, B, _ = q.shape
    Lk = k.shape[0]
    dh = d // h
    q = q.reshape(Lq, B * h, dh).transpose(0, 1)  # (B*h, Lq, dh)
    k = k.reshape(Lk, B * h, dh).transpose(0, 1)
    v = v.reshape(Lk, B * h, dh).transpose(0, 1)
    probs = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(dh), dim=-1)
    out = (probs @ v).transpose(0, 1).reshape(Lq, B, d)
    return out @ mha.out_proj.weight.T + mha.out_proj.bias


def ffn(x: Tensor, ffn_module) -> Tensor:
    hidden = torch.relu(x @ ffn_module.linear1.weight.T + ffn_module.linear1.bias)
    return hidden @ ffn_module.linear2.weight.T + ffn_module.linear2.bias


def detr_sine(mask_h: int, mask_w: int, num_pos_feats: int, dtype) -> Tensor:
    """DETR's PositionEmbeddingSine(normalize=True) of an all-valid H x W mask: (1, 2n, H, W)."""
    not_mask = torch.ones(1, mask_h, mask_w, dtype=dtype)
    y_embed = not_mask.cumsum(1)
    x_embed = not_mask.cumsum(2)
    eps, scale = 1e-6, 2 * math.pi
    y_embed = y_embed / (y_embed[:, -1:, :] + eps) * scale
    x_embed = x_embed / (x_embed[:, :, -1:] + eps) * scale
    dim_t = torch.arange(num_pos_feats, dtype=dtype)
    dim_t = 10000 ** (2 * (dim_t // 2) / num_pos_feats)
    pos_x = x_embed[:, :, :, None] / dim_t
    pos_y = y_embed[:, :, :, None] / dim_t
    pos_x = torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :, 1::2].cos()), dim=4).flatten(3)
    pos_y = torch.stack((pos_y[:, :, :, 0::2].sin(), pos_y[:, :, :, 1::2].cos()), dim=4).flatten(3)
    return torch.cat((pos_y, pos_x), dim=3).permute(0, 3, 1, 2)


def query2label(head, x: Tensor) -> Tensor:
    """Qeruy2Label.forward after the backbone: DETR transformer, decoder without self-attention."""
    B, _, H, W = x.shape
    src = (
        x
        if isinstance(head.input_proj, torch.nn.Identity)
        else torch.nn.functional.conv2d(x, head.input_proj.weight, head.input_proj.bias)
    )
    d = src.shape[1]
    pos = detr_sine(H, W, d // 2, x.dtype).repeat(B, 1, 1, 1)
    src = src.flatten(2).permute(2, 0, 1)  # (N, B, d)
    pos = pos.flatten(2).permute(2, 0, 1)
    query_pos = head.query_embed.unsqueeze(1).repeat(1, B, 1)  # (K, B, d)
    memory = src
    for layer in head.encoder:
        q = k = memory + pos
        memory = layer_norm(memory + attention(q, k, memory, layer.self_attn), layer.norm1)
        memory = layer_norm(memory + ffn(memory, layer.ffn), layer.norm2)
    tgt = torch.zeros_like(query_pos)
    for layer in head.decoder:
        if layer.self_attn is not None:
            q = k = tgt + query_pos
            tgt = layer_norm(tgt + attention(q, k, tgt, layer.self_attn), layer.norm1)
        tgt2 = attention(tgt + query_pos, memory + pos, memory, layer.cross_attn)
        tgt = layer_norm(tgt + tgt2, layer.norm2)
        tgt = layer_norm(tgt + ffn(tgt, layer.ffn), layer.norm3)
    hs = layer_norm(tgt, head.decoder_norm).transpose(0, 1)  # (B, K, d)
    return (head.classifier_weight[None] * hs).sum(-1) + head.classifier_bias[None]


def ml_decoder(head, x: Tensor, label_features: Tensor | None = None) -> Tensor:
    """MLDecoder.forward (eval): ReLU token embedding, frozen queries, group FC by a loop."""
    spatial = x.flatten(2).transpose(1, 2)
    spatial = torch.relu(spatial @ head.embed.weight.T + head.embed.bias)
    B = spatial.shape[0]
    if label_features is None:
        query = head.query_embed
    else:
        query = torch.relu(label_features @ head.query_proj.weight.T + head.query_proj.bias)
    tgt = query.unsqueeze(1).expand(-1, B, -1)  # (G, B, e)
    memory = spatial.transpose(0, 1)  # (N, B, e)
    for layer in head.layers:
        tgt = layer_norm(tgt + tgt, layer.norm1)  # tgt + dropout1(tgt) in eval
        tgt = layer_norm(tgt + attention(tgt, memory, memory, layer.cross_attn), layer.norm2)
        tgt = layer_norm(tgt + ffn(tgt, layer.ffn), layer.norm3)
    h = tgt.transpose(0, 1)  # (B, G, e)
    if label_features is not None:  # zero-shot: one shared (e x 1) weight for every label
        return (h @ head.group_weight[0]).flatten(1) + head.group_bias
    G, _, f = head.group_weight.shape
    out = torch.zeros(B, G, f, dtype=h.dtype)
    for i in range(G):
        out[:, i, :] = h[:, i, :] @ head.group_weight[i]
    return out.flatten(1)[:, : head.num_classes] + head.group_bias


def add_gcn(head, x: Tensor) -> Tensor:
    """ADD_GCN.forward plus the trainer's (out1 + out2) / 2, in the official (B, C, K) layout."""

    def conv1d(t: Tensor, conv) -> Tensor:
        out = torch.einsum("oi,bin->bon", conv.weight[:, :, 0], t)
        return out if conv.bias is None else out + conv.bias[None, :, None]

    def lrelu(t: Tensor) -> Tensor:
        return torch.nn.functional.leaky_relu(t, 0.2)

    B = x.shape[0]
    K = head.num_classes
    cam = torch.einsum("kd,bdhw->bkhw", head.cam.weight[:, :, 0, 0], x).reshape(B, K, -1)
    out1 = cam.topk(1, dim=-1)[0].mean(dim=-1)
    mask = torch.sigmoid(cam).transpose(1, 2)  # (B, N, K)
    t = torch.einsum("cd,bdhw->bchw", head.transform.weight[:, :, 0, 0], x)
    t = (t + head.transform.bias[None, :, None, None]).reshape(B, t.shape[1], -1)
    v = t @ mask  # (B, C, K)
    # D-GCN
    static = lrelu(conv1d(v.transpose(1, 2), head.static_adj))
    static = lrelu(conv1d(static.transpose(1, 2), head.static_weight))
    h = v + static
    glb = conv1d(h.mean(dim=2, keepdim=True), head.global_conv)
    bn = head.global_bn
    if head.training:
        mean, var = glb.mean(dim=(0, 2)), glb.var(dim=(0, 2), unbiased=False)
    else:
        mean, var = bn.running_mean, bn.running_var
    glb = (glb - mean[None, :, None]) / torch.sqrt(var[None, :, None] + bn.eps)
    glb = lrelu(glb * bn.weight[None, :, None] + bn.bias[None, :, None])
    glb = glb.expand(-1, -1, K)
    dyn_adj = torch.sigmoid(conv1d(torch.cat((glb, h), dim=1), head.adjacency_conv))
    z = lrelu(conv1d(lrelu(torch.matmul(h, dyn_adj)), head.dynamic_weight))
    z = v + z
    out2 = conv1d(z, head.classifier)  # (B, K, K)
    out2 = (out2 * torch.eye(K, dtype=x.dtype)).sum(-1)
    return (out1 + out2) / 2


# -- helpers ----------------------------------------------------------------------------------


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randomize(module: torch.nn.Module, seed: int = 0) -> None:
    """Non-trivial values everywhere (zero biases and unit norms would hide mistakes)."""
    g = gen(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.5)
        for name, buf in module.named_buffers():
            if name.endswith("running_var"):
                buf.copy_(torch.rand(buf.shape, generator=g, dtype=buf.dtype) + 0.5)
            elif name.endswith("running_mean"):
                buf.copy_(torch.randn(buf.shape, generator=g, dtype=buf.dtype))


def features(dtype=torch.float64, h: int = H, w: int = W) -> Tensor:
    return torch.randn(B, D, h, w, generator=gen(1), dtype=dtype)


def count(head: torch.nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in head.parameters() if p.requires_grad or not trainable_only)


def meta_head(cls, **kwargs) -> torch.nn.Module:
    with torch.device("meta"):
        return cls(80, 2048, **kwargs)


# -- Query2Label ------------------------------------------------------------------------------


@pytest.mark.parametrize("h, w", [(3, 4), (14, 14), (1, 7)])
def test_sine_position_encoding_is_detr_s(h, w):
    expected = detr_sine(h, w, 8, torch.float64)[0]
    torch.testing.assert_close(sine_position_encoding(h, w, 16, dtype=torch.float64), expected)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(num_encoder_layers=2, num_decoder_layers=3, num_heads=2, ffn_dim=24),
        dict(hidden_dim=8, num_heads=2),  # with the 1x1 input projection
        dict(decoder_self_attention=True),
        dict(queries="fixed", num_encoder_layers=0),
    ],
)
def test_query2label_matches_official_formulation(kwargs):
    head = Query2LabelHead(K, D, **kwargs).double().eval()
    randomize(head)
    x = features()
    torch.testing.assert_close(head(x), query2label(head, x), **TOL)


def test_query2label_runs_at_any_resolution():
    head = Query2LabelHead(K, D).double().eval()
    x = features(h=5, w=2)
    torch.testing.assert_close(head(x), query2label(head, x), **TOL)


def test_query2label_options():
    assert not Query2LabelHead(K, D, queries="fixed").query_embed.requires_grad
    head = Query2LabelHead(K, D, position_encoding="none").eval()
    x = features(torch.float32)
    out = head(x)
    torch.testing.assert_close(head(x.flip(-1)).sum(), out.sum(), rtol=1e-4, atol=1e-4)
    assert isinstance(Query2LabelHead(K, D).input_proj, torch.nn.Identity)
    assert isinstance(Query2LabelHead(K, D, input_proj=True).input_proj, torch.nn.Conv2d)


def test_query2label_parameter_count_matches_official():
    # The official Qeruy2Label at its defaults (hidden_dim 2048, 1 encoder / 2 decoder layers,
    # 4 heads, FFN 8192, no input projection), D = 2048, K = 80: 151,406,672 parameters.
    assert count(meta_head(Query2LabelHead)) == 151_406_672
    assert count(meta_head(Query2LabelHead, input_proj=True)) == 155_603_024


# -- ML-Decoder -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(embed_dim=24, num_heads=4, ffn_dim=32),  # G = K: full decoding
        dict(embed_dim=24, num_heads=4, ffn_dim=32, num_groups=2),  # f = 3, one slot dropped
        dict(embed_dim=24, num_heads=3, ffn_dim=32, num_groups=1, num_layers=2),
        dict(queries="learned"),
    ],
)
def test_ml_decoder_matches_official_formulation(kwargs):
    head = MLDecoderHead(K, D, **kwargs).double().eval()
    randomize(head)
    x = features()
    torch.testing.assert_close(head(x), ml_decoder(head, x), **TOL)


def test_ml_decoder_label_feature_queries_match_zero_shot_formulation():
    head = MLDecoderHead(K, D, embed_dim=24, num_heads=4, queries="label_features")
    head = head.double().eval()
    randomize(head)
    assert head.uses_label_features and head.num_groups == K
    label_features = torch.randn(K, D, generator=gen(2), dtype=torch.float64)
    x = features()
    expected = ml_decoder(head, x, label_features)
    torch.testing.assert_close(head(x, label_features), expected, **TOL)


def test_ml_decoder_groups_and_frozen_queries():
    assert MLDecoderHead(K, D).num_groups == K
    assert MLDecoderHead(250, D).num_groups == 100  # -1: min(100, K)
    head = MLDecoderHead(250, D, num_groups=100)
    assert head.duplicate_factor == 3 and head.group_weight.shape == (100, 768, 3)
    assert not MLDecoderHead(K, D).query_embed.requires_grad
    assert MLDecoderHead(K, D, queries="learned").query_embed.requires_grad


def test_ml_decoder_parameter_count_matches_official():
    # The official MLDecoder(80, initial_num_features=2048): 7,212,112 parameters, of which
    # 7,150,672 trainable (the 80 x 768 queries are frozen).
    head = meta_head(MLDecoderHead)
    assert count(head) == 7_212_112
    assert count(head, trainable_only=True) == 7_150_672


# -- ADD-GCN ----------------------------------------------------------------------------------


@pytest.mark.parametrize("train", [False, True])
@pytest.mark.parametrize("hidden", [None, 6])
def test_add_gcn_matches_official_formulation(train, hidden):
    head = ADDGCNHead(K, D, hidden_channels=hidden).double().train(train)
    randomize(head)
    x = features()
    expected = add_gcn(head, x)
    torch.testing.assert_close(head(x), expected, **TOL)


def test_add_gcn_branches_can_be_removed():
    for static, dynamic in [(False, True), (True, False), (False, False)]:
        head = ADDGCNHead(K, D, static_graph=static, dynamic_graph=dynamic)
        assert hasattr(head, "static_adj") == static
        assert hasattr(head, "adjacency_conv") == dynamic
        assert head(features(torch.float32)).shape == (B, K)


def test_add_gcn_parameter_count_matches_official():
    # The official ADD_GCN's head parameters at D = 2048, K = 80: 5,671,584, which include its
    # constant 80 x 80 identity mask (never trained); this head takes the diagonal instead.
    assert count(meta_head(ADDGCNHead)) == 5_671_584 - 80 * 80


# -- bad input --------------------------------------------------------------------------------

HEAD_CLASSES = [Query2LabelHead, MLDecoderHead, ADDGCNHead]


@pytest.mark.parametrize("cls", HEAD_CLASSES)
def test_wrong_feature_width_names_head_and_sizes(cls):
    head = cls(K, D)
    with pytest.raises(
        ValueError, match=rf"{cls.__name__}.*\(B, {D}, H, W\).*\(2, {D + 1}, 3, 4\)"
    ):
        head(torch.randn(2, D + 1, 3, 4))
    with pytest.raises(ValueError, match=cls.__name__):
        head(torch.randn(2, D, 12))


def test_label_feature_count_mismatch_names_head_and_sizes():
    head = MLDecoderHead(K, D, queries="label_features")
    with pytest.raises(ValueError, match=rf"MLDecoderHead.*\({K}, {D}\).*\({K + 1}, {D}\)"):
        head(torch.randn(2, D, 3, 4), torch.randn(K + 1, D))
    with pytest.raises(ValueError, match="MLDecoderHead needs label features"):
        head(torch.randn(2, D, 3, 4), None)


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (
            Query2LabelHead,
            dict(num_heads=3),
            "hidden_dim 16 must be even and divisible by num_heads=3",
        ),
        (
            Query2LabelHead,
            dict(hidden_dim=8, input_proj=False),
            r"without input_proj, hidden_dim \(8\) must equal in_channels \(16\)",
        ),
        (Query2LabelHead, dict(queries="word"), "queries must be one of"),
        (Query2LabelHead, dict(dropout=1.0), "dropout must be a probability"),
        (Query2LabelHead, dict(num_decoder_layers=0), "num_decoder_layers must be a positive"),
        (
            MLDecoderHead,
            dict(num_groups=K + 1),
            rf"num_groups \({K + 1}\) must not exceed num_classes \({K}\)",
        ),
        (
            MLDecoderHead,
            dict(embed_dim=20, num_heads=8),
            "embed_dim 20 must be divisible by num_heads=8",
        ),
        (MLDecoderHead, dict(num_groups=0), "num_groups must be a positive"),
        (ADDGCNHead, dict(hidden_channels=0), "hidden_channels must be a positive"),
    ],
)
def test_bad_arguments_name_the_head(cls, kwargs, message):
    with pytest.raises(ValueError, match=f"{cls.__name__}: {message}"):
        cls(K, D, **kwargs)


def test_add_gcn_single_image_training_batch_is_refused():
    head = ADDGCNHead(K, D).train()
    with pytest.raises(
        ValueError, match="ADDGCNHead: the dynamic graph's BatchNorm needs at least 2"
    ):
        head(torch.randn(1, D, 3, 4))
    assert head.eval()(torch.randn(1, D, 3, 4)).shape == (1, K)


# -- in the classifier ------------------------------------------------------------------------


def test_ml_decoder_label_feature_queries_in_the_classifier():
    model = build_model(
        dict(
            type="MultiLabelClassifier",
            backbone=dict(type="TimmBackbone", model_name="resnet18", out_index=1),
            head=dict(type="MLDecoderHead", queries="label_features", embed_dim=16, num_heads=2),
            encoder=dict(type="GCNEncoder", hidden_dims=()),
            num_classes=K,
            classes=[f"label{i}" for i in range(K)],
            label_embedding="OneHot",
            adjacency=torch.eye(K),
        )
    )
    images = torch.randint(0, 256, (2, 3, 32, 32), dtype=torch.uint8, generator=gen())
    data = model.data_preprocessor(
        {"inputs": images, "data_samples": {"gt_label": torch.ones(2, K)}}
    )
    loss = model(**data, mode="loss")["loss"]
    loss.backward()
    for name, p in model.named_parameters():
        if p.requires_grad:
            assert p.grad is not None, name
    assert HEADS.get("MLDecoderHead") is MLDecoderHead
