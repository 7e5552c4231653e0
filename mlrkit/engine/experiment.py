"""From a config to a trained, evaluated model: the glue around mmengine's Runner.

``prepare_config`` does the steps of docs/architecture.md that come before the Runner:

0. apply the schedule file's ``recipe`` (loss, train augmentations, EMA, mixed precision;
   :mod:`mlrkit.engine.recipe`) and the ``protocol`` (:mod:`mlrkit.engine.protocol`: which
   split selects the checkpoint; a val split sharing images with train is refused);
1. build every configured dataset once, so a missing data path fails before training starts;
2. compute the label statistics from the train targets (cached as JSON in the work dir);
3. hand the class names, K and the statistics file to the model config (the config stays
   plain data: :func:`mlrkit.models.build.build_model` makes the
   :class:`~mlrkit.graph.LabelGraph` from it, once, then the model);
4. add the hooks every run has (NaN guard, BN buffer sync, run provenance), the CPU-safe DDP
   wrapper, and the launcher / AMP settings.

``train`` and ``test`` then build mmengine's Runner (:func:`build_runner`) and run it.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from mmengine.config import Config, ConfigDict

from mlrkit.engine.checkpoint import (
    allow_mmengine_checkpoints,
    check_state_dict,
    checkpoint_state,
    resolve_last_checkpoint,
)
from mlrkit.engine.config import to_plain
from mlrkit.engine.distributed import default_backend, init_distributed
from mlrkit.engine.protocol import apply_protocol, check_disjoint
from mlrkit.engine.recipe import apply_recipe, configure_mixed_precision

__all__ = [
    "prepare_config",
    "build_runner",
    "train",
    "test",
    "write_json_atomic",
    "check_output_file",
    "check_work_dir",
]

ALWAYS_HOOKS = (
    "NaNLossHook",
    "SyncBNBuffersHook",
    "RunInfoHook",
    "ProgressBarHook",
    "TrainingPlotsHook",
    "RelativeCheckpointPointerHook",
    "ValHistoryHook",
)


def write_json_atomic(path: str | Path, payload: Any) -> Path:
    """Write JSON to ``path`` through a temporary file and a rename (never half-written)."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name, e.g. {path / 'out.json'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(payload, indent=2, default=str))
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no stray temporary file, whatever went wrong
        raise
    return path


