"""Where everything of a bench lives in its work dir: the only place that builds those paths.

docs/architecture.md ("Bench") lists the work dir. A run's id names its folder and its result
file. ``config.py`` (the run's resolved config) is new; everything else is where earlier
versions put it, so a bench re-run into an older work dir finds its results and checkpoints.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from pathlib import Path
from typing import IO, Any

__all__ = ["BenchDir", "BenchLock", "BenchLockedError", "RunDir", "read_json"]


def read_json(path: Path) -> Any:
    """The JSON content of a file of the work dir, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


class RunDir:
    """The folder of one run (``<work dir>/runs/<run>``).

    Attributes:
        spec: the run's plan entry for one attempt; config: its resolved config (both written
            by the bench for the worker); log, progress, lock: the worker's; work: the mmengine
            work dir (checkpoints, logs, the test passes); slurm_*: a Slurm run's script, job
            record and log (``%j``: the job id).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.spec = self.path / "spec.json"
        self.config = self.path / "config.py"
        self.log = self.path / "worker.log"
        self.progress = self.path / "progress.json"
        self.lock = self.path / "run.lock"
        self.work = self.path / "work"
        self.slurm_script = self.path / "slurm.sh"
        self.slurm_job = self.path / "slurm_job.json"
        self.slurm_log = self.path / "slurm-%j.log"


class BenchDir:
    """The work dir of a bench (default ``work_dirs/bench/<name>[_quick]``)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.lock = self.root / "bench.lock"
        self.plan = self.root / "plan.json"
        self.tables = self.root / "tables"
        self.figures = self.root / "figures"
        self.oracles = self.root / "oracles"

    def run(self, run_id: str) -> RunDir:
        return RunDir(self.root / "runs" / run_id)

    def result(self, run_id: str) -> Path:
        return self.root / "results" / f"{run_id}.json"


class BenchLockedError(RuntimeError):
    """Another bench holds the work dir's lock."""


class BenchLock:
    """An exclusive, non-blocking ``flock`` on ``<work dir>/bench.lock``.

    The file holds the owner's pid, start time and command line, for the refusal message. The
    lock belongs to the open file: it is released by :meth:`release`, by closing, or by the
    kernel when the process dies, however it dies (SIGKILL included), so a stale lock file
    never blocks the next bench.

    Example:
        >>> with BenchLock(work_dir):          # doctest: +SKIP
        ...     run_the_bench()

    Raises:
        BenchLockedError: from :meth:`acquire`, when another live process holds the lock.
    """

    def __init__(self, work_dir: str | Path) -> None:
        self.path = BenchDir(work_dir).lock
        self._handle: IO[str] | None = None

    def acquire(self) -> BenchLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip()
            handle.close()
            try:
                info = json.loads(owner)
                who = f"pid {info['pid']}, started {info['started']}: {' '.join(info['argv'])}"
            except (ValueError, KeyError, TypeError):
                who = "another process"
            raise BenchLockedError(
                f"another bench is running in {self.path.parent} ({who}); wait for it to "
                "finish, or give this one another --work-dir"
            ) from None
        handle.seek(0)
        handle.truncate()
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        handle.write(json.dumps({"pid": os.getpid(), "started": started, "argv": sys.argv}))
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def __enter__(self) -> BenchLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
