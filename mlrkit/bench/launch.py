"""How a run's worker is started: locally, under ``torch.distributed.run``, or through Slurm.

Local workers get a fixed thread count (``--threads``: a CPU run's floats depend on it), their
own GPUs on a GPU machine, and are forked (where the platform can) from a server process that
imported torch, mmengine and mlrkit once. Slurm runs are sbatch scripts, one per run, in the
run's folder (docs/architecture.md, "Bench").
"""

from __future__ import annotations

import functools
import importlib
import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlrkit.checks import positive_int  # (nothing heavy: the worker server starts from here)

__all__ = [
    "LaunchOptions",
    "SlurmOptions",
    "cpu_count",
    "gpu_slots",
    "slurm_script",
    "start_local_worker",
    "start_worker_server",
    "submit_slurm",
    "worker_command",
    "worker_env",
]

LAUNCHERS = ("none", "pytorch", "slurm")
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# what the worker server imports once for all local runs (nothing that starts threads)
PRELOAD = ("torch", "mmengine.runner", "timm", "torch_geometric", "mlrkit.bench.worker",
           "mlrkit.engine.experiment")  # fmt: skip


@dataclass
class SlurmOptions:
    """``#SBATCH`` settings of every run's script.

    Attributes:
        partition: ``--partition`` (None: the cluster's default).
        time: ``--time`` limit, e.g. ``"24:00:00"``.
        gpus_per_task: GPUs of each task (``--gres=gpu:<n * tasks>``); 0 on CPU clusters.
        cpus_per_task: ``--cpus-per-task``, also ``OMP_NUM_THREADS`` of each task.
        extra: further ``#SBATCH`` lines, e.g. ``["--account=vision", "--qos=high"]``.
    """

    partition: str | None = None
    time: str | None = None
    gpus_per_task: int = 1
    cpus_per_task: int = 8
    extra: list[str] = field(default_factory=list)


@dataclass
class LaunchOptions:
    """How the bench starts its workers.

    Attributes:
        launcher: ``"none"`` (one process per run), ``"pytorch"`` (``torch.distributed.run``
            with ``nproc_per_node`` processes per run) or ``"slurm"`` (sbatch).
        nproc_per_node: processes (ranks) per run under ``pytorch`` and ``slurm``.
        threads: CPU threads of each process.
        slurm: sbatch settings.
    """

    launcher: str = "none"
    nproc_per_node: int = 1
    threads: int = 1
    slurm: SlurmOptions = field(default_factory=SlurmOptions)

    def __post_init__(self) -> None:
        if self.launcher not in LAUNCHERS:
            raise ValueError(
                f"--launcher {self.launcher!r} is unknown; use one of {', '.join(LAUNCHERS)}"
            )
        positive_int("", "--nproc-per-node", self.nproc_per_node)
        if self.launcher == "none" and self.nproc_per_node != 1:
            raise ValueError(
                "--nproc-per-node needs --launcher pytorch (torch.distributed.run) or slurm"
            )


def cpu_count() -> int:
    """The CPU cores this process may use (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def gpu_slots(jobs: int, per_job: int) -> list[list[int]] | None:
    """Disjoint CUDA device lists, one per job slot, or None on a machine without GPUs.

    Raises:
        ValueError: more devices asked for (``jobs * per_job``) than the machine has.
    """
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if count == 0:
        return None
    if jobs * per_job > count:
        raise ValueError(
            f"--jobs {jobs} x {per_job} GPU(s) per run needs {jobs * per_job} GPUs; this machine "
            f"has {count}. Lower --jobs (default: GPUs // processes per run)."
        )
    return [list(range(i * per_job, (i + 1) * per_job)) for i in range(jobs)]


def free_port() -> int:
    """A TCP port that is free now (for one run's torch.distributed rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_command(spec: Path, options: LaunchOptions, port: int | None = None) -> list[str]:
    """The argv that runs one worker locally (``none``) or under torch.distributed.run."""
    if options.launcher != "pytorch":
        return [sys.executable, "-m", "mlrkit.bench.worker", str(spec)]
    nproc, port = options.nproc_per_node, port or free_port()
    flags = [f"--nproc-per-node={nproc}", "--nnodes=1", f"--master-port={port}"]
    worker = ["mlrkit.bench.worker", str(spec), "--launcher", "pytorch"]
    return [sys.executable, "-m", "torch.distributed.run", *flags, "--module", *worker]


def worker_env(options: LaunchOptions, gpus: Sequence[int] | None = None) -> dict[str, str]:
    """The environment of a local worker: its thread share, its GPUs, and the bench's pid.

    ``MLRKIT_BENCH_PARENT`` (pid:start time) lets the worker exit when the bench dies.
    """
    from mlrkit.bench.worker import process_start_time

    env = dict(os.environ)
    env.update(dict.fromkeys(THREAD_VARS, str(max(1, options.threads))), PYTHONUNBUFFERED="1")
    if gpus is not None:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(g) for g in gpus)
    pid = os.getpid()
    env["MLRKIT_BENCH_PARENT"] = f"{pid}:{process_start_time(pid) or ''}"
    return env


