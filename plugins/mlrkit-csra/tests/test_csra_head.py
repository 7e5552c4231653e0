"""CSRAHead: shapes, hand-computed values, T = inf as max, the official formula, bad input."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from mlrkit_csra import TEMPERATURES, CSRAHead
from torch import nn

B, K, D, H, W = 2, 5, 16, 3, 4
LN3 = math.log(3.0)


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_shapes_and_gradients():
    head = CSRAHead(K, D, num_heads=4, lam=0.5)
    assert head.weight.shape == (4, K, D) and head.temperatures == TEMPERATURES[4]
    features = torch.randn(B, D, H, W, generator=gen()).requires_grad_()
    logits = head(features)
    assert logits.shape == (B, K) and torch.isfinite(logits).all()
    logits.sum().backward()
    assert head.weight.grad is not None and torch.isfinite(head.weight.grad).all()
    assert features.grad is not None


def tiny_head(lam: float, temperatures, normalize: bool = True) -> CSRAHead:
    """D = 1, K = 2, class weights 1 and 2 (both 1 once normalised)."""
    head = CSRAHead(2, 1, lam=lam, temperatures=temperatures, normalize=normalize)
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[[1.0], [2.0]]] * len(temperatures)))
    return head


SCORE_MAP = torch.tensor([[[[0.0, LN3]]]])  # (B=1, D=1, H=1, W=2)


def test_hand_computed_single_head():
    # normalised weights: both classes score (0, ln 3); softmax(T=1) = (1/4, 3/4)
    logits = tiny_head(lam=0.5, temperatures=[1.0])(SCORE_MAP)
    expected = LN3 / 2 + 0.5 * (0.75 * LN3)
    torch.testing.assert_close(logits, torch.full((1, 2), expected))


def test_hand_computed_without_weight_normalisation():
    # class 1 scores (0, 2 ln 3): mean ln 3, softmax = (1/10, 9/10), attention 1.8 ln 3
    logits = tiny_head(lam=0.5, temperatures=[1.0], normalize=False)(SCORE_MAP)
    expected = torch.tensor([[LN3 / 2 + 0.5 * 0.75 * LN3, LN3 + 0.5 * 1.8 * LN3]])
    torch.testing.assert_close(logits, expected)


def test_infinite_temperature_is_max_pooling_and_the_limit_of_large_ones():
    torch.manual_seed(0)
    logits = tiny_head(lam=0.5, temperatures=[math.inf])(SCORE_MAP)
    torch.testing.assert_close(logits, torch.full((1, 2), LN3 / 2 + 0.5 * LN3))

    head = CSRAHead(K, D, lam=1.0, temperatures=[math.inf])
    features = torch.randn(B, D, H, W, generator=gen(1))
    scores = head.class_scores(features)[:, 0]  # (B, K, H*W)
    torch.testing.assert_close(head(features), scores.mean(-1) + scores.amax(-1))
    sharp = CSRAHead(K, D, lam=1.0, temperatures=[1e4])
    sharp.load_state_dict(head.state_dict())
    torch.testing.assert_close(sharp(features), head(features), atol=1e-4, rtol=1e-4)


def test_multi_head_is_the_sum_of_single_heads():
    multi = CSRAHead(K, D, num_heads=4, lam=0.3)
    features = torch.randn(B, D, H, W, generator=gen(2))
    total = 0
    for h, temperature in enumerate(multi.temperatures):
        single = CSRAHead(K, D, lam=0.3, temperatures=[temperature])
        with torch.no_grad():
            single.weight.copy_(multi.weight[h : h + 1])
        total = total + single(features)
    torch.testing.assert_close(multi(features), total)


def official_mha(weight: torch.Tensor, temperatures, lam: float, x: torch.Tensor) -> torch.Tensor:
    """The official implementation's formula (pipeline/csra.py), written out with Conv2d."""
    logit = 0.0
    for w, temperature in zip(weight, temperatures):
        conv = nn.Conv2d(w.shape[1], w.shape[0], 1, bias=False)
        conv.weight.data.copy_(w[:, :, None, None])
        score = conv(x) / torch.norm(conv.weight, dim=1, keepdim=True).transpose(0, 1)
        score = score.flatten(2)  # (B, K, H*W)
        base = torch.mean(score, dim=2)
        if math.isinf(temperature):
            att = torch.max(score, dim=2)[0]
        else:
            att = torch.sum(score * F.softmax(score * temperature, dim=2), dim=2)
        logit = logit + base + lam * att
    return logit


@pytest.mark.parametrize("num_heads", sorted(TEMPERATURES))
def test_matches_the_official_formula(num_heads):
    head = CSRAHead(K, D, num_heads=num_heads, lam=0.1)
    features = torch.randn(B, D, H, W, generator=gen(3))
    with torch.no_grad():
        expected = official_mha(head.weight, head.temperatures, 0.1, features)
        torch.testing.assert_close(head(features), expected)


def test_bad_arguments_and_inputs_name_the_head():
    with pytest.raises(ValueError, match=r"CSRAHead: num_heads must be one of \[1, 2, 4, 6, 8\]"):
        CSRAHead(K, D, num_heads=3)
    with pytest.raises(ValueError, match="CSRAHead: temperatures must be one or more positive"):
        CSRAHead(K, D, temperatures=[1.0, 0.0])
    with pytest.raises(ValueError, match="CSRAHead: temperatures"):
        CSRAHead(K, D, temperatures=[float("nan")])
    with pytest.raises(ValueError, match="CSRAHead: lam must be a finite number"):
        CSRAHead(K, D, lam=float("inf"))
    with pytest.raises(ValueError, match=r"CSRAHead: expected a feature map \(B, 16, H, W\)"):
        CSRAHead(K, D)(torch.randn(B, D + 1, H, W))
