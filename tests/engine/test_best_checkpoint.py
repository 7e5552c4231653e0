"""The best checkpoint is written before the previous best is removed, so a full disk while
saving it keeps the previous best (toy model, mmengine's Runner and CheckpointHook)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
import torch
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.runner import Runner

from mlrkit.engine.best_checkpoint import MMENGINE_SAVE_BEST, save_best_first
from mlrkit.engine.checkpoint import (
    CheckpointSaveError,
    allow_mmengine_checkpoints,
    load_checkpoint_file,
)

from .test_hooks import ToyData, ToyModel

BEST = "best_toy_mAP_epoch_{}.pth"


class ScriptedMetric(BaseMetric):
    """Returns the next of ``scores`` as ``toy/mAP`` at each validation."""

    default_prefix = "toy"

    def __init__(self, scores):
        super().__init__()
        self.scores = list(scores)

    def process(self, data_batch, data_samples) -> None:
        self.results.append(0)

    def compute_metrics(self, results) -> dict:
        return {"mAP": self.scores.pop(0)}


def make_runner(work_dir: Path, scores=(0.5, 0.7, 0.9)) -> Runner:
    allow_mmengine_checkpoints()
    loader = dict(
        dataset=ToyData(),
        batch_size=8,
        sampler=dict(type="DefaultSampler", shuffle=False),
        collate_fn=dict(type="default_collate"),
    )
    checkpoint = dict(interval=1, save_best="toy/mAP", rule="greater", max_keep_ckpts=2)
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        experiment_name=f"toy_{work_dir.name}",
        train_dataloader={**loader, "sampler": dict(type="DefaultSampler", shuffle=True)},
        val_dataloader=loader,
        val_cfg=dict(),
        val_evaluator=Evaluator([ScriptedMetric(scores)]),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=len(scores), val_interval=1),
        default_hooks=dict(
            checkpoint=dict(type="CheckpointHook", **checkpoint),
            logger=dict(type="LoggerHook", interval=100),
        ),
        default_scope="mlrkit",
    )


def full_disk_at(monkeypatch, name: str) -> None:
    """torch.save into a file named ``name`` (or its temporary file) fails with ENOSPC."""
    real_save = torch.save

    def save(obj, f, *args, **kwargs):
        if hasattr(f, "write") and name in getattr(f, "name", ""):
            f.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", save)


def checkpoint_hook(runner: Runner):
    return next(h for h in runner.hooks if type(h).__name__ == "CheckpointHook")


def test_the_new_best_is_written_before_the_previous_best_is_removed(tmp_path, monkeypatch):
    present_when_saved = {}
    real_save = torch.save

    def save(obj, f, *args, **kwargs):
        name = getattr(f, "name", "")
        if "best_" in name:  # which earlier best files exist while this one is written
            present_when_saved[Path(name).name] = sorted(p.name for p in tmp_path.glob("best_*"))
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", save)
    runner = make_runner(tmp_path)
    runner.train()
    assert sorted(p.name for p in tmp_path.glob("best_*.pth")) == [BEST.format(3)]
    saved_while = {Path(k).name.split(".pth")[0]: v for k, v in present_when_saved.items()}
    assert [BEST.format(2)] in saved_while.values()  # epoch 2's best still there at epoch 3
    assert checkpoint_hook(runner).best_ckpt_path == str(tmp_path / BEST.format(3))
    assert runner.message_hub.get_info("best_score") == 0.9


def test_a_best_that_is_not_better_keeps_the_previous_best(tmp_path):
    runner = make_runner(tmp_path, scores=(0.5, 0.7, 0.6))
    runner.train()
    assert sorted(p.name for p in tmp_path.glob("best_*.pth")) == [BEST.format(2)]
    assert checkpoint_hook(runner).best_ckpt_path == str(tmp_path / BEST.format(2))
    assert runner.message_hub.get_info("best_score") == 0.7


def test_a_full_disk_while_saving_a_new_best_keeps_the_previous_best(tmp_path, monkeypatch):
    full_disk_at(monkeypatch, BEST.format(3))
    runner = make_runner(tmp_path)
    with pytest.raises(CheckpointSaveError) as err:
        runner.train()
    message = str(err.value)
    assert "\n" not in message  # one line, as `mlrkit train` prints it
    assert f"could not write the new best checkpoint {tmp_path / BEST.format(3)}" in message
    assert "No space left on device" in message
    assert f"the previous best checkpoint {tmp_path / BEST.format(2)} is kept" in message
    assert "--resume" in message
    # the previous best survives, whole, and no partial file is left
    assert sorted(p.name for p in tmp_path.glob("best_*")) == [BEST.format(2)]
    assert not list(tmp_path.glob(".*.tmp"))
    assert load_checkpoint_file(tmp_path / BEST.format(2))["meta"]["epoch"] == 2
    # the hook and the message hub still name the previous best
    assert checkpoint_hook(runner).best_ckpt_path == str(tmp_path / BEST.format(2))
    assert runner.message_hub.get_info("best_ckpt") == str(tmp_path / BEST.format(2))
    assert runner.message_hub.get_info("best_score") == 0.7


def test_a_full_disk_at_the_first_best_names_the_last_good_checkpoint(tmp_path, monkeypatch):
    full_disk_at(monkeypatch, BEST.format(1))
    runner = make_runner(tmp_path)
    with pytest.raises(CheckpointSaveError, match="there was no best checkpoint yet") as err:
        runner.train()
    assert "the last good checkpoint is" in str(err.value) and "epoch_1.pth" in str(err.value)
    assert "best_score" not in runner.message_hub.runtime_info
    assert not list(tmp_path.glob("best_*")) and (tmp_path / "epoch_1.pth").is_file()


def test_mmengine_own_order_loses_the_best_on_a_full_disk(tmp_path, monkeypatch):
    """Why: mmengine's method removes the previous best before it writes the new one."""
    from mmengine.hooks import CheckpointHook

    full_disk_at(monkeypatch, BEST.format(3))
    runner = make_runner(tmp_path)  # installs save_best_first
    assert CheckpointHook._save_best_checkpoint is save_best_first
    monkeypatch.setattr(CheckpointHook, "_save_best_checkpoint", MMENGINE_SAVE_BEST)
    with pytest.raises(OSError):
        runner.train()
    assert not list(tmp_path.glob("best_*.pth"))
