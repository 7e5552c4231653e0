"""The modern recipe: inheriting one schedule file switches on loss, augmentations, EMA, AMP."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from mlrkit.engine.config import load_config
from mlrkit.engine.experiment import prepare_config
from mlrkit.engine.recipe import (
    apply_recipe,
    configure_mixed_precision,
    cpu_has_native_bfloat16,
    resolve_mixed_precision,
)

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
TINY = {
    "train_dataloader.dataset.num_samples": 96,
    "val_dataloader.dataset.num_samples": 48,
    "test_dataloader.dataset.num_samples": 48,
    "train_dataloader.dataset.image_size": 32,
    "val_dataloader.dataset.image_size": 32,
    "test_dataloader.dataset.image_size": 32,
    "model.backbone.out_index": 1,
    "train_cfg.max_epochs": 1,
    "default_hooks.logger.interval": 1,
}


@pytest.mark.parametrize("schedule", ["modern_builtin.py", "modern_full.py"])
def test_schedule_files_declare_the_whole_recipe(schedule):
    cfg = Config.fromfile(str(CONFIGS / "_base_" / "schedules" / schedule))
    assert cfg.optim_wrapper.optimizer.type.__name__ == "AdamW"
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0.0
    assert cfg.optim_wrapper.paramwise_cfg.bias_decay_mult == 0.0
    assert cfg.param_scheduler[0].type.__name__ == "OneCycleLR"
    assert cfg.recipe.name == "modern"
    assert cfg.recipe.loss.type.__name__ == "AsymmetricLoss"
    assert 0 < cfg.recipe.ema.momentum < 0.5
    assert cfg.recipe.mixed_precision == "auto"
    # the augmentations are torchvision's own classes, not re-implementations
    modules = {step.type.__module__ for step in cfg.recipe.train_augment}
    assert all(m.startswith("torchvision.transforms.v2") for m in modules), modules
    names = [step.type.__name__ for step in cfg.recipe.train_augment]
    assert names == ["RandAugment", "RandomErasing"]


def test_inheriting_the_schedule_switches_the_recipe_on(tmp_path):
    from torchvision.transforms import v2

    from mlrkit.registry import DATASETS

    cfg = prepare_config(
        load_config(CONFIGS / "synthetic" / "deeplift_agcn_modern.py", TINY), str(tmp_path)
    )
    assert cfg.model.loss.type.__name__ == "AsymmetricLoss"
    assert [h["type"] for h in cfg.custom_hooks].count("EMAHook") == 1
    assert cfg.mixed_precision == ("bfloat16" if cpu_has_native_bfloat16() else "float32")
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert isinstance(dataset.pipeline[-2], v2.RandAugment)
    assert isinstance(dataset.pipeline[-1], v2.RandomErasing)
    sample = dataset[0]["inputs"]
    assert sample.dtype == torch.uint8 and sample.shape == (3, 32, 32)
    # applying twice changes nothing (train and test both prepare the config)
    before = len(cfg.train_dataloader.dataset.pipeline)
    apply_recipe(cfg)
    assert len(cfg.train_dataloader.dataset.pipeline) == before
    # the paper-recipe sibling has none of it
    plain = prepare_config(load_config(CONFIGS / "synthetic" / "deeplift_agcn.py", TINY))
    assert "recipe" not in plain and plain.mixed_precision == "float32"
    assert not (plain.train_dataloader.dataset.get("pipeline") or [])


def test_mixed_precision_resolution():
    assert resolve_mixed_precision(None, cuda=False) == "float32"
    assert resolve_mixed_precision("float32", cuda=True) == "float32"
    expected = "bfloat16" if cpu_has_native_bfloat16() else "float32"
    assert resolve_mixed_precision("auto", cuda=False) == expected
    assert resolve_mixed_precision("bfloat16", cuda=False) == "bfloat16"
    with pytest.raises(ValueError, match="float16.*needs a GPU"):
        resolve_mixed_precision("float16", cuda=False)
    with pytest.raises(ValueError, match="mixed_precision must be one of"):
        resolve_mixed_precision("half", cuda=False)
    cfg = Config(dict(optim_wrapper=dict(type="OptimWrapper")))
    configure_mixed_precision(cfg, "float16", cuda=True)
    assert cfg.optim_wrapper.type == "AmpOptimWrapper" and cfg.optim_wrapper.dtype == "float16"


def test_unknown_recipe_key_is_refused():
    cfg = Config(dict(recipe=dict(name="x", lr=0.1)))
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['lr'\]"):
        apply_recipe(cfg)


def test_ema_weights_are_validated_and_saved_and_bf16_autocast_trains_on_cpu(tmp_path):
    """One tiny epoch under the modern recipe, bfloat16 autocast forced (any CPU runs it)."""
    from mlrkit.engine.experiment import train
    from mlrkit.metrics.functional import multilabel_metrics

    options = dict(TINY, **{"recipe.mixed_precision": "bfloat16"})
    cfg = load_config(CONFIGS / "synthetic" / "pooled_modern.py", options)
    runner = train(cfg, work_dir=str(tmp_path))
    assert type(runner.optim_wrapper).__name__ == "CPUAutocastOptimWrapper"
    assert runner.optim_wrapper.cast_dtype == torch.bfloat16
    ema_hook = next(h for h in runner.hooks if type(h).__name__ == "EMAHook")
    ema = {k: v.clone() for k, v in ema_hook.ema_model.module.state_dict().items()}
    raw = runner.model.state_dict()
    assert any(not torch.equal(ema[k], raw[k]) for k in raw if raw[k].is_floating_point())

    # the saved weights are the EMA ones
    saved = torch.load(tmp_path / "epoch_1.pth", map_location="cpu", weights_only=True)
    for key, value in ema.items():
        assert torch.equal(saved["state_dict"][key], value), key

    # the validation figure the checkpoint was selected on is the EMA model's
    logged = runner.message_hub.get_scalar("val/multilabel/mAP").current()
    model = runner.model
    model.load_state_dict(ema)
    model.eval()
    scores, targets = [], []
    with torch.no_grad():
        for batch in runner.val_dataloader:
            for out in model.val_step(batch):
                scores.append(out["scores"].float())
                targets.append(out["gt_label"])
    ema_map = multilabel_metrics(torch.stack(scores).numpy(), torch.stack(targets).numpy())["mAP"]
    assert ema_map == pytest.approx(logged, abs=1e-3)
