"""Hooks on a toy model trained by mmengine's Runner (no mlrkit data or model needed)."""

import json
from importlib.metadata import version

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from mlrkit.engine.checkpoint import allow_mmengine_checkpoints
from mlrkit.engine.hooks import NonFiniteLossError


class ToyModel(BaseModel):
    def __init__(self, nan_after: int | None = None):
        super().__init__()
        self.linear = torch.nn.Linear(4, 1)
        self.nan_after = nan_after
        self.calls = 0

    def forward(self, inputs, data_samples=None, mode="tensor"):
        out = self.linear(inputs).squeeze(1)
        if mode == "loss":
            self.calls += 1
            loss = ((out - data_samples) ** 2).mean()
            if self.nan_after is not None and self.calls > self.nan_after:
                loss = loss * float("nan")
            return {"loss": loss}
        return out


class ToyData(Dataset):
    def __len__(self):
        return 16

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        return {"inputs": torch.randn(4, generator=g), "data_samples": torch.randn((), generator=g)}


def make_runner(tmp_path, model, epochs=3):
    allow_mmengine_checkpoints()
    return Runner(
        model=model,
        work_dir=str(tmp_path),
        experiment_name=f"toy{id(model)}",
        train_dataloader=dict(
            dataset=ToyData(),
            batch_size=4,
            sampler=dict(type="DefaultSampler", shuffle=True),
            collate_fn=dict(type="default_collate"),
        ),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=epochs),
        default_hooks=dict(
            checkpoint=dict(type="CheckpointHook", interval=1),
            logger=dict(type="LoggerHook", interval=1),
        ),
        custom_hooks=[dict(type="mlrkit.NaNLossHook"), dict(type="mlrkit.RunInfoHook")],
        default_scope="mlrkit",
    )


def test_nan_loss_names_iteration_and_last_good_checkpoint(tmp_path):
    runner = make_runner(tmp_path, ToyModel(nan_after=6))  # 4 iters per epoch: NaN at iter 7
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    assert "iteration 7" in message and "epoch 2" in message
    assert "epoch_1.pth" in message and "--resume" in message
    assert (tmp_path / "epoch_1.pth").is_file()  # finished work is kept


def test_nan_before_any_checkpoint(tmp_path):
    runner = make_runner(tmp_path, ToyModel(nan_after=1))
    with pytest.raises(NonFiniteLossError, match="no checkpoint was written"):
        runner.train()


def test_run_info_records_versions_and_seed(tmp_path):
    runner = make_runner(tmp_path, ToyModel(), epochs=1)
    runner.train()
    info = json.loads((tmp_path / "run_info.json").read_text())
    assert info["versions"]["torch"] == version("torch")
    assert "mmengine" in info["versions"] and info["seed"] == runner.seed
    assert "git_commit" in info


def test_run_info_names_the_backbone_weights_by_sha256(tmp_path):
    import hashlib

    from mlrkit.engine.hooks import backbone_weights

    weights = tmp_path / "resnet101.pth"
    weights.write_bytes(b"not really weights")
    cfg = dict(model=dict(backbone=dict(pretrained_file=str(weights))))
    assert backbone_weights(cfg) == {
        "file": str(weights),
        "sha256": hashlib.sha256(b"not really weights").hexdigest(),
    }
    assert backbone_weights(dict(model=dict(backbone=dict(pretrained_file=None)))) is None
    runner = make_runner(tmp_path, ToyModel(), epochs=1)
    runner.train()
    info = json.loads((tmp_path / "run_info.json").read_text())
    assert info["backbone_weights"] is None  # the toy model has no weights file