def check_output_file(path: str | Path, what: str) -> Path:
    """Refuse an output file path that cannot be written, before any work is done.

    Raises:
        IsADirectoryError: ``path`` is a folder.
        NotADirectoryError: a parent of ``path`` is a file.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(
            f"{what} {path} is a folder; give a file name, e.g. {what} {path / 'metrics.json'}"
        )
    _no_file_above(path, what)
    return path


def _no_file_above(path: Path, what: str) -> None:
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise NotADirectoryError(
                    f"{what} {path} is under {parent}, which is a file, not a folder"
                )
            return


def check_work_dir(path: str | Path, what: str = "work dir") -> Path:
    """Create the work dir, or say in one line why it cannot be one (file, under a file, ...).

    Raises:
        NotADirectoryError: ``path`` or one of its parents is a file.
        PermissionError: the folder cannot be created or written.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{what} {path} is a file, not a folder; choose another path")
    _no_file_above(path, what)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PermissionError(
            f"{what} {path} cannot be created ({err.strerror}); choose a writable path"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise PermissionError(f"{what} {path} is not writable; choose a writable path")
    return path


def _check_one_cycle(cfg: Config, num_samples: int) -> None:
    """Refuse a schedule on which a ``OneCycleLR`` would divide by zero.

    With ``pct_start`` p and T steps, the cycle's warm-up ends at step ``p*T - 1`` (and, with
    ``three_phase``, the second phase at ``2*p*T - 2``), the cycle at ``T - 1``; mmengine
    divides by each phase's length, so a phase of length 0 (e.g. p = 0.25 and T = 4) raises
    ``ZeroDivisionError`` mid-training. Named here, before anything runs.
    """
    loader = cfg.get("train_dataloader") or {}
    train_loop = cfg.get("train_cfg") or {}
    batch = int(loader.get("batch_size") or 1)
    iters = num_samples // batch if loader.get("drop_last") else -(-num_samples // batch)
    schedulers = cfg.get("param_scheduler") or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for i, sched in enumerate(schedulers):
        if _type_name(sched) not in ("OneCycleLR", "OneCycleParamScheduler"):
            continue
        by_epoch = sched.get("by_epoch", True)
        length = train_loop.get("max_epochs") if by_epoch else train_loop.get("max_iters")
        end = sched.get("end", length)
        if not isinstance(end, int) or isinstance(end, bool):
            continue  # an unbounded or unusual schedule: mmengine's own checks apply
        steps = sched.get("total_steps") or (end - int(sched.get("begin", 0)))
        if by_epoch and sched.get("convert_to_iter_based"):
            steps *= iters
        p = float(sched.get("pct_start", 0.3))
        if not 0 < p < 1:
            continue  # mmengine refuses it with its own message
        ends = [p * steps - 1, 2 * p * steps - 2] if sched.get("three_phase") else [p * steps - 1]
        ends.append(steps - 1)
        starts = [0.0, *ends[:-1]]
        if all(e != s for s, e in zip(starts, ends)):
            continue
        unit = f"iteration(s) ({end} epoch(s) x {iters})" if by_epoch else "iteration(s)"
        raise ValueError(
            f"param_scheduler[{i}] (OneCycleLR, pct_start={p}) cannot run {steps} {unit}: "
            "a phase of the cycle would last 0 steps (mmengine divides by it); train longer "
            "(train_cfg.max_epochs), change the data or batch size, or pct_start"
        )


def _type_name(cfg: Any) -> str | None:
    kind = cfg.get("type") if isinstance(cfg, (dict, ConfigDict)) else None
    return kind if isinstance(kind, str) or kind is None else getattr(kind, "__name__", None)


def _build_dataset(cfg: Any, role: str):
    from mlrkit.registry import DATASETS

    try:
        return DATASETS.build(cfg)
    except FileNotFoundError as err:
        raise FileNotFoundError(f"{role} dataset: {err}") from err


def _dataset_cfg(cfg: Config, loader: str) -> Any:
    node = cfg.get(loader)
    if not node:
        return None
    return node.get("dataset")


def prepare_config(
    cfg: Config, work_dir: str | None = None, launcher: str = "none", amp: bool = False
) -> Config:
    """Fill in what the Runner needs from the data (see module docstring). In place."""
    from mlrkit.graph import label_statistics_for

    cfg.default_scope = "mlrkit"
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif not cfg.get("work_dir"):
        stem = Path(cfg.filename).stem if cfg.filename else "run"
        cfg.work_dir = str(Path("work_dirs") / stem)
    check_work_dir(cfg.work_dir)

    # 0. the schedule file's recipe (loss, train augmentations, EMA hook, mixed precision) and
    # the protocol (which split selects the checkpoint)
    apply_recipe(cfg)
    protocol = apply_protocol(cfg)

    # 1. every dataset is built once here: a missing path fails before any training
    train_cfg = _dataset_cfg(cfg, "train_dataloader")
    if train_cfg is None:
        raise ValueError(
            "the config has no train_dataloader.dataset; mlrkit derives the label "
            "graph from the train split, so every config needs one"
        )
    train_set = _build_dataset(train_cfg, "train")
    classes = tuple(train_set.classes)
    _check_one_cycle(cfg, len(train_set))
    for loader in ("val_dataloader", "test_dataloader"):
        ds_cfg = _dataset_cfg(cfg, loader)
        if ds_cfg is None:
            continue
        other = _build_dataset(ds_cfg, loader.split("_")[0])
        if loader == "val_dataloader":  # selecting on images the model trained on is refused
            check_disjoint(train_set, other, "train", "val" if protocol == "held_out" else "test")
        if tuple(other.classes) != classes:
            raise ValueError(
                f"{loader}.dataset has {len(other.classes)} classes {list(other.classes)[:5]}... "
                f"but the train dataset has {len(classes)} {list(classes)[:5]}...: they must "
                "be the same labels in the same order"
            )

    # 2-3. label statistics from the train targets, cached in the work dir
    model = cfg.model
    stats_given = model.get("label_statistics")
    if stats_given is None:
        # computed once and cached as JSON at cache_dir/label_stats/<cache key>.json
        label_statistics_for(train_set, cache_dir=cfg.work_dir)
        model.label_statistics = str(
            Path(cfg.work_dir) / "label_stats" / f"{train_set.cache_key()}.json"
        )
    k_cfg = model.get("num_classes")
    if k_cfg is not None and int(k_cfg) != len(classes):
        raise ValueError(
            f"model.num_classes is {k_cfg} but the train dataset has "
            f"{len(classes)} classes; drop num_classes from the config or fix it"
        )
    model.num_classes = len(classes)
    model.classes = list(classes)

    # 4. hooks every run has, DDP wrapper, AMP
    hooks = list(cfg.get("custom_hooks") or [])
    present = {_type_name(h) for h in hooks}
    hooks += [dict(type=name) for name in ALWAYS_HOOKS if name not in present]
    cfg.custom_hooks = hooks
    if not cfg.get("model_wrapper_cfg"):
        # scoped name: mmengine looks the wrapper up in its root registry
        cfg.model_wrapper_cfg = dict(
            type="mlrkit.DistributedModelWrapper",
            broadcast_buffers=False,
            find_unused_parameters=cfg.get("find_unused_parameters", False),
        )
    env = cfg.get("env_cfg") or ConfigDict()
    env.setdefault("dist_cfg", ConfigDict())
    env.dist_cfg.setdefault("backend", default_backend())
    cfg.env_cfg = env
    if amp:  # --amp: float16 AMP on a GPU, bfloat16 autocast on a CPU
        import torch

        configure_mixed_precision(cfg, "float16" if torch.cuda.is_available() else "bfloat16")
    if not cfg.get("mixed_precision"):
        cfg.mixed_precision = "float32"
    if cfg.get("tensorboard"):
        use_tensorboard(cfg)
    return cfg


def use_tensorboard(cfg: Config) -> None:
    """Add mmengine's TensorBoard backend (``tensorboard = True`` in a config, or ``mlrkit train
    --tensorboard``): scalars under ``<work_dir>/<timestamp>/vis_data``, beside the local logs.

    Raises:
        ValueError: tensorboard is not installed (it is the optional extra ``tensorboard``).
    """
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise ValueError(
            "tensorboard logging needs the tensorboard package: pip install 'mlrkit[tensorboard]'"
        ) from None
    visualizer = cfg.get("visualizer") or ConfigDict(type="mmengine.Visualizer")
    backends = list(visualizer.get("vis_backends") or [dict(type="mmengine.LocalVisBackend")])
    if not any("Tensorboard" in str(_type_name(b)) for b in backends):
        backends.append(dict(type="mmengine.TensorboardVisBackend"))
    visualizer["vis_backends"] = backends
    cfg.visualizer = visualizer


_runners_built: dict[str, int] = {}
_PRETTY_TEXT: dict[tuple[bool, str], str] = {}


class _TextOnce(Config):
    """A Config whose ``pretty_text`` is formatted once per content.

    mmengine formats the whole config with yapf (about 0.2 s) each time a Runner logs it,
    dumps it, records it in the message hub or saves a checkpoint: a dozen times in a short
    run. The text depends on the config's content alone, so it is kept by that content
    (``repr`` of the config dict) and is the same text mmengine makes.
    """

    @property
    def pretty_text(self) -> str:
        key = (self._format_python_code, repr(self._cfg_dict))
        if key not in _PRETTY_TEXT:
            if len(_PRETTY_TEXT) >= 16:
                _PRETTY_TEXT.clear()
            _PRETTY_TEXT[key] = Config.pretty_text.fget(self)
        return _PRETTY_TEXT[key]


@functools.cache
def _runner_class() -> type:
    """mmengine's Runner, building the model with :func:`mlrkit.models.build.build_model`.

    The model is built where mmengine builds it (after the Runner seeds the random number
    generators, so the initial weights do not change) from the config, which stays plain data.
    """
    from mmengine.runner import Runner

    from mlrkit.models import build

    class MLRRunner(Runner):
        def build_model(self, model: Any) -> Any:
            if isinstance(model, dict):
                return build.build_model(model)
            return super().build_model(model)

    return MLRRunner


def build_runner(cfg: Config):
    """mmengine's Runner from the config (``Runner.from_cfg``; the model by
    :func:`mlrkit.models.build.build_model`), after the process group is up (gloo on CPU,
    NCCL on GPU).

    mmengine names a Runner ``<config stem>_<timestamp in seconds>`` and keys its logger and
    default scope by that name, so a second Runner of the same config built in the same second
    of one process (a notebook, a test) would log into the first one's file. The n-th Runner of
    a config in a process is therefore named ``<stem>-<n>_<timestamp>`` (the first keeps the
    plain name).
    """
    allow_mmengine_checkpoints()
    init_distributed(cfg.get("launcher", "none"), cfg.env_cfg.dist_cfg.get("backend"))
    if cfg.get("experiment_name") is None and cfg.filename:
        stem = Path(cfg.filename).stem
        count = _runners_built[stem] = _runners_built.get(stem, 0) + 1
        if count > 1:
            cfg.experiment_name = f"{stem}-{count}"
    runner_cfg = _TextOnce.__new__(_TextOnce)  # the same config (shared), text made once
    runner_cfg.__dict__.update(cfg.__dict__)
    return _runner_class().from_cfg(runner_cfg)


def _config_lr(cfg: Config) -> float:
    optim = cfg.get("optim_wrapper") or {}
    optimizer = optim.get("optimizer") or {}
    lr = optimizer.get("lr")
    if lr is None:
        raise ValueError(
            "--lr: the config's optim_wrapper.optimizer has no lr to scale from; set "
            "optim_wrapper.optimizer.lr"
        )
    return float(lr)


def train(
    cfg: Config,
    work_dir: str | None = None,
    resume: bool | str = False,
    amp: bool = False,
    launcher: str = "none",
    tensorboard: bool = False,
    resume_or_start: bool = False,
    lr: float | None = None,
):
    """Train from a loaded config.

    Args:
        cfg: the config.
        work_dir: where logs and checkpoints go (default: the config's or
            ``work_dirs/<config name>``).
        resume: False, True (the latest checkpoint of the work dir, which must exist) or a
            checkpoint path.
        amp: mixed precision.
        launcher: ``none``, ``pytorch`` or ``slurm``.
        tensorboard: log to TensorBoard too (as the config key ``tensorboard = True``).
        resume_or_start: resume from the work dir's latest checkpoint if there is one, else
            train from scratch (what a job that may be restarted wants).
        lr: a new base learning rate; with ``resume`` it replaces the restored optimizer's
            and schedulers' rates (:class:`~mlrkit.engine.hooks.ResumeLRHook`).

    Raises:
        FileNotFoundError: ``resume`` and nothing to resume from.
    """
    if lr is not None and (isinstance(lr, bool) or not float(lr) > 0):
        raise ValueError(f"--lr must be a positive number, got {lr!r}")
    if tensorboard:
        cfg.tensorboard = True
    prepare_config(cfg, work_dir=work_dir, launcher=launcher, amp=amp)
    if resume_or_start and resume is False:
        resume = resolve_last_checkpoint(cfg.work_dir) is not None
    if resume:
        cfg.resume = True
        if isinstance(resume, str):
            if not Path(resume).is_file():
                raise FileNotFoundError(f"--resume {resume}: no such checkpoint")
            cfg.load_from = resume
        else:
            latest = resolve_last_checkpoint(cfg.work_dir)
            if latest is None:
                raise FileNotFoundError(
                    f"--resume: nothing to resume in {cfg.work_dir} (no checkpoint was written "
                    "there; is --work-dir right?). Pass a checkpoint (--resume CKPT), or use "
                    "--resume-or-start to train from scratch when there is none"
                )
            cfg.load_from = str(latest)
    if lr is not None:
        hooks = list(cfg.get("custom_hooks") or [])
        hooks.append(dict(type="ResumeLRHook", lr=float(lr), config_lr=_config_lr(cfg)))
        cfg.custom_hooks = hooks
    runner = build_runner(cfg)
    runner.train()
    return runner


def _model_of(runner):
    return getattr(runner.model, "module", runner.model)


def test(
    cfg: Config,
    checkpoint: str,
    out: str | None = None,
    work_dir: str | None = None,
    launcher: str = "none",
) -> dict[str, Any]:
    """Evaluate ``checkpoint`` on the config's test split (val split if no test split).

    The checkpoint must fit the config's model exactly (the same keys and shapes, e.g. the
    same number of classes); its provenance record goes to ``<work dir>/<timestamp>/
    test_info.json``, never over the training run's ``run_info.json``.

    Raises:
        FileNotFoundError: the checkpoint does not exist.
        ValueError: the checkpoint does not fit the model (missing, unexpected or mismatched
            keys are listed) or cannot be loaded safely.
    """
    if not Path(checkpoint).is_file():
        raise FileNotFoundError(f"checkpoint {checkpoint} does not exist")
    state, _ = checkpoint_state(checkpoint)  # weights_only=True; fails before any building
    if not cfg.get("test_dataloader"):
        if not cfg.get("val_dataloader"):
            raise ValueError("the config has neither test_dataloader nor val_dataloader")
        cfg.test_dataloader = cfg.val_dataloader
        cfg.test_evaluator = cfg.val_evaluator
        cfg.test_cfg = cfg.get("test_cfg") or dict()
    hooks = [h for h in (cfg.get("custom_hooks") or []) if _type_name(h) != "RunInfoHook"]
    hooks.append(
        dict(
            type="RunInfoHook",
            filename="test_info.json",
            in_log_dir=True,
            extra={"command": "test", "checkpoint": str(Path(checkpoint).resolve())},
        )
    )
    cfg.custom_hooks = hooks
    prepare_config(cfg, work_dir=work_dir, launcher=launcher)
    cfg.load_from = checkpoint
    cfg.resume = False
    runner = build_runner(cfg)
    check_state_dict(_model_of(runner), state, str(checkpoint), cfg.filename or "<config>")
    del state
    metrics = runner.test()
    metrics = {k: float(v) for k, v in metrics.items()}
    if out is not None and runner.rank == 0:
        write_json_atomic(
            out,
            {
                "checkpoint": str(checkpoint),
                "config": cfg.filename,
                "metrics": metrics,
                "test_dataset": to_plain(cfg.test_dataloader.dataset),
            },
        )
    return metrics
