"""Under protocol="held_out" the reported checkpoint is the val-best one, even where the test
split would have chosen another; the result records the selection and the last epoch.
(Which checkpoints a work dir holds, and whether two hold the same weights: tests/engine.)"""

from __future__ import annotations

import json

import pytest
from mmengine.hooks import Hook

from mlrkit.registry import HOOKS

from .conftest import POOLED, TINY

TEST_MAPS: dict[int, float] = {}


@HOOKS.register_module(force=True)
class ValAgainstTestHook(Hook):
    """A val split that disagrees with test by construction: val mAP := 100 - test mAP.

    Runs before the checkpoint hook picks the best (priority HIGH < VERY_LOW), and records
    each epoch's true test mAP in ``TEST_MAPS``.
    """

    priority = "HIGH"

    def after_val_epoch(self, runner, metrics=None) -> None:
        import torch

        from mlrkit.metrics.functional import multilabel_metrics

        loader = runner.build_dataloader(runner.cfg.test_dataloader)
        model = runner.model
        model.eval()
        scores, targets = [], []
        with torch.no_grad():
            for batch in loader:
                for out in model.val_step(batch):
                    scores.append(out["scores"].float())
                    targets.append(out["gt_label"])
        test_map = multilabel_metrics(torch.stack(scores), torch.stack(targets))["mAP"]
        TEST_MAPS[runner.epoch] = test_map
        metrics["multilabel/mAP"] = 100.0 - test_map


def test_held_out_reports_the_val_best_checkpoint_not_the_test_best(tmp_path):
    from mlrkit.bench.layout import RunDir
    from mlrkit.bench.run_config import write_run_config
    from mlrkit.bench.worker import run
    from mlrkit.engine.config import load_config

    overrides = dict(
        TINY,
        **{
            "train_cfg.max_epochs": 3,
            "train_cfg.val_interval": 1,
            "default_hooks.checkpoint.max_keep_ckpts": 3,
            "custom_hooks": [{"type": "ValAgainstTestHook"}],
        },
    )
    run_dir = tmp_path / "runs" / "r"
    run_dir.mkdir(parents=True)
    spec = {
        "run": "r",
        "variant": "pooled",
        "dataset": None,
        "seed": 0,
        "fingerprint": "f",
        "attempt": 1,
        "base": str(POOLED),
        "overrides": overrides,
        "result": str(tmp_path / "results" / "r.json"),
        "threads": 0,  # leave this process's thread count alone
    }
    (run_dir / "spec.json").write_text(json.dumps(spec))
    # the resolved config, as the bench writes it beside the spec
    write_run_config(load_config(POOLED, overrides, strict=True), RunDir(run_dir).config)
    TEST_MAPS.clear()
    assert run(run_dir / "spec.json") == 0
    result = json.loads((tmp_path / "results" / "r.json").read_text())
    assert result["status"] == "ok", result.get("error")
    assert sorted(TEST_MAPS) == [1, 2, 3]

    val = {epoch: 100.0 - test for epoch, test in TEST_MAPS.items()}
    selected = max(val, key=val.get)  # the val-best epoch = the test-worst one here
    assert result["protocol"] == "held_out"
    assert result["selection"]["split"] == "val"
    assert result["selection"]["epoch"] == selected
    assert result["selection"]["val_mAP"] == pytest.approx(val[selected])
    # the figures reported are the selected checkpoint's on the test split ...
    assert result["metrics"]["mAP"] == pytest.approx(TEST_MAPS[selected], abs=1e-3)
    # ... not the test-best checkpoint's, wherever the test split would have chosen another
    if len(set(TEST_MAPS.values())) > 1:
        assert result["metrics"]["mAP"] < max(TEST_MAPS.values())
    # and the last epoch's test figures are recorded beside them
    assert result["last"]["epoch"] == 3
    assert result["last"]["metrics"]["mAP"] == pytest.approx(TEST_MAPS[3], abs=1e-3)
