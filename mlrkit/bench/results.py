"""Result files of a bench: the record of one run, its state, summaries over seeds, oracles.

``results/<run>.json`` (docs/architecture.md, "Bench"; written by the worker, or by the bench
for a worker that died) is a :class:`RunResult`: the JSON keys are its field names; fields that
are None are left out, and keys this version does not know (another version's) are kept in
:attr:`RunResult.extra`, so every result file written so far reads, and a read record writes
back the same keys. A run's state: ``ok`` / ``failed`` (a result with the run's current
fingerprint), ``stale`` (from another version of the config: it is re-run), ``todo`` (none).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlrkit.bench import BenchResultWarning
from mlrkit.bench.layout import BenchDir, read_json
from mlrkit.bench.spec import BenchPlan, RunSpec, evaluator_of, plain
from mlrkit.bench.spec import fingerprint as oracle_key  # the oracles' cache file name

__all__ = ["BenchResultWarning", "RunResult", "Summary", "oracle_figures", "run_state", "summarize"]


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
        out = {k: v for k, v in vars(self).items() if v is not None and k != "extra"}
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
        if table is not None and not isinstance(table, dict):
            return f"{key!r} is a {type(table).__name__}, not an object of numbers"
        for name, value in (table or {}).items():
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                return f"{key}.{name} is {value!r}, not a number"
    return None


def run_state(result: RunResult | None, run: RunSpec) -> str:
    """``"ok"``, ``"failed"``, ``"stale"`` or ``"todo"`` (see the module docstring)."""
    if result is None:
        return "todo"
    if result.fingerprint != run.fingerprint:
        return "stale"
    return "ok" if result.ok else "failed"


def run_states(
    results: Mapping[str, RunResult | None], runs: Sequence[RunSpec]
) -> tuple[list[str], list[tuple[RunSpec, RunResult]]]:
    """The state of each of ``runs``, and the ok ones with their results."""
    states = [run_state(results.get(r.run), r) for r in runs]
    ok = [(r, results[r.run]) for r, s in zip(runs, states) if s == "ok"]
    return states, ok


@dataclass
class Summary:
    """Mean and sample standard deviation of one figure over seeds.

    Attributes:
        mean: mean over the runs that have the figure, or None when none has.
        std: sample std (ddof 1), or None for fewer than two values.
        n: number of values.
    """

    mean: float | None
    std: float | None
    n: int


def summarize(values: Iterable[float | None]) -> Summary:
    vals = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not vals:
        return Summary(None, None, 0)
    mean = sum(vals) / len(vals)
    if len(vals) < 2:
        return Summary(mean, None, len(vals))
    var = sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)
    return Summary(mean, math.sqrt(var), len(vals))


# -- oracles (built-in data) -----------------------------------------------------------------
ORACLE_ROWS = (
    ("pixels-only", "oracle: pixels only"),
    ("pixels+context", "oracle: pixels + context"),
)
_CONVENTIONS = ("threshold", "difficult_mode", "cf1", "top_k", "top_k_mode", "ap_mode")


def _loader_dataset(cfg: Mapping[str, Any], *loaders: str) -> dict[str, Any] | None:
    for loader in loaders:
        node = cfg.get(loader)
        if isinstance(node, Mapping) and isinstance(node.get("dataset"), Mapping):
            return plain(node["dataset"])
    return None


def dataset_class(dataset: Mapping[str, Any]) -> Any:
    """The registered class of a dataset config entry, or None (no type, or not registered)."""
    from mlrkit.registry import DATASETS

    try:
        return DATASETS.get(dataset.get("type"))
    except (KeyError, TypeError, RuntimeError):  # no type, or one not registered here
        return None


def has_oracles(dataset: Mapping[str, Any]) -> bool:
    """Whether the dataset a config entry builds has oracles (asked of its class)."""
    return bool(getattr(dataset_class(dataset), "has_oracles", False))


def oracle_setting(cfg: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the oracles of a run depend on: its train and test splits and metric conventions.

    None when the run's train dataset has no oracles (its ``has_oracles`` is False).
    """
    cfg = plain(cfg)
    train = _loader_dataset(cfg, "train_dataloader")
    test = _loader_dataset(cfg, "test_dataloader", "val_dataloader")
    if train is None or test is None or not has_oracles(train):
        return None
    evaluator = evaluator_of(cfg)
    conventions = {k: evaluator[k] for k in _CONVENTIONS if k in evaluator}
    for split in (train, test):
        split.pop("pipeline", None)  # the oracles read rendering metadata, never pixels
    return {"train": train, "test": test, "conventions": conventions}


def oracle_figures(work_dir: Path, setting: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Both oracles' figures and per-class AP (``"AP/<class>"``) for one setting, cached.

    Computed once per setting (i.e. per data seed and size) by
    :func:`mlrkit.datasets.oracles.oracle_scores` and cached as ``oracles/<key>.json`` in the
    bench work dir.
    """
    path = BenchDir(work_dir).oracles / f"{oracle_key(setting)}.json"
    cached = read_json(path)
    if isinstance(cached, dict) and cached.get("setting") == json.loads(json.dumps(setting)):
        return cached["oracles"]
    from mlrkit.datasets.oracles import oracle_scores
    from mlrkit.engine.experiment import write_json_atomic

    out = oracle_scores(setting["train"], setting["test"], setting["conventions"])
    write_json_atomic(path, {"setting": setting, "oracles": out})
    return out


def oracle_rows(
    work_dir: Path, plan: BenchPlan, runs: Sequence[RunSpec]
) -> dict[str, dict[str, Summary]] | None:
    """Oracle summaries over the distinct data settings of ``runs``: ``{oracle: {metric: ..}}``.

    None when the runs are not on the built-in data.
    """
    settings = [oracle_setting(plan.configs[run.run]._cfg_dict) for run in runs]
    if not settings or None in settings:
        return None
    distinct = {oracle_key(s): s for s in settings}.values()
    per_setting = [oracle_figures(work_dir, s) for s in distinct]
    out: dict[str, dict[str, Summary]] = {}
    for name, _ in ORACLE_ROWS:
        metrics = set().union(*(fig[name] for fig in per_setting))
        out[name] = {m: summarize(fig[name].get(m) for fig in per_setting) for m in metrics}
    return out
