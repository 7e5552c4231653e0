"""Execute a bench plan: each unfinished run as its own worker process, then the report.

Safe to kill and run again (docs/architecture.md, "Bench"): one bench per work dir at a time,
results written atomically once per run, current ones kept, half-trained runs resumed, workers
dying with the bench (none left running twice); a failed run is recorded, the others go on.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from mlrkit.bench.launch import (
    ForkedWorker,
    LaunchOptions,
    cpu_count,
    gpu_slots,
    slurm_job_active,
    slurm_script,
    start_local_worker,
    submit_slurm,
)
from mlrkit.bench.layout import BenchDir, BenchLock, RunDir, read_json
from mlrkit.bench.report import read_results, render_outputs
from mlrkit.bench.results import RunResult, run_state
from mlrkit.bench.run_config import write_run_config
from mlrkit.bench.spec import BenchPlan, RunSpec
from mlrkit.bench.worker import log_tail
from mlrkit.checks import positive_int
from mlrkit.engine.experiment import write_json_atomic

__all__ = ["BenchOptions", "default_work_dir", "describe_plan", "run_bench", "runs_to_do"]

FORMATS = ("md", "tex", "csv")


@dataclass
class BenchOptions:
    """How to run a plan.

    Attributes:
        work_dir: the bench's folder.
        jobs: runs at once (None: as many as CPU cores, or GPUs, allow).
        launch: launcher, processes per run, Slurm settings (threads are filled in).
        formats: table formats saved (Markdown is also printed).
        retry_failed: run failed runs again (by default they stay recorded as failed).
        poll_s: how often the bench checks on its workers.
        rich: force the rich display on (True) or off (False); None: on a terminal only.
    """

    work_dir: Path
    jobs: int | None = None
    launch: LaunchOptions = field(default_factory=LaunchOptions)
    formats: Sequence[str] = FORMATS
    retry_failed: bool = False
    poll_s: float = 0.5
    rich: bool | None = None

    def __post_init__(self) -> None:
        self.work_dir = Path(self.work_dir)
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise ValueError(f"--format {','.join(unknown)}: use any of {','.join(FORMATS)}")
        if self.jobs is not None:
            positive_int("", "--jobs", self.jobs)


def default_work_dir(plan: BenchPlan) -> Path:
    """``work_dirs/bench/<bench name>`` (``_quick`` appended for --quick runs)."""
    return Path("work_dirs") / "bench" / (plan.name + ("_quick" if plan.quick else ""))


def run_states(plan: BenchPlan, work_dir: Path) -> dict[str, str]:
    """``{run id: "ok", "failed", "stale" or "todo"}`` for every run of the plan."""
    results = read_results(plan, work_dir)
    return {r.run: run_state(results[r.run], r) for r in plan.runs}


def runs_to_do(plan: BenchPlan, work_dir: Path, retry_failed: bool = False) -> list[RunSpec]:
    """Runs without a current result (and failed ones, with ``retry_failed``), in plan order."""
    states = run_states(plan, work_dir)
    wanted = {"todo", "stale"} | ({"failed"} if retry_failed else set())
    return [r for r in plan.runs if states[r.run] in wanted]


def _slots(plan: BenchPlan, options: BenchOptions, pending: int) -> tuple[int, list | None]:
    """(jobs at once, GPU lists per job or None).

    The threads per process stay the plan's (``--threads``), never derived from ``jobs``: a
    CPU run's floats depend on its thread count, and results must not depend on ``--jobs``.
    """
    import torch

    per_run = options.launch.nproc_per_node
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    fit = gpus // per_run if gpus else cpu_count() // (per_run * plan.threads)
    jobs = options.jobs or max(1, fit)
    jobs = min(jobs, pending) if pending else jobs
    return jobs, gpu_slots(jobs, per_run) if gpus else None


def describe_plan(plan: BenchPlan, options: BenchOptions) -> str:
    """What the bench would do (``--dry-run``): runs and their state, jobs, tables."""
    work_dir, launch = options.work_dir, options.launch
    states = run_states(plan, work_dir)
    todo = runs_to_do(plan, work_dir, options.retry_failed)
    jobs, gpus = _slots(plan, options, len(todo))
    counts = Counter(states.values())
    datasets = f" x {len(plan.datasets)} datasets" if plan.datasets else ""
    per_process = f"; {jobs} job(s) at once, {plan.threads} thread(s) per process"
    lines = [
        f"bench {plan.name} ({plan.path})" + (" [--quick]" if plan.quick else ""),
        f"work dir: {work_dir}",
        f"runs: {len(plan.active)} variants{datasets} x {len(plan.seeds)} seed(s) = "
        f"{len(plan.runs)}; to run: {len(todo)}; done: {counts['ok']}; failed: {counts['failed']}"
        + (" (re-run: --retry-failed)" if counts["failed"] else "")
        + (f"; stale (config changed, re-run): {counts['stale']}" if counts["stale"] else ""),
        f"launcher: {launch.launcher}"
        + (f", {launch.nproc_per_node} processes per run" if launch.launcher != "none" else "")
        + (per_process if launch.launcher != "slurm" else "")
        + (f", GPUs per job {gpus}" if gpus else ""),
    ]
    for run in plan.runs:
        base = os.path.relpath(run.base, plan.path.parent)
        changes = " ".join(f"{k}={json.dumps(v)}" for k, v in run.overrides.items())
        lines.append(f"  {run.run:<32} {states[run.run]:<6} {base}  {changes}")
    for table in plan.tables:
        cols = ", ".join(c.header for c in table.columns)
        rows = ", ".join(f"{r.variant}" + (f" ~ {r.paper}" if r.paper else "") for r in table.rows)
        paper = f" beside {table.paper}" if table.paper else ""
        lines.append(f"table {table.name}{paper}: rows {rows}; columns {cols}")
    for fig in plan.figures:
        series = "; ".join(f"{s.label} ({len(s.points)} points)" for s in fig.series)
        lines.append(f"figure {fig.name}: {fig.metric} vs {fig.x_label}, {series}")
    return "\n".join(lines)


# -- local workers ---------------------------------------------------------------------------
@dataclass
class _Job:
    run: RunSpec
    proc: subprocess.Popen | ForkedWorker
    slot: int
    attempt: str
    started: float


def _prepare_run(plan: BenchPlan, run: RunSpec, bench_dir: BenchDir) -> tuple[RunDir, str]:
    """Write the run's ``spec.json`` and resolved ``config.py`` for a new attempt; returns (the
    run's folder, the attempt id). A run dir left by another version of the config loses its
    checkpoints (never resumed)."""
    run_dir = bench_dir.run(run.run)
    run_dir.path.mkdir(parents=True, exist_ok=True)
    if (read_json(run_dir.spec) or {}).get("fingerprint") not in (None, run.fingerprint):
        shutil.rmtree(run_dir.work, ignore_errors=True)
    run_dir.progress.unlink(missing_ok=True)
    attempt = uuid.uuid4().hex[:12]
    result = str(bench_dir.result(run.run).resolve())
    spec = dict(run.to_json(), bench=plan.name, result=result, threads=plan.threads)
    write_run_config(plan.configs[run.run], run_dir.config)
    write_json_atomic(run_dir.spec, {**spec, "attempt": attempt})
    return run_dir, attempt


def _result(bench_dir: BenchDir, job: _Job, code: int) -> RunResult:
    """The result of a job whose worker ended with ``code``: its own, else the failure the
    bench writes for a worker that died without writing one."""
    result = RunResult.read(bench_dir.result(job.run.run))
    if result is not None and result.attempt == job.attempt:
        return result
    how = f"signal {-code}" if code < 0 else f"exit code {code}"
    record = RunResult.from_json({**job.run.to_json(), "attempt": job.attempt})
    record.error = f"the worker ended ({how}) without writing a result"
    record.log_tail = log_tail(bench_dir.run(job.run.run).log)
    record.write(bench_dir.result(job.run.run))
    return record


def _stop(jobs: Sequence[_Job], grace_s: float = 10.0) -> None:
    for job in jobs:
        job.proc.send_signal(signal.SIGTERM)  # a no-op once the process has ended
    deadline = time.monotonic() + grace_s
    for job in jobs:
        try:
            job.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            job.proc.kill()
            job.proc.wait()


def _run_local(plan: BenchPlan, todo: list[RunSpec], options: BenchOptions) -> None:
    from mlrkit.bench.display import make_display

    bench_dir = BenchDir(options.work_dir)
    jobs, gpus = _slots(plan, options, len(todo))
    launch = LaunchOptions(options.launch.launcher, options.launch.nproc_per_node, plan.threads)
    display = make_display(len(todo), rich=options.rich)
    display.message(
        f"bench {plan.name}: {len(todo)} run(s) to do of {len(plan.runs)}, {jobs} at once, "
        f"{plan.threads} thread(s) per process; work dir {options.work_dir}"
    )
    queue = deque(todo)
    free = list(range(jobs))
    running: list[_Job] = []
    try:
        while queue or running:
            while queue and free:
                run, slot = queue.popleft(), free.pop(0)
                run_dir, attempt = _prepare_run(plan, run, bench_dir)
                with open(run_dir.log, "a") as log:
                    log.write(f"\n==== attempt {attempt} {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
                gpu = gpus[slot] if gpus else None
                proc = start_local_worker(run_dir.spec, run_dir.log, launch, gpu)
                running.append(_Job(run, proc, slot, attempt, time.monotonic()))
                display.start(run.run, f"slot {slot}")
            time.sleep(options.poll_s)
            for job in list(running):
                display.update(job.run.run, read_json(bench_dir.run(job.run.run).progress))
                code = job.proc.poll()
                if code is None:
                    continue
                running.remove(job)
                free.append(job.slot)
                result = _result(bench_dir, job, code)
                display.finish(job.run.run, result, time.monotonic() - job.started)
    except BaseException:
        _stop(running)
        raise
    finally:
        display.close()


# -- Slurm -----------------------------------------------------------------------------------
def _submit(plan: BenchPlan, todo: list[RunSpec], options: BenchOptions, out: TextIO) -> None:
    bench_dir = BenchDir(options.work_dir)
    submitted = queued = 0
    for run in todo:
        job_file = bench_dir.run(run.run).slurm_job
        job = read_json(job_file)
        if job and job.get("fingerprint") == run.fingerprint and slurm_job_active(job["job_id"]):
            queued += 1
            continue
        run_dir, attempt = _prepare_run(plan, run, bench_dir)
        name, spec = f"mlrkit-{plan.name}-{run.run}", run_dir.spec.resolve()
        text = slurm_script(spec, name, run_dir.slurm_log.resolve(), options.launch)
        run_dir.slurm_script.write_text(text)
        job_id = submit_slurm(run_dir.slurm_script)
        job = {"job_id": job_id, "fingerprint": run.fingerprint, "attempt": attempt}
        write_json_atomic(job_file, {**job, "submitted": time.time()})
        submitted += 1
        print(f"submitted {run.run}: Slurm job {job_id}", file=sys.stderr)
    print(
        f"bench {plan.name}: {submitted} run(s) submitted, {queued} still queued or running; "
        "run the same command again to render the tables as results arrive",
        file=out,
    )


def run_bench(plan: BenchPlan, options: BenchOptions, out: TextIO | None = None) -> int:
    """Run what is left of ``plan`` and render its tables.

    Returns:
        0 when every run has succeeded (or, with Slurm, was submitted), 1 when some failed.

    Raises:
        BenchLockedError: another bench holds the work dir.
    """
    out = out or sys.stdout
    work_dir = options.work_dir
    with BenchLock(work_dir):
        runs = [r.to_json() for r in plan.runs]
        record = {"bench": plan.name, "config": str(plan.path), "quick": plan.quick}
        write_json_atomic(BenchDir(work_dir).plan, {**record, "seeds": plan.seeds, "runs": runs})
        todo = runs_to_do(plan, work_dir, options.retry_failed)
        started = time.monotonic()
        if todo and options.launch.launcher == "slurm":
            _submit(plan, todo, options, out)
        elif todo:
            _run_local(plan, todo, options)
        else:
            print(f"bench {plan.name}: all {len(plan.runs)} run(s) done", file=sys.stderr)
        written = render_outputs(plan, work_dir, options.formats, out)
        states = run_states(plan, work_dir)
        failed = [run for run, state in states.items() if state == "failed"]
        ok = list(states.values()).count("ok")
        print(
            f"bench {plan.name}: {ok} of {len(plan.runs)} run(s) ok"
            + (f", failed: {', '.join(failed)}" if failed else "")
            + f"; {time.monotonic() - started:.0f} s; outputs in {work_dir} ({len(written)} files)",
            file=sys.stderr,
        )
    return 1 if failed else 0
