"""A run's result: one typed record, written as ``results/<run>.json`` and read back.

The worker writes it when a run finishes or fails, the bench when a worker died without
writing one. The JSON keys are the field names; fields that are None are left out, and keys
this version does not know (from another version's file) are kept in :attr:`RunResult.extra`,
so every result file written so far reads, and a read record writes back the same keys.
"""

from __future__ import annotations

import dataclasses
import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BenchResultWarning", "RunResult"]


class BenchResultWarning(UserWarning):
    """A result file holds something other than a result; the run is shown as failed."""


@dataclass
class RunResult:
    """One run's result (see docs/architecture.md, "Bench", for what each field holds).

    ``status`` is ``"ok"`` (with the test figures of the selected checkpoint in ``metrics`` and
    ``per_class_ap``, and the last epoch's in ``last``) or ``"failed"`` (with ``error``,
    ``traceback`` and ``log_tail``). ``fingerprint`` ties the result to the run's config: a
    result with another fingerprint is stale.
    """

    status: str
    fingerprint: str | None = None
    run: str | None = None
    variant: str | None = None
    dataset: str | None = None
    seed: int | None = None
    attempt: str | None = None
    base: str | None = None
    overrides: dict[str, Any] | None = None
    launcher: str | None = None
    resumed: bool | None = None
    evaluated_by: str | None = None
    protocol: str | None = None
    recipe: str | None = None
    mixed_precision: str | None = None
    selection: dict[str, Any] | None = None
    metrics: dict[str, float] | None = None
    per_class_ap: dict[str, float] | None = None
    last: dict[str, Any] | None = None
    checkpoint: str | None = None
    config: dict[str, Any] | None = None
    wall_time_s: dict[str, float] | None = None
    parameters: dict[str, int] | None = None
    world_size: int | None = None
    threads: int | None = None
    versions: dict[str, Any] | None = None
    git_commit: str | None = None
    error: str | None = None
    traceback: list[str] | None = None
    log_tail: list[str] | None = None
    finished: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def metric(self, name: str, checkpoint: str = "selected") -> float | None:
        """A test figure: one of the 13 figures, or ``AP/<class>`` (per-class AP).

        Args:
            name: the figure.
            checkpoint: ``"selected"`` (the checkpoint the protocol selected) or ``"last"``
                (the last epoch's; results written before it was recorded have none).
        """
        source: dict[str, Any] = (self.last or {}) if checkpoint == "last" else vars(self)
        key, table = (name[3:], "per_class_ap") if name.startswith("AP/") else (name, "metrics")
        value = (source.get(table) or {}).get(key)
        return None if value is None else float(value)

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out = {k: v for k, v in out.items() if v is not None and k != "extra"}
        return {**out, **self.extra}

    def write(self, path: Path) -> None:
        """Write the record atomically (a reader never sees half a file)."""
        from mlrkit.engine.experiment import write_json_atomic

        self.finished = self.finished or time.time()
        write_json_atomic(path, self.to_json())

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> RunResult:
        names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        known = {k: v for k, v in payload.items() if k in names}
        extra = {k: v for k, v in payload.items() if k not in names}
        return cls(**{"status": "failed", **known}, extra=extra)

    @classmethod
    def read(cls, path: Path) -> RunResult | None:
        """The result in ``path``, or None when there is none (or it cannot be read).

        A file whose values have the wrong types (e.g. a metric that is a string) reads as a
        failed result naming the file, with a :class:`BenchResultWarning`: the run shows as
        failed, every other run renders, and ``--retry-failed`` runs it again.
        """
        try:
            payload = json.loads(Path(path).read_text())
        except (OSError, ValueError, RecursionError):
            return None
        problem = _problem(payload)
        if problem is None:
            return cls.from_json(payload)
        error = f"result file {path} is damaged: {problem}"
        warnings.warn(
            f"{error}; run {Path(path).stem} is shown as failed (--retry-failed runs it again)",
            BenchResultWarning,
            stacklevel=1,  # one place: shown once per file, however often the file is read
        )
        fingerprint = payload.get("fingerprint") if isinstance(payload, dict) else None
        return cls("failed", fingerprint=fingerprint, error=error)


def _problem(payload: Any) -> str | None:
    """What is wrong with the types of a result file's content, or None when nothing is."""
    if not isinstance(payload, dict):
        return f"expected a JSON object, got {type(payload).__name__}"
    for key in ("status", "fingerprint"):
        if key in payload and not isinstance(payload[key], str):
            return f"{key!r} is {payload[key]!r}, not a string"
    for key in ("metrics", "per_class_ap"):
        table = payload.get(key)
        if table is None:
            continue
        if not isinstance(table, dict):
            return f"{key!r} is a {type(table).__name__}, not an object of numbers"
        for name, value in table.items():
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                return f"{key}.{name} is {value!r}, not a number"
    return None
