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

from mlrkit.checks import positive_number
from mlrkit.registry import HOOKS

__all__ = [
    "NaNLossHook",
    "RelativeCheckpointPointerHook",
    "ResumeLRHook",
    "SyncBNBuffersHook",
    "RunInfoHook",
    "NonFiniteLossError",
    "collect_versions",
    "git_commit",
]


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss."""


def _last_checkpoint(work_dir: str) -> str | None:
    from mlrkit.engine.checkpoint import resolve_last_checkpoint

    try:
        found = resolve_last_checkpoint(work_dir)
    except FileNotFoundError:
        return None
    return None if found is None else str(found)


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
            f"the last good checkpoint is {last}; resume from it with a lower learning rate: "
            f"`mlrkit train CONFIG --resume {last} --lr LR`"
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
class RelativeCheckpointPointerHook(Hook):
    """Keep a run's checkpoint paths inside its own work dir.

    mmengine's CheckpointHook writes the absolute path of the checkpoint it saved into
    ``last_checkpoint``; this hook (after it: same priority, added later) rewrites it as a name
    inside the work dir, so a moved or copied work dir resumes from its own checkpoints. On a
    resume it also points the CheckpointHook's restored "best checkpoint" (an absolute path
    kept in the checkpoint) at the file of that name in this work dir: a copied work dir would
    otherwise delete the original's best checkpoint when it finds a better one.
    """

    priority = "VERY_LOW"

    def before_train(self, runner) -> None:
        from mmengine.hooks import CheckpointHook

        work_dir = Path(runner.work_dir).resolve()

        def inside(path):
            if not isinstance(path, str) or not path:
                return path
            named = Path(path)
            try:
                named.resolve().relative_to(work_dir)
                return path
            except ValueError:
                return str(work_dir / named.name)

        for hook in runner.hooks:
            if not isinstance(hook, CheckpointHook):
                continue
            if getattr(hook, "best_ckpt_path", None):
                hook.best_ckpt_path = inside(hook.best_ckpt_path)
            for key, path in (getattr(hook, "best_ckpt_path_dict", None) or {}).items():
                hook.best_ckpt_path_dict[key] = inside(path)
        for key, value in list(runner.message_hub.runtime_info.items()):
            if key.startswith("best_ckpt"):
                runner.message_hub.update_info(key, inside(value))

    def _fix(self, runner) -> None:
        if is_main_process():
            from mlrkit.engine.checkpoint import relativize_last_checkpoint

            relativize_last_checkpoint(runner.work_dir)

    def after_train_epoch(self, runner) -> None:
        self._fix(runner)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        from mmengine.runner import EpochBasedTrainLoop

        if not isinstance(runner.train_loop, EpochBasedTrainLoop):  # iteration-based saving
            self._fix(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._fix(runner)

    def after_train(self, runner) -> None:
        self._fix(runner)


@HOOKS.register_module()
class ResumeLRHook(Hook):
    """Train (or resume) with the base learning rate ``lr`` instead of the config's.

    Runs before the first training step, after a resumed checkpoint restored the optimizer and
    the schedulers, so ``mlrkit train CONFIG --resume --lr LR`` really trains at the new rate.
    Every learning rate of the run is scaled by ``f = lr / config lr``: each parameter group's
    current, initial, maximum and minimum lr (groups keep their multipliers, e.g. a backbone at
    x0.1) and each lr scheduler's base, last and minimum values, so the schedule continues from
    where it stopped, at the new scale.

    Args:
        lr: the new base learning rate (> 0).
        config_lr: the base learning rate of the config (``optim_wrapper.optimizer.lr``).
    """

    priority = "VERY_HIGH"
    _GROUP_KEYS = ("lr", "initial_lr", "max_lr", "min_lr")
    _SCHEDULER_KEYS = ("base_values", "_last_value", "eta_min", "max_lrs")

    def __init__(self, lr: float, config_lr: float):
        positive_number("ResumeLRHook", "lr", lr)
        positive_number("ResumeLRHook", "config_lr", config_lr)
        self.factor = float(lr) / float(config_lr)
        self.lr = float(lr)

    @staticmethod
    def _scale(value, factor):
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return value * factor
        if isinstance(value, list):
            return [ResumeLRHook._scale(v, factor) for v in value]
        return value

    def before_train(self, runner) -> None:
        wrapper = runner.optim_wrapper
        wrappers = wrapper.values() if hasattr(wrapper, "values") else [wrapper]
        for optim in wrappers:
            for group in optim.optimizer.param_groups:
                for key in self._GROUP_KEYS:
                    if key in group:
                        group[key] = self._scale(group[key], self.factor)
        schedulers = runner.param_schedulers or []
        if isinstance(schedulers, dict):
            schedulers = [s for group in schedulers.values() for s in group]
        for scheduler in schedulers:
            if getattr(scheduler, "param_name", "lr") != "lr":
                continue
            for key in self._SCHEDULER_KEYS:
                if key in scheduler.__dict__:
                    scheduler.__dict__[key] = self._scale(scheduler.__dict__[key], self.factor)
        runner.logger.info(
            f"learning rate set to {self.lr:g} (x{self.factor:g} of the config's, every group "
            "and scheduler)"
        )


@HOOKS.register_module()
class RunInfoHook(Hook):
    """Write a provenance record: config, seed, package versions, git commit, command, and the
    backbone weights file with its sha256.

    ``mlrkit train`` writes ``work_dir/run_info.json``; other commands (``mlrkit test``) write
    their own file in the run's timestamped log folder (``in_log_dir=True``), so they never
    touch the training record.

    Args:
        filename: the record's file name.
        in_log_dir: write it in the runner's log folder (``work_dir/<timestamp>/``) instead of
            the work dir.
        extra: more fields for the record (e.g. the checkpoint tested).
    """

    priority = "VERY_LOW"

    def __init__(
        self, filename: str = "run_info.json", in_log_dir: bool = False, extra: dict | None = None
    ):
        self.filename = filename
        self.in_log_dir = in_log_dir
        self.extra = dict(extra or {})

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
            "torch_threads": torch.get_num_threads(),
            **self.extra,
        }
        folder = Path(runner.log_dir if self.in_log_dir else runner.work_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.filename
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
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
