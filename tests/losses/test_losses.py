"""Losses against values worked out with the math module, entry by entry."""

from __future__ import annotations

import math

import pytest
import torch

from mlrkit.losses.asymmetric_loss import AsymmetricLoss
from mlrkit.losses.base import difficult_in_training
from mlrkit.losses.binary_cross_entropy_loss import BinaryCrossEntropyLoss
from mlrkit.registry import LOSSES

LOGITS = torch.tensor([[0.0, 2.0], [-1.0, 3.0]])
TARGETS = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
IGNORE = torch.tensor([[False, True], [False, False]])


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def bce(x: float, y: float) -> float:
    return -(y * math.log(sigmoid(x)) + (1 - y) * math.log(1 - sigmoid(x)))


def test_bce_mean_over_batch_and_labels():
    # log 2, log(1 + e^2), log(1 + e^-1), log(1 + e^-3)
    entries = [
        math.log(2),
        math.log(1 + math.e**2),
        math.log(1 + math.e**-1),
        math.log(1 + math.e**-3),
    ]
    assert entries[0] == pytest.approx(bce(0, 1)) and entries[1] == pytest.approx(bce(2, 0))
    loss = BinaryCrossEntropyLoss()(LOGITS, TARGETS)
    assert loss.item() == pytest.approx(sum(entries) / 4, rel=1e-6)
    assert loss.item() == pytest.approx(0.795481, abs=1e-6)


def test_bce_ignore_mask_drops_entries():
    loss = BinaryCrossEntropyLoss()(LOGITS, TARGETS, IGNORE)
    expected = (bce(0, 1) + bce(-1, 0) + bce(3, 1)) / 3
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    total = BinaryCrossEntropyLoss(reduction="sum", loss_weight=2.0)(LOGITS, TARGETS, IGNORE)
    assert total.item() == pytest.approx(2 * 3 * expected, rel=1e-6)
    # an ignored entry gets no gradient
    logits = LOGITS.clone().requires_grad_()
    BinaryCrossEntropyLoss()(logits, TARGETS, IGNORE).backward()
    assert logits.grad[0, 1] == 0 and logits.grad[0, 0] != 0


def asl(x: float, y: float, gamma_neg=4.0, gamma_pos=1.0, clip=0.05) -> float:
    p = sigmoid(x)
    if y == 1:
        return -((1 - p) ** gamma_pos) * math.log(p)
    p_m = max(p - clip, 0.0)
    return -(p_m**gamma_neg) * math.log(1 - p_m)


def test_asymmetric_loss_hand_values():
    loss = AsymmetricLoss()(LOGITS, TARGETS)  # official defaults, summed
    expected = asl(0, 1) + asl(2, 0) + asl(-1, 0) + asl(3, 1)
    assert asl(0, 1) == pytest.approx(0.5 * math.log(2))
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    mean = AsymmetricLoss(reduction="mean")(LOGITS, TARGETS, IGNORE)
    assert mean.item() == pytest.approx((asl(0, 1) + asl(-1, 0) + asl(3, 1)) / 3, rel=1e-5)


def test_asymmetric_clip_zeroes_easy_negatives():
    # p = sigmoid(-4) = 0.018 < m = 0.05: the shifted probability is 0, so is the loss
    loss = AsymmetricLoss(clip=0.05)(torch.tensor([[-4.0]]), torch.tensor([[0.0]]))
    assert loss.item() == 0.0
    assert AsymmetricLoss(clip=0.0)(torch.tensor([[-4.0]]), torch.tensor([[0.0]])).item() > 0


def test_asymmetric_without_focusing_or_clip_is_bce():
    plain = AsymmetricLoss(gamma_neg=0, gamma_pos=0, clip=0, reduction="mean")
    torch.testing.assert_close(plain(LOGITS, TARGETS), BinaryCrossEntropyLoss()(LOGITS, TARGETS))


def test_asymmetric_detached_focal_weight_changes_only_the_gradient():
    grads = []
    for detach in (False, True):
        logits = LOGITS.clone().requires_grad_()
        loss = AsymmetricLoss(detach_focal_weight=detach)(logits, TARGETS)
        loss.backward()
        grads.append(logits.grad)
        assert loss.item() == pytest.approx(
            asl(0, 1) + asl(2, 0) + asl(-1, 0) + asl(3, 1), rel=1e-5
        )
    assert not torch.allclose(grads[0], grads[1])


def test_asymmetric_gradient_both_ways_by_hand():
    """A positive at logit 0 (p = 1/2, gamma+ = 1): loss -(1 - p) log p.

    Detached weight (the default, official ``disable_torch_grad_focal_loss=True``): the
    gradient is -(1 - p) * (1 - p) = -1/4. Through the weight as well: -(1 - p)^2 +
    p (1 - p) log p = -1/4 + log(1/2) / 4.
    """
    expected = {True: -0.25, False: -0.25 + math.log(0.5) / 4}
    assert AsymmetricLoss().detach_focal_weight is True
    for detach, grad in expected.items():
        logit = torch.zeros(1, 1, requires_grad=True)
        AsymmetricLoss(detach_focal_weight=detach)(logit, torch.ones(1, 1)).backward()
        assert logit.grad.item() == pytest.approx(grad, rel=1e-6)


@pytest.mark.parametrize("name", ["BinaryCrossEntropyLoss", "AsymmetricLoss"])
def test_shape_errors_name_the_loss(name):
    loss = LOSSES.build(dict(type=name))
    with pytest.raises(ValueError, match=rf"{name}.*\(B, K\)"):
        loss(LOGITS, TARGETS[:, :1])
    with pytest.raises(ValueError, match=rf"{name}: ignore"):
        loss(LOGITS, TARGETS, IGNORE[:1])


@pytest.mark.parametrize(
    "cfg",
    [
        dict(type="BinaryCrossEntropyLoss", reduction="none"),
        dict(type="AsymmetricLoss", gamma_neg=-1),
        dict(type="AsymmetricLoss", clip=1.5),
    ],
)
def test_invalid_arguments_name_the_class(cfg):
    with pytest.raises(ValueError, match=cfg["type"]):
        LOSSES.build(cfg)


def test_difficult_in_training_three_modes_by_hand():
    """One image, labels (positive, difficult, negative), logits 0: BCE log 2 per entry.

    ignore: mean over the 2 kept entries; positive / negative: the difficult label is a
    target 1 / 0 and counts (3 entries). With logits (0, 2, 0) the modes differ:
    ignore (log 2 + log 2) / 2, positive (2 log 2 + log(1 + e^-2)) / 3,
    negative (2 log 2 + log(1 + e^2)) / 3.
    """
    logits = torch.tensor([[0.0, 2.0, 0.0]])
    targets = torch.tensor([[1.0, 0.0, 0.0]])
    difficult = torch.tensor([[False, True, False]])
    expected = {
        "ignore": math.log(2),
        "positive": (2 * math.log(2) + math.log(1 + math.exp(-2))) / 3,
        "negative": (2 * math.log(2) + math.log(1 + math.exp(2))) / 3,
    }
    for mode, value in expected.items():
        y, ignore = difficult_in_training(targets, difficult, mode)
        loss = BinaryCrossEntropyLoss()(logits, y, ignore)
        assert loss.item() == pytest.approx(value, rel=1e-6), mode
    with pytest.raises(ValueError, match="mode must be one of"):
        difficult_in_training(targets, difficult, "drop")
