"""BenchProgressHook: a run's progress as a small JSON file the bench polls."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from mmengine.hooks import Hook

from mlrkit.registry import HOOKS

__all__ = ["BenchProgressHook", "process_rank"]


def process_rank() -> int:
    """This process's global rank under torchrun or srun (0 when not distributed)."""
    for key in ("RANK", "SLURM_PROCID"):
        if key in os.environ:
            return int(os.environ[key])
    return 0


@HOOKS.register_module()
class BenchProgressHook(Hook):
    """Write ``{"phase", "epoch", "max_epochs", "iter", "max_iters"}`` to a JSON file.

    The bench polls the file to draw one bar per running run. Writes are atomic and at most
    every ``interval_s`` seconds (and at each phase change), on rank 0 only.

    Args:
        path: the progress file.
        interval_s: least time between two writes.
    """

    priority = "VERY_LOW"

    def __init__(self, path: str, interval_s: float = 0.5) -> None:
        self.path = Path(path)
        self.interval_s = interval_s
        self._last = 0.0
        self.last_validation: tuple[int, dict[str, float]] | None = None  # (epoch, metrics)

    def _write(self, force: bool, **state: Any) -> None:
        from mlrkit.engine.experiment import write_json_atomic

        now = time.monotonic()
        if process_rank() != 0 or (not force and now - self._last < self.interval_s):
            return
        self._last = now
        write_json_atomic(self.path, {**state, "time": time.time()})

    def _training(self, runner, force: bool, phase: str, done: int = 0) -> None:
        """Write the training state, ``done`` epochs and iterations past the runner's."""
        self._write(
            force,
            phase=phase,
            epoch=runner.epoch + done,
            max_epochs=runner.max_epochs,
            iter=runner.iter + done,
            max_iters=runner.max_iters,
        )

    def before_train(self, runner) -> None:
        self._training(runner, True, "train")

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._training(runner, runner.iter + 1 >= runner.max_iters, "train", done=1)

    def before_val_epoch(self, runner) -> None:
        self._training(runner, True, "val")

    def after_val_epoch(self, runner, metrics=None) -> None:
        # kept for the worker: when the test split and evaluator are the validation's and
        # the best checkpoint is the last one validated, these ARE its test figures
        self.last_validation = (runner.epoch, dict(metrics or {}))

    def before_test_epoch(self, runner) -> None:
        self._write(True, phase="test", iter=0, max_iters=len(runner.test_dataloader))

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        total = len(runner.test_dataloader)
        self._write(batch_idx + 1 >= total, phase="test", iter=batch_idx + 1, max_iters=total)
