"""One bench run in its own process: ``python -m mlrkit.bench.worker RUN_DIR/spec.json``.

The worker loads the run's resolved config, which the bench wrote beside the spec
(``config.py``: base + overrides + seed, checked and fingerprinted when the bench planned), trains
through :func:`mlrkit.engine.experiment.train` (resuming the run's own work dir when a
previous attempt left a checkpoint), tests the selected checkpoint (best on the val split under
``protocol="held_out"``, on the test split under ``"paper"``) and the last epoch's through
:func:`mlrkit.engine.experiment.test`, and writes ``results/<run>.json`` atomically: the config,
seed, protocol, recipe, the selection (epoch and val mAP), the test figures and per-class AP of
the selected and of the last checkpoint, wall time, parameter counts, versions and git commit. If
anything fails it writes a failed result instead, with the error and the tail of its log.

Under ``--launcher pytorch`` (started by ``torch.distributed.run``) or ``--launcher slurm``
(under ``srun``) every rank trains; rank 0 picks the checkpoints to test and tells the other
ranks (so that all take the same test passes), and writes the progress and result files.

A local worker dies with the bench that started it (``MLRKIT_BENCH_PARENT``: a watchdog thread
and, on Linux, the parent-death signal), so a killed bench leaves no orphan behind to run a
second copy of the same run.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

import mlrkit
from mlrkit.bench.layout import RunDir
from mlrkit.bench.progress_hook import process_rank
from mlrkit.bench.results import RunResult
from mlrkit.bench.spec import plain

__all__ = ["log_tail", "main", "process_start_time", "run", "same_weights"]

LOG_TAIL_LINES = 40


# -- staying tied to the bench ---------------------------------------------------------------
def process_start_time(pid: int) -> str | None:
    """The start time of a process (clock ticks since boot, from /proc), or None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return started is None or process_start_time(pid) in (started, None)


def _die_with_parent() -> None:
    """Exit as soon as the bench that started this worker is gone (pid + start time)."""
    marker = os.environ.get("MLRKIT_BENCH_PARENT")
    if not marker:
        return
    pid_text, _, started = marker.partition(":")
    pid = int(pid_text)
    try:  # Linux: the kernel sends SIGKILL when our direct parent dies
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch() -> None:  # also covers torchrun, whose ranks are grandchildren of the bench
        while _alive(pid, started or None):
            time.sleep(1.0)
        os._exit(137)

    if not _alive(pid, started or None):
        os._exit(137)
    threading.Thread(target=watch, name="bench-watchdog", daemon=True).start()


# -- one run ---------------------------------------------------------------------------------
def _best_checkpoint(work_dir: Path) -> Path:
    """The checkpoint the CheckpointHook kept as best, else the last one written."""
    from mlrkit.engine.checkpoint import resolve_last_checkpoint

    best = sorted(work_dir.glob("best_*.pth"), key=lambda p: p.stat().st_mtime)
    if best:
        return best[-1]
    last = resolve_last_checkpoint(work_dir)
    if last is not None:
        return last
    raise FileNotFoundError(
        f"training finished but {work_dir} holds no checkpoint; the config must keep "
        "default_hooks.checkpoint"
    )


def _last_checkpoint(work_dir: Path) -> Path | None:
    """The checkpoint of the last epoch trained (the work dir's ``last_checkpoint`` pointer)."""
    from mlrkit.engine.checkpoint import resolve_last_checkpoint

    try:
        last = resolve_last_checkpoint(work_dir)
    except FileNotFoundError:
        return None
    return last if last is not None and last.is_file() else None


def _parameters(runner) -> dict[str, int]:
    model = getattr(runner.model, "module", runner.model)
    count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
    out = {
        "total": count(model),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
    }
    for part in ("backbone", "encoder", "head"):
        module = getattr(model, part, None)
        if module is not None:
            out[part] = count(module)
    return out


def _load(run_dir: RunDir, base: str):
    """The run's resolved config (written by the bench), with the progress hook added."""
    import mlrkit.bench.progress_hook  # noqa: F401 (registers BenchProgressHook)
    from mlrkit.bench.run_config import read_run_config

    cfg = read_run_config(run_dir.config, base)
    cfg.custom_hooks = [
        *(cfg.get("custom_hooks") or []),
        dict(type="BenchProgressHook", path=str(run_dir.progress)),
    ]
    return cfg


