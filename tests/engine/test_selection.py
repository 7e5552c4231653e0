"""Which checkpoints of a work dir a run reports, and whether two of them hold the same weights."""

from __future__ import annotations

import os

import pytest
import torch

from mlrkit.engine.selection import last_checkpoint, same_weights, selected_checkpoint


def test_the_newest_best_checkpoint_is_selected_else_the_last(tmp_path):
    for name in ("epoch_1.pth", "epoch_2.pth", "best_mAP_epoch_1.pth", "best_mAP_epoch_2.pth"):
        (tmp_path / name).write_bytes(b"")
    os.utime(tmp_path / "best_mAP_epoch_1.pth", (2e9, 2e9))  # written last
    (tmp_path / "last_checkpoint").write_text("epoch_2.pth")
    assert selected_checkpoint(tmp_path) == tmp_path / "best_mAP_epoch_1.pth"
    assert last_checkpoint(tmp_path) == tmp_path / "epoch_2.pth"
    for best in tmp_path.glob("best_*.pth"):
        best.unlink()
    assert selected_checkpoint(tmp_path) == tmp_path / "epoch_2.pth"


def test_a_work_dir_without_checkpoints(tmp_path):
    assert last_checkpoint(tmp_path) is None
    (tmp_path / "last_checkpoint").write_text("epoch_3.pth")  # names a file that is not there
    assert last_checkpoint(tmp_path) is None
    (tmp_path / "last_checkpoint").unlink()
    with pytest.raises(FileNotFoundError, match="holds no checkpoint; the config must keep"):
        selected_checkpoint(tmp_path)


def test_same_weights_compares_the_tensors_of_the_same_epoch(tmp_path):
    """The last epoch's best checkpoint and its epoch_N.pth are tested once (same weights);
    a checkpoint of another epoch, or one whose tensors differ, gets its own test pass."""
    state = {"w": torch.arange(6.0).reshape(2, 3), "n": torch.tensor(4)}
    ema = {"ema.w": torch.ones(2)}

    def save(name: str, weights: dict, ema_weights: dict | None = None):
        payload = {"meta": {"epoch": 2}, "state_dict": weights}
        if ema_weights is not None:
            payload["ema_state_dict"] = ema_weights
        torch.save(payload, tmp_path / name)
        return tmp_path / name

    best = save("best_multilabel_mAP_epoch_2.pth", state, ema)
    assert same_weights(best, best)
    assert same_weights(save("epoch_2.pth", {k: v.clone() for k, v in state.items()}, ema), best)
    assert not same_weights(save("epoch_3.pth", state, ema), best)  # another epoch
    changed = dict(state, w=state["w"] + 1e-6)
    assert not same_weights(save("epoch_2.pth", changed, ema), best)
    assert not same_weights(save("epoch_2.pth", state, {"ema.w": torch.zeros(2)}), best)
    assert not same_weights(save("epoch_2.pth", state), best)  # no EMA weights in one
