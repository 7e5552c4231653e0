"""Result files of a bench, their state, summaries over seeds, and the oracle ceilings.

``results/<run>.json`` is written once per finished attempt (atomically, by the worker or, if
the worker died without writing one, by the bench). A run's state is read from it:

- ``ok`` / ``failed``: a result with the run's current fingerprint;
- ``stale``: a result from another version of the config (it is re-run);
- ``todo``: no result yet.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlrkit.bench.layout import BenchDir, read_json
from mlrkit.bench.record import BenchResultWarning, RunResult
from mlrkit.bench.spec import BenchPlan, RunSpec, evaluator_of, plain

__all__ = ["BenchResultWarning", "Summary", "oracle_figures", "run_state", "summarize"]


def run_state(result: RunResult | None, run: RunSpec) -> str:
    """``"ok"``, ``"failed"``, ``"stale"`` or ``"todo"`` (see the module docstring)."""
    if result is None:
        return "todo"
    if result.fingerprint != run.fingerprint:
        return "stale"
    return "ok" if result.ok else "failed"


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


def has_oracles(dataset: Mapping[str, Any]) -> bool:
    """Whether the dataset a config entry builds has oracles (asked of its class)."""
    from mlrkit.registry import DATASETS

    try:
        kind = DATASETS.get(dataset.get("type"))
    except (KeyError, TypeError, RuntimeError):  # no type, or one not registered here
        return False
    return bool(getattr(kind, "has_oracles", False))


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


def oracle_key(setting: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(setting, sort_keys=True).encode()).hexdigest()[:16]


def oracle_figures(work_dir: Path, setting: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Both oracles' figures and per-class AP (``"AP/<class>"``) for one setting, cached.

    Computed once per setting (i.e. per data seed and size) with
    :func:`mlrkit.datasets.oracles.oracle_logits` and the models' metric conventions, and
    cached as ``oracles/<key>.json`` in the bench work dir.
    """
    path = BenchDir(work_dir).oracles / f"{oracle_key(setting)}.json"
    cached = read_json(path)
    if isinstance(cached, dict) and cached.get("setting") == json.loads(json.dumps(setting)):
        return cached["oracles"]
    from mlrkit.datasets.oracles import oracle_logits
    from mlrkit.engine.experiment import write_json_atomic
    from mlrkit.metrics.functional import evaluate
    from mlrkit.registry import DATASETS

    train = DATASETS.build(dict(setting["train"]))
    test = DATASETS.build(dict(setting["test"]))
    out: dict[str, dict[str, float]] = {}
    conventions = dict(setting["conventions"])
    for name, logits in oracle_logits(train, test).items():
        figures, ap = evaluate(logits, test.targets, **conventions)
        entry = {k: float(v) for k, v in figures.items()}
        for cls, value in zip(test.classes, ap.tolist()):
            if value == value:  # classes without a positive have no AP
                entry[f"AP/{cls}"] = float(value)
        out[name] = entry
    write_json_atomic(path, {"setting": setting, "oracles": out})
    return out


def oracle_rows(
    work_dir: Path, plan: BenchPlan, runs: Sequence[RunSpec]
) -> dict[str, dict[str, Summary]] | None:
    """Oracle summaries over the distinct data settings of ``runs``: ``{oracle: {metric: ..}}``.

    None when the runs are not on the built-in data.
    """
    settings: dict[str, Mapping[str, Any]] = {}
    for run in runs:
        setting = oracle_setting(plan.configs[run.run]._cfg_dict)
        if setting is None:
            return None
        settings.setdefault(oracle_key(setting), setting)
    if not settings:
        return None
    per_setting = [oracle_figures(work_dir, s) for s in settings.values()]
    out: dict[str, dict[str, Summary]] = {}
    for name, _ in ORACLE_ROWS:
        metrics = set().union(*(fig[name] for fig in per_setting))
        out[name] = {m: summarize(fig[name].get(m) for fig in per_setting) for m in metrics}
    return out


def run_oracles(
    work_dir: Path, plan: BenchPlan, run: RunSpec
) -> dict[str, dict[str, float]] | None:
    """The oracles of one run's own data setting (for its share of the gap), or None."""
    setting = oracle_setting(plan.configs[run.run]._cfg_dict)
    return None if setting is None else oracle_figures(work_dir, setting)