def _agreed(runner, work_dir: Path) -> tuple[Path, Path, bool, dict[str, float] | None]:
    """(selected checkpoint, last checkpoint, whether the two hold the same weights, test
    figures already computed or None).

    Rank 0 decides once every rank has finished training and broadcasts its answer: the
    checkpoints are written by rank 0 alone, and a rank that looked for them on its own could
    take another path (one test pass instead of two, or none) and leave the others waiting in
    a collective of a test Runner it never builds.
    """
    from mmengine.dist import barrier, broadcast_object_list, get_rank

    barrier()
    choice: list = [None]
    if get_rank() == 0:
        try:
            checkpoint = _best_checkpoint(work_dir)
            last = _last_checkpoint(work_dir) or checkpoint
            same = same_weights(last, checkpoint)
            metrics = validated_test_metrics(runner, checkpoint)
            choice = [(str(checkpoint), str(last), same, metrics)]
        except Exception as err:  # every rank fails with it, none waits for the others
            choice = [err]
    broadcast_object_list(choice)
    if isinstance(choice[0], Exception):
        raise choice[0]
    checkpoint, last, same, metrics = choice[0]
    return Path(checkpoint), Path(last), same, metrics


def validated_test_metrics(runner, checkpoint: Path) -> dict[str, float] | None:
    """The test figures of ``checkpoint`` when training already computed them, else None.

    They were computed when the test split and evaluator equal the validation's, the last
    validation ran on the last epoch, and ``checkpoint`` holds that epoch's weights (the best
    checkpoint of a run validated once, at its end, as the built-in benches are). Evaluating
    the checkpoint again would repeat that pass on the same weights and data: the same
    figures, a second Runner and pass later. No EMA hook may swap weights around validation.
    """
    from mlrkit.bench.progress_hook import BenchProgressHook

    cfg = runner.cfg
    hook = next((h for h in runner.hooks if isinstance(h, BenchProgressHook)), None)
    if hook is None or hook.last_validation is None:
        return None
    epoch, metrics = hook.last_validation
    same = all(
        plain(cfg.get(f"val_{part}")) == plain(cfg.get(f"test_{part}"))
        for part in ("dataloader", "evaluator")
    )
    ema = any("EMA" in str(plain(h).get("type", "")) for h in cfg.get("custom_hooks") or [])
    last = epoch == runner.max_epochs and checkpoint.name.endswith(f"_epoch_{epoch}.pth")
    if not (same and last and metrics) or ema:
        return None
    return {k: float(v) for k, v in metrics.items()}


def same_weights(first: Path, second: Path) -> bool:
    """Whether two checkpoints of a run hold the same epoch's weights (and EMA weights).

    The best checkpoint of the last epoch and that epoch's ``epoch_N.pth`` are written from
    the same weights (one after the validation, one before it): testing both would repeat a
    pass and give the same figures. Compared tensor by tensor, not trusted from the names.
    """
    from mlrkit.engine.checkpoint import load_checkpoint_file
    from mlrkit.engine.selection import checkpoint_epoch

    if first.resolve() == second.resolve():
        return True
    where = checkpoint_epoch(first)
    if where is None or where != checkpoint_epoch(second):
        return False
    a, b = load_checkpoint_file(first), load_checkpoint_file(second)

    def equal(x: dict, y: dict) -> bool:  # state dicts: names -> tensors
        return x.keys() == y.keys() and all(
            x[k].shape == y[k].shape and x[k].dtype == y[k].dtype and x[k].equal(y[k]) for k in x
        )

    return all(equal(a.get(k) or {}, b.get(k) or {}) for k in ("state_dict", "ema_state_dict"))


