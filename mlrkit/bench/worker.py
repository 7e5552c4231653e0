"""One bench run in its own process: ``python -m mlrkit.bench.worker RUN_DIR/spec.json``.

The worker trains the run's resolved config (``config.py``, written by the bench beside the
spec), resuming from the run's own checkpoints, tests the selected and the last checkpoint, and
writes ``results/<run>.json`` atomically, or a failed result with the error and the tail of its
log (docs/architecture.md, "Bench", says what a result holds). Under ``--launcher pytorch`` or
``slurm`` every rank trains and takes the same test passes; rank 0 writes the progress and
result files.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import ctypes
import dataclasses
import fcntl
import json
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

import mlrkit
from mlrkit.bench.layout import RunDir
from mlrkit.bench.progress_hook import BenchProgressHook, process_rank
from mlrkit.bench.results import RunResult
from mlrkit.bench.spec import plain

__all__ = ["log_tail", "main", "process_start_time", "run"]

LOG_TAIL_LINES = 40


# -- staying tied to the bench ---------------------------------------------------------------
def process_start_time(pid: int) -> str | None:
    """The start time of a process (clock ticks since boot, from /proc), or None if unknown."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


def _alive(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` runs and is the one started at ``started`` (a reused pid is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return started is None or process_start_time(pid) in (started, None)


def _die_with_parent() -> None:
    """Exit as soon as the bench that started this worker is gone.

    The bench passes its pid and start time in ``MLRKIT_BENCH_PARENT``, so that a killed bench
    leaves no orphan behind to run a second copy of the same run.
    """
    marker = os.environ.get("MLRKIT_BENCH_PARENT")
    if not marker:
        return
    pid_text, _, started = marker.partition(":")
    pid = int(pid_text)
    with contextlib.suppress(OSError, AttributeError):  # Linux: SIGKILL when our parent dies
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    def watch() -> None:  # also covers torchrun, whose ranks are grandchildren of the bench
        while _alive(pid, started or None):
            time.sleep(1.0)
        os._exit(137)

    if not _alive(pid, started or None):
        os._exit(137)
    threading.Thread(target=watch, name="bench-watchdog", daemon=True).start()


# -- one run ---------------------------------------------------------------------------------
def _parameters(runner) -> dict[str, int]:
    """Parameter counts: total, trainable, and those of the model's parts it has."""
    model = getattr(runner.model, "module", runner.model)
    groups = {"total": list(model.parameters())}
    groups["trainable"] = [p for p in groups["total"] if p.requires_grad]
    for part in ("backbone", "encoder", "head"):
        if getattr(model, part, None) is not None:
            groups[part] = list(getattr(model, part).parameters())
    return {name: sum(p.numel() for p in params) for name, params in groups.items()}


def _agreed(runner, work_dir: Path) -> tuple[Path, Path, bool, dict[str, float] | None]:
    """(selected checkpoint, last checkpoint, whether the two hold the same weights, test
    figures already computed or None).

    Rank 0 decides once every rank has finished training and broadcasts its answer: the
    checkpoints are written by rank 0 alone, and a rank that looked for them on its own could
    take another path (one test pass instead of two, or none) and leave the others waiting in
    a collective of a test Runner it never builds.
    """
    from mmengine.dist import barrier, broadcast_object_list, get_rank

    from mlrkit.engine.selection import last_checkpoint, same_weights, selected_checkpoint

    barrier()
    choice: list = [None]
    if get_rank() == 0:
        try:
            checkpoint = selected_checkpoint(work_dir)
            last = last_checkpoint(work_dir) or checkpoint
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

    They were when the test split and evaluator equal the validation's, the last validation
    ran on the last epoch, ``checkpoint`` holds that epoch's weights and no EMA hook swaps
    weights around validation: a test pass would repeat that pass, same weights and data.
    """
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


def _split_metrics(metrics: dict[str, float]) -> dict[str, dict[str, float]]:
    """``{"metrics": the figures, "per_class_ap": AP by class}`` of an evaluator's output."""
    split: dict[str, dict[str, float]] = {"metrics": {}, "per_class_ap": {}}
    for key, value in metrics.items():
        name = key.split("/", 1)[-1]  # drop the evaluator's prefix
        part, name = ("per_class_ap", name[3:]) if name.startswith("AP/") else ("metrics", name)
        split[part][name] = float(value)
    return split


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> list[str]:
    """The last ``lines`` lines of a text file ([] if it does not exist)."""
    try:
        return path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return []


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
        from mlrkit.bench.run_config import read_run_config
        from mlrkit.engine.experiment import test, train, write_json_atomic
        from mlrkit.engine.hooks import collect_versions, git_commit
        from mlrkit.engine.recipe import recipe_name
        from mlrkit.engine.selection import selection_record
        from mlrkit.plugins import load_plugins

        load_plugins()
        cfg = read_run_config(run_dir.config, spec["base"])
        progress = dict(type="BenchProgressHook", path=str(run_dir.progress))
        cfg.custom_hooks = [*(cfg.get("custom_hooks") or []), progress]
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

        def tested(weights: Path, folder: str) -> dict[str, dict[str, float]]:
            figures = test(
                copy.deepcopy(cfg), str(weights), work_dir=str(work_dir / folder), launcher=launcher
            )
            return _split_metrics(figures)

        record.evaluated_by = "test pass" if metrics is None else "final validation pass"
        selected = tested(checkpoint, "test") if metrics is None else _split_metrics(metrics)
        # the last epoch's test figures, whatever was selected
        last_tested = selected if same else tested(last, "test_last")
        test_s = time.perf_counter() - t1
        protocol = config.get("protocol", "held_out")
        split = "val" if protocol == "held_out" else "test"
        record = dataclasses.replace(
            record,
            status="ok",
            protocol=protocol,
            recipe=recipe_name(config),
            mixed_precision=config.get("mixed_precision"),
            selection={**selection_record(work_dir, checkpoint), "split": split},
            **selected,
            last={**selection_record(work_dir, last), **last_tested},
            checkpoint=str(checkpoint.relative_to(run_dir.path)),
            config=plain(config._cfg_dict),
            wall_time_s={"train": train_s, "test": test_s, "total": time.time() - started},
            parameters=parameters,
            world_size=world_size,
            threads=torch.get_num_threads(),
            versions=collect_versions(),
            git_commit=git_commit(Path(mlrkit.__file__).parent),
        )
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
    handle = open(path, "a+")  # noqa: SIM115 (held until exit)
    deadline = time.monotonic() + wait_s
    while True:
        with contextlib.suppress(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        if time.monotonic() > deadline:
            raise RuntimeError(f"another worker holds {path}: the run is running already")
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
    with lock or contextlib.nullcontext():
        return run(spec_path, launcher=args.launcher)


if __name__ == "__main__":
    sys.exit(main())
