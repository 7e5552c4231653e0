"""Runner hooks: NaN-loss guard, BN buffer sync, run provenance, and a progress bar."""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from mmengine.dist import get_world_size, is_main_process
from mmengine.hooks import Hook

from mlrkit.registry import HOOKS

__all__ = [
    "NaNLossHook",
    "SyncBNBuffersHook",
    "RunInfoHook",
    "NonFiniteLossError",
    "collect_versions",
    "git_commit",
]


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss."""


def _last_checkpoint(work_dir: str) -> str | None:
    pointer = Path(work_dir) / "last_checkpoint"
    if pointer.is_file():
        path = pointer.read_text().strip()
        return path or None
    return None


@HOOKS.register_module()
class NaNLossHook(Hook):
    """Stop training at the first non-finite loss, naming the iteration and the last checkpoint.

    Finished work is kept: checkpoints already written stay in the work dir and the message
    says how to resume from the last good one (e.g. with a lower learning rate).

    Args:
        interval: check every ``interval`` iterations (1 = every iteration).
    """

    priority = "VERY_HIGH"

    def __init__(self, interval: int = 1):
        self.interval = interval

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if outputs is None or (runner.iter + 1) % self.interval:
            return
        loss = outputs.get("loss")
        if loss is None:
            return
        value = float(loss.detach()) if torch.is_tensor(loss) else float(loss)
        if math.isfinite(value):
            return
        last = _last_checkpoint(runner.work_dir)
        where = (
            f"the last good checkpoint is {last}; resume from it with "
            f"`mlrkit train CONFIG --resume {last}` (e.g. with a lower learning rate)"
            if last
            else "no checkpoint was written before it"
        )
        raise NonFiniteLossError(
            f"loss is {value} at iteration {runner.iter + 1} (epoch {runner.epoch + 1}, batch "
            f"{batch_idx + 1}); training stopped: {where}."
        )


@HOOKS.register_module()
class SyncBNBuffersHook(Hook):
    """Average BatchNorm running statistics over all ranks after each train epoch.

    DDP keeps parameters identical but not BN buffers (``broadcast_buffers=False``): without
    this, validation and the saved checkpoint (rank 0's buffers) would disagree. Runs before
    validation and before the checkpoint hook (priority ABOVE_NORMAL).
    """

    priority = "ABOVE_NORMAL"

    def _sync(self, runner) -> None:
        if get_world_size() < 2:
            return
        world = get_world_size()
        for module in runner.model.modules():
            if (
                isinstance(module, torch.nn.modules.batchnorm._BatchNorm)
                and module.track_running_stats
            ):
                for buf in (module.running_mean, module.running_var):
                    if buf is not None:
                        dist.all_reduce(buf, op=dist.ReduceOp.SUM)
                        buf.div_(world)

    def __init__(self) -> None:
        self._synced_in_train = False

    def after_train_epoch(self, runner) -> None:
        self._sync(runner)
        self._synced_in_train = True

    def before_val_epoch(self, runner) -> None:
        # iteration-based loops validate without an epoch end: sync here then
        if not self._synced_in_train:
            self._sync(runner)
        self._synced_in_train = False


def git_commit(path: str | Path = ".") -> str | None:
    """The commit of the git checkout at ``path`` (with ``-dirty``), or None outside git."""
    try:
        here = Path(path).resolve()
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def collect_versions() -> dict[str, str]:
    """Versions of Python, the platform and the packages a result depends on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in (
        "mlrkit",
        "torch",
        "torchvision",
        "timm",
        "torch-geometric",
        "mmengine",
        "numpy",
        "pycocotools",
    ):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    out["cuda"] = torch.version.cuda or "none"
    return out


def backbone_weights(cfg: Any) -> dict[str, Any] | None:
    """The backbone's ImageNet weights file of a config and its sha256, or None without one.

    Which weights a table was measured with decides whether it compares with the papers'
    (torchvision's ResNet-101, timm ``resnet101.tv_in1k``); the hash names the file exactly.
    """
    model = cfg.get("model") if hasattr(cfg, "get") else None
    backbone = model.get("backbone") if hasattr(model, "get") else None
    path = backbone.get("pretrained_file") if hasattr(backbone, "get") else None
    if not path:
        return None
    path = Path(path).expanduser()
    if not path.is_file():
        return {"file": str(path), "sha256": None}
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return {"file": str(path), "sha256": digest.hexdigest()}


@HOOKS.register_module()
class RunInfoHook(Hook):
    """Write ``run_info.json`` in the work dir: config, seed, package versions, git commit,
    and the backbone weights file with its sha256."""

    priority = "VERY_LOW"

    def before_run(self, runner) -> None:
        if not is_main_process():
            return
        import mlrkit

        info = {
            "config": runner.cfg.filename if hasattr(runner.cfg, "filename") else None,
            "experiment": runner.experiment_name,
            "seed": runner.seed,
            "deterministic": bool(runner._randomness_cfg.get("deterministic", False))
            if hasattr(runner, "_randomness_cfg")
            else None,
            "world_size": get_world_size(),
            "versions": collect_versions(),
            "git_commit": git_commit(Path(mlrkit.__file__).parent),
            "backbone_weights": backbone_weights(runner.cfg),
            "argv": sys.argv,
            "cwd": os.getcwd(),
        }
        path = Path(runner.work_dir) / "run_info.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(info, indent=2, default=str))
        tmp.replace(path)


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """A rich progress bar per training epoch and per evaluation, on the main process.

    Shown only when stderr is a terminal (logs in the work dir are unaffected), so CI logs and
    bench sub-processes stay plain.
    """

    priority = "LOW"

    def __init__(self, force: bool = False):
        self.force = force
        self._progress = None
        self._task = None

    def _enabled(self) -> bool:
        return is_main_process() and (self.force or sys.stderr.isatty())

    def _start(self, description: str, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._stop()
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(description, total=total)

    def _advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def before_train_epoch(self, runner) -> None:
        if self._enabled():
            total = len(runner.train_dataloader)
            self._start(f"epoch {runner.epoch + 1}/{runner.max_epochs}", total)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._advance()

    def after_train_epoch(self, runner) -> None:
        self._stop()

    def before_val_epoch(self, runner) -> None:
        if self._enabled():
            self._start("validation", len(runner.val_dataloader))

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._advance()

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._stop()

    def before_test_epoch(self, runner) -> None:
        if self._enabled():
            self._start("test", len(runner.test_dataloader))

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._advance()

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._stop()

    def after_run(self, runner) -> None:
        self._stop()