def _split_metrics(metrics: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    figures: dict[str, float] = {}
    per_class: dict[str, float] = {}
    for key, value in metrics.items():
        name = key.split("/", 1)[1] if "/" in key else key  # drop the evaluator's prefix
        if name.startswith("AP/"):
            per_class[name[3:]] = float(value)
        else:
            figures[name] = float(value)
    return figures, per_class


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> list[str]:
    """The last ``lines`` lines of a text file ([] if it does not exist)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    return text.splitlines()[-lines:]


def run(spec_path: str | Path, launcher: str = "none") -> int:
    """Train and test one run described by ``spec_path``; write its result file.

    Returns:
        0 on success, 1 when the run failed (its failed result is written).
    """
    spec_path = Path(spec_path)
    spec = json.loads(spec_path.read_text())
    run_dir = RunDir(spec_path.parent)
    work_dir = run_dir.work
    threads = int(spec.get("threads") or 0)
    started = time.time()
    identity = ("run", "variant", "dataset", "seed", "fingerprint", "attempt", "base", "overrides")
    record = RunResult("failed", launcher=launcher, **{k: spec.get(k) for k in identity})
    rank = process_rank()
    try:
        import torch

        if threads > 0:
            torch.set_num_threads(threads)
        from mlrkit.engine.experiment import test, train, write_json_atomic
        from mlrkit.engine.hooks import collect_versions, git_commit
        from mlrkit.engine.recipe import recipe_name
        from mlrkit.engine.selection import selection_record
        from mlrkit.plugins import load_plugins

        load_plugins()
        cfg = _load(run_dir, spec["base"])
        # the run's own checkpoints (the pointer is relative: a moved or copied bench dir
        # resumes from its own files, never from another dir's)
        record.resumed = (work_dir / "last_checkpoint").is_file()
        t0 = time.perf_counter()
        runner = train(
            copy.deepcopy(cfg), work_dir=str(work_dir), launcher=launcher, resume_or_start=True
        )
        train_s = time.perf_counter() - t0
        parameters = _parameters(runner)
        world_size = runner.world_size
        config = runner.cfg
        checkpoint, last, same, metrics = _agreed(runner, work_dir)
        del runner
        t1 = time.perf_counter()

        def test_figures(weights: Path, folder: str):
            tested = test(
                copy.deepcopy(cfg), str(weights), work_dir=str(work_dir / folder), launcher=launcher
            )
            return _split_metrics(tested)

        record.evaluated_by = "test pass" if metrics is None else "final validation pass"
        figures, per_class = (
            _split_metrics(metrics) if metrics is not None else test_figures(checkpoint, "test")
        )
        if same:
            last_figures, last_per_class = figures, per_class
        else:  # the last epoch's test figures, whatever was selected
            last_figures, last_per_class = test_figures(last, "test_last")
        test_s = time.perf_counter() - t1
        protocol = config.get("protocol", "held_out")
        selection = selection_record(work_dir, checkpoint)
        selection["split"] = "val" if protocol == "held_out" else "test"
        record.status = "ok"
        record.protocol = protocol
        record.recipe = recipe_name(config)
        record.mixed_precision = config.get("mixed_precision")
        record.selection = selection
        record.metrics, record.per_class_ap = figures, per_class
        last_record = selection_record(work_dir, last)
        record.last = {**last_record, "metrics": last_figures, "per_class_ap": last_per_class}
        record.checkpoint = str(checkpoint.relative_to(run_dir.path))
        record.config = plain(config._cfg_dict)
        record.wall_time_s = {"train": train_s, "test": test_s, "total": time.time() - started}
        record.parameters = parameters
        record.world_size = world_size
        record.threads = torch.get_num_threads()
        record.versions = collect_versions()
        record.git_commit = git_commit(Path(mlrkit.__file__).parent)
        if rank == 0:
            record.write(Path(spec["result"]))
            write_json_atomic(run_dir.progress, {"phase": "done", "time": time.time()})
        return 0
    except Exception as err:  # record any failure: the bench shows it and goes on
        text = traceback.format_exc()
        print(text, file=sys.stderr, flush=True)
        if rank == 0:
            record.status = "failed"
            record.error = f"{type(err).__name__}: {err}"
            record.traceback = text.splitlines()[-20:]
            record.log_tail = log_tail(run_dir.log)
            record.wall_time_s = {"total": time.time() - started}
            record.write(Path(spec["result"]))
        return 1


def _run_lock(path: Path, wait_s: float = 30.0):
    """Hold ``run.lock`` for the life of this process: one worker per run, ever at once."""
    import fcntl

    handle = open(path, "a+")  # noqa: SIM115 (held until exit)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"another worker holds {path}: the run is running already"
                ) from None
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlrkit.bench.worker", description="Run one bench run (see mlrkit bench)."
    )
    parser.add_argument("spec", help="the run's spec.json, written by `mlrkit bench`")
    parser.add_argument("--launcher", choices=["none", "pytorch", "slurm"], default="none")
    args = parser.parse_args(argv)
    _die_with_parent()
    spec_path = Path(args.spec)
    if not spec_path.is_file():
        print(f"mlrkit bench worker: error: {spec_path} does not exist", file=sys.stderr)
        return 2
    lock = _run_lock(RunDir(spec_path.parent).lock) if process_rank() == 0 else None
    try:
        return run(spec_path, launcher=args.launcher)
    finally:
        if lock is not None:
            lock.close()


if __name__ == "__main__":
    sys.exit(main())