# -- local workers forked from a server that did the imports ---------------------------------
@functools.cache
def _server():
    """The ``forkserver`` context local workers are forked from, or None where there is none."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def start_worker_server(threads: int) -> None:
    """Start the worker server now: it imports in the background while the bench plans.

    It gets ``threads`` as its thread variables (each worker also sets its own) and plugin
    autoloading off: plugins are loaded by each worker, never by the server.
    """
    from multiprocessing import forkserver

    if _server() is None:
        return
    environ = dict(os.environ)
    os.environ.update(dict.fromkeys(THREAD_VARS, str(max(1, threads))))
    os.environ["MLRKIT_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # the server's own output (its imports' warnings) goes nowhere; each worker writes its log
    sys.stdout.flush()
    sys.stderr.flush()
    streams = [os.dup(fd) for fd in (1, 2)]
    with open(os.devnull, "wb") as devnull:
        for fd in (1, 2):
            os.dup2(devnull.fileno(), fd)
    try:
        forkserver.ensure_running()
    finally:
        for fd, saved in zip((1, 2), streams):
            os.dup2(saved, fd)
            os.close(saved)
        os.environ.clear()
        os.environ.update(environ)


def _forked_worker(spec: str, log: str, env: dict[str, str], cwd: str) -> None:
    """A forked worker's main: the bench's environment, folder and log, then the worker."""
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for target in (1, 2):
        os.dup2(fd, target)
    os.close(fd)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 (the process's own)
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]
    sys.path[:0] = extra
    importlib.invalidate_caches()
    sys.argv = [sys.executable, "-m", "mlrkit.bench.worker", spec]
    from mlrkit.bench.worker import main

    sys.exit(main([spec]))


class ForkedWorker:
    """A worker process forked from the worker server, with the ``subprocess.Popen`` calls the
    bench uses (``poll``, ``wait``, ``send_signal``, ``kill``)."""

    def __init__(self, process) -> None:
        self.process = process
        self.pid = process.pid

    def poll(self) -> int | None:
        return self.process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise subprocess.TimeoutExpired("mlrkit.bench.worker", timeout)
        return self.process.exitcode

    def send_signal(self, sig: int) -> None:
        if self.process.exitcode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def start_local_worker(
    spec: Path, log: Path, options: LaunchOptions, gpus: Sequence[int] | None = None
) -> subprocess.Popen | ForkedWorker:
    """Start one run's worker on this machine, its output appended to ``log``.

    Forked from the worker server where the platform has one (``--launcher none``), else (and
    under ``torch.distributed.run``) started as a new interpreter.
    """
    env = worker_env(options, gpus)
    context = _server() if options.launcher == "none" else None
    if context is not None:
        process = context.Process(
            target=_forked_worker,
            args=(str(spec), str(log), env, os.getcwd()),
            name=spec.parent.name,
        )
        process.start()
        return ForkedWorker(process)
    with open(log, "a") as out:
        return subprocess.Popen(
            worker_command(spec, options),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )


def slurm_script(
    spec: Path, job_name: str, log: Path, options: LaunchOptions, workdir: Path | None = None
) -> str:
    """The sbatch script of one run: one node, ``nproc_per_node`` tasks, srun of the worker.

    The worker runs with ``--launcher slurm``: mlrkit's ``init_distributed`` reads the ranks
    from ``SLURM_PROCID`` / ``SLURM_NTASKS`` and the address from the node list; the port is
    derived from the job id, so concurrent runs on one node do not collide.
    """
    slurm = options.slurm
    tasks = options.nproc_per_node
    flags = [
        f"--job-name={job_name}",
        f"--output={log}",
        "--nodes=1",
        f"--ntasks-per-node={tasks}",
        f"--cpus-per-task={slurm.cpus_per_task}",
    ]
    if slurm.gpus_per_task > 0:
        flags.append(f"--gres=gpu:{slurm.gpus_per_task * tasks}")
    if slurm.partition:
        flags.append(f"--partition={slurm.partition}")
    if slurm.time:
        flags.append(f"--time={slurm.time}")
    flags += [extra if extra.startswith("-") else f"--{extra}" for extra in slurm.extra]
    worker = [sys.executable, "-m", "mlrkit.bench.worker", str(spec), "--launcher", "slurm"]
    lines = [
        "#!/bin/bash",
        *(f"#SBATCH {flag}" for flag in flags),
        "",
        "set -euo pipefail",
        f"export OMP_NUM_THREADS={slurm.cpus_per_task}",
        "export PYTHONUNBUFFERED=1",
        "export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))",
        f"cd {shlex.quote(str(workdir or Path.cwd()))}",
        f"srun {shlex.join(worker)}",
        "",
    ]
    return "\n".join(lines)


def submit_slurm(script: Path) -> str:
    """``sbatch --parsable SCRIPT``; returns the job id.

    Raises:
        FileNotFoundError: there is no ``sbatch`` on the PATH (not a Slurm login node).
        RuntimeError: sbatch refused the script; its message is included.
    """
    command = ["sbatch", "--parsable", str(script)]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise FileNotFoundError(
            "--launcher slurm needs `sbatch` on the PATH; run the bench on a Slurm login node, "
            "or use --launcher none / pytorch here"
        ) from None
    if out.returncode != 0:
        raise RuntimeError(f"sbatch {script} failed: {out.stderr.strip() or out.stdout.strip()}")
    return out.stdout.strip().split(";")[0]


def slurm_job_active(job_id: str) -> bool:
    """Whether a job is still queued or running (``squeue``); False when squeue cannot tell."""
    command = ["squeue", "-h", "-j", str(job_id), "-o", "%T"]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (FileNotFoundError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and bool(out.stdout.strip())
