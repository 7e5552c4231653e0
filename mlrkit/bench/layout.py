"""Where everything of a bench lives in its work dir: the only place that builds those paths.

::

    <work dir>/
      bench.lock  plan.json
      runs/<run>/  spec.json  config.py  worker.log  progress.json  run.lock  work/
                   slurm.sh  slurm_job.json  slurm-<job id>.log
      results/<run>.json  tables/  figures/  oracles/

A run's id (``<variant>[__<dataset>]__seed<k>``) names its folder and its result file.
``config.py`` (the run's resolved config) is new; everything else is where earlier versions
put it, so a bench re-run into an older work dir finds its results and checkpoints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["BenchDir", "RunDir", "read_json"]


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
