"""One bench per work dir at a time: an ``fcntl`` lock the kernel drops when the process dies."""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from pathlib import Path
from typing import IO

from mlrkit.bench.layout import BenchDir

__all__ = ["BenchLock", "BenchLockedError"]


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
