"""curves.png / per_class_ap.png of every training run, and the TensorBoard switch."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from PIL import Image

from mlrkit.engine.experiment import use_tensorboard
from mlrkit.engine.training_plots import TrainingPlotsHook


class FakeRunner(SimpleNamespace):
    pass


def _runner(tmp_path, lr):
    optim = SimpleNamespace(get_lr=lambda: {"lr": [lr]})
    return FakeRunner(work_dir=str(tmp_path), epoch=0, optim_wrapper=optim)


def _train_epoch(hook, runner, losses, lr):
    runner.optim_wrapper = SimpleNamespace(get_lr=lambda: {"lr": [lr]})
    hook.before_train_epoch(runner)
    for i, loss in enumerate(losses):
        hook.after_train_iter(runner, i, outputs={"loss": torch.tensor(loss)})
    hook.after_train_epoch(runner)
    runner.epoch += 1


def test_the_hook_records_each_epoch_and_draws_both_pictures(tmp_path):
    hook, runner = TrainingPlotsHook(), _runner(tmp_path, 0.1)
    hook.before_train(runner)
    _train_epoch(hook, runner, [1.0, 3.0], lr=0.1)
    hook.after_val_epoch(
        runner, {"multilabel/mAP": 40.0, "multilabel/AP/cat": 30.0, "multilabel/AP/dog": 50.0}
    )
    _train_epoch(hook, runner, [1.0, float("nan"), 0.5], lr=0.01)  # a NaN is not averaged in
    hook.after_val_epoch(
        runner, {"multilabel/mAP": 60.0, "multilabel/AP/cat": 70.0, "multilabel/AP/dog": 50.0}
    )
    hook.after_train(runner)
    data = json.loads((tmp_path / "curves.json").read_text())
    assert data["epochs"] == [
        {"epoch": 1, "loss": 2.0, "lr": 0.1, "mAP": 40.0},
        {"epoch": 2, "loss": 0.75, "lr": 0.01, "mAP": 60.0},
    ]
    assert data["per_class_ap"] == {"cat": 70.0, "dog": 50.0}
    for name in ("curves.png", "per_class_ap.png"):
        with Image.open(tmp_path / name) as png:
            assert png.size[0] > 300 and png.size[1] > 100

    # a resumed run keeps the history up to the epoch it resumes from
    resumed, runner = TrainingPlotsHook(), _runner(tmp_path, 0.1)
    runner.epoch = 1
    resumed.before_train(runner)
    assert [e["epoch"] for e in resumed.epochs] == [1]


def test_tensorboard_adds_mmengines_backend_or_says_what_to_install(monkeypatch):
    cfg = Config(dict(tensorboard=True))
    pytest.importorskip("tensorboard")
    use_tensorboard(cfg)
    backends = [b["type"] for b in cfg.visualizer["vis_backends"]]
    assert backends == ["mmengine.LocalVisBackend", "mmengine.TensorboardVisBackend"]
    use_tensorboard(cfg)  # idempotent
    assert len(cfg.visualizer["vis_backends"]) == 2
    monkeypatch.setitem(__import__("sys").modules, "tensorboard", None)
    with pytest.raises(ValueError, match=r"mlrkit\[tensorboard\]"):
        use_tensorboard(Config(dict(tensorboard=True)))


def test_nothing_new_is_not_drawn_again(tmp_path, monkeypatch):
    """after_train right after the last validation has nothing new: the pictures are drawn
    once; a training epoch without validation after it is drawn at the end."""
    import mlrkit.engine.training_plots as plots

    drawn = []
    monkeypatch.setattr(plots, "plot_curves", lambda epochs, path: drawn.append(len(epochs)))
    monkeypatch.setattr(plots, "plot_per_class_ap", lambda *args: None)
    (tmp_path / "curves.png").write_bytes(b"")
    hook, runner = TrainingPlotsHook(), _runner(tmp_path, 0.1)
    hook.before_train(runner)
    _train_epoch(hook, runner, [1.0], lr=0.1)
    hook.after_val_epoch(runner, {"multilabel/mAP": 40.0})
    hook.after_train(runner)
    assert drawn == [1]
    _train_epoch(hook, runner, [0.5], lr=0.1)  # not validated
    hook.after_train(runner)
    assert drawn == [1, 2]
    assert json.loads((tmp_path / "curves.json").read_text())["epochs"][-1]["loss"] == 0.5


def test_a_runner_formats_its_config_text_once_per_content(tmp_path, monkeypatch):
    """mmengine asks for the config's text at every log, dump and checkpoint; the Runner's
    config makes it once per content, the same text as mmengine's."""
    from mlrkit.engine import experiment

    calls = []
    original = Config.pretty_text

    def counted(self):
        calls.append(1)
        return original.fget(self)

    cfg = Config(dict(model=dict(type="X", depth=3), work_dir=str(tmp_path)))
    expected = cfg.pretty_text
    monkeypatch.setattr(Config, "pretty_text", property(counted))
    experiment._PRETTY_TEXT.clear()
    once = experiment._TextOnce.__new__(experiment._TextOnce)
    once.__dict__.update(cfg.__dict__)
    copied = copy.deepcopy(once)  # what a Runner holds
    assert isinstance(copied, experiment._TextOnce)
    assert [copied.pretty_text for _ in range(5)] == [expected] * 5
    assert len(calls) == 1
    copied.model.depth = 4  # another content: formatted anew
    assert "depth=4" in copied.pretty_text and len(calls) == 2
