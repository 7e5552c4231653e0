"""Bench configs: load one, check it, and expand it into the plan of runs.

The format is described in docs/architecture.md ("Bench"). Everything that can be wrong in a
bench config is found here, before anything runs: unknown keys in the ``bench`` dict, variants
without names or with duplicate names, base configs that do not exist, overrides naming keys
that the variant's base config does not have (strict, per variant), tables whose rows or
columns do not match the variants, the metrics the runs report, or the paper table.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from mmengine.config import Config

from mlrkit.bench.paper import paper_table
from mlrkit.checks import positive_int
from mlrkit.engine.config import load_config

__all__ = [
    "BenchConfigError",
    "BenchPlan",
    "ColumnSpec",
    "FigureSpec",
    "RowSpec",
    "RunSpec",
    "SeriesSpec",
    "TableSpec",
    "Variant",
    "load_bench",
    "plain",
    "slug",
]

# the keys of the bench dict and its quick dict; a variant, table, row, column, figure or
# series may have the fields of its dataclass below (Variant, TableSpec, ...)
BENCH_KEYS = {
    "name", "base", "seeds", "seed_keys", "overrides", "variants", "quick", "tables", "figures",
    "datasets",
}  # fmt: skip
QUICK_KEYS = {"overrides", "seeds", "variants"}
CHECKPOINTS = ("selected", "last")


class BenchConfigError(ValueError):
    """A bench config that cannot run; the message names the entry and how to fix it."""


# -- plain data ------------------------------------------------------------------------------
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def plain(value: Any) -> Any:
    """A config value as JSON-able plain data, stable across processes.

    Classes and functions become their registered (class) name or ``module.qualname``; other
    objects their ``repr`` without memory addresses.
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, type):
        return value.__name__
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    return _ADDRESS.sub("", repr(value))


# CPU threads per run process unless --threads says otherwise: a fixed number, so that
# `--jobs` (how many runs at once) never changes a result.
DEFAULT_THREADS = 1


def slug(name: str) -> str:
    """A file-name-safe form of a variant or dataset name (``avg+max`` stays, ``/`` goes)."""
    out = re.sub(r"[^A-Za-z0-9._+=-]+", "_", name).strip("._")
    return out or "_"


def _fingerprint(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- the plan --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One row of the grid: a name, its base config (may hold ``{dataset}``) and overrides."""

    name: str
    base: str
    overrides: dict[str, Any]


@dataclass
class RunSpec:
    """One (variant, dataset, seed) run: everything a worker needs, as plain data.

    Attributes:
        run: the run's id, also its file name (``<variant>[__<dataset>]__seed<k>``).
        variant, dataset, seed: its place in the grid (``dataset`` None without a data axis).
        base: absolute path of the experiment config it starts from.
        overrides: dotted keys -> plain values, in the order they are applied.
        fingerprint: hash of the resolved config, the seed and the threads per process; a
            result with another one is stale.
    """

    run: str
    variant: str
    dataset: str | None
    seed: int
    base: str
    overrides: dict[str, Any]
    fingerprint: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RowSpec:
    variant: str
    paper: str | None


@dataclass(frozen=True)
class ColumnSpec:
    metric: str
    header: str
    paper: str | None
    dataset: str | None


@dataclass
class TableSpec:
    """A table to render: rows are variants, columns metrics, beside a paper table."""

    name: str
    title: str
    paper: str | None
    paper_setting: str | None
    row_header: str
    rows: list[RowSpec]
    columns: list[ColumnSpec]
    cited: bool = False
    checkpoint: str = "selected"


@dataclass(frozen=True)
class SeriesSpec:
    label: str
    points: list[tuple[float, str]]


@dataclass
class FigureSpec:
    """A line plot of one metric against a numeric setting, one line per series."""

    name: str
    title: str
    metric: str
    x_label: str
    series: list[SeriesSpec]
    dataset: str | None
    paper: str | None = None
    checkpoint: str = "selected"


@dataclass
class BenchPlan:
    """A checked bench config, expanded into runs.

    Attributes:
        path: the bench config file.
        name: the bench's name (the config's stem unless ``bench.name`` is set).
        quick: whether ``--quick`` settings are applied.
        seeds: the seeds run.
        datasets: the data axis (``{name: value for {dataset}}``), or None.
        variants: all variants of the config, in order (``--quick`` may run a subset).
        active: names of the variants that run.
        runs: the runs, seed-major (every variant's first seed comes first).
        configs: each run's resolved config (mmengine ``Config``), by run id.
        tables, figures: what to render.
        threads: CPU threads of each run's process (in every run's fingerprint).
    """

    path: Path
    name: str
    quick: bool
    seeds: list[int]
    datasets: dict[str, str] | None
    variants: list[Variant]
    active: list[str]
    runs: list[RunSpec] = field(default_factory=list)
    configs: dict[str, Config] = field(default_factory=dict)
    tables: list[TableSpec] = field(default_factory=list)
    figures: list[FigureSpec] = field(default_factory=list)
    threads: int = 1

    def runs_of(self, variant: str, dataset: str | None = None) -> list[RunSpec]:
        """The runs of one variant (on one dataset of the data axis), in seed order."""
        return [
            r
            for r in self.runs
            if r.variant == variant and (dataset is None or r.dataset == dataset)
        ]


# -- checks ----------------------------------------------------------------------------------
def _where(*parts: Any) -> str:
    return "bench." + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)[1:]


def _mapping(node: Any, where: str, keys: type | set[str] | None = None) -> Mapping:
    """``node``, checked to be a dict with no keys but ``keys`` (a set, or a dataclass's fields)."""
    if not isinstance(node, Mapping):
        raise BenchConfigError(f"{where} must be a dict, got {type(node).__name__}")
    allowed = keys if isinstance(keys, set) or keys is None else {f.name for f in fields(keys)}
    extra = sorted(set(node) - allowed) if allowed is not None else []
    if extra:
        raise BenchConfigError(
            f"{where} has unknown key(s) {', '.join(map(repr, extra))}; allowed: "
            f"{', '.join(sorted(allowed))}"
        )
    return node


def _list(node: Any, where: str, non_empty: bool = True) -> list:
    if isinstance(node, (str, bytes)) or not isinstance(node, Sequence):
        raise BenchConfigError(f"{where} must be a list, got {type(node).__name__}")
    if non_empty and not node:
        raise BenchConfigError(f"{where} is empty")
    return list(node)


def _name(node: Any, where: str) -> str:
    if not isinstance(node, str) or not node.strip():
        raise BenchConfigError(f"{where} must be a non-empty string, got {node!r}")
    return node


def _seeds(node: Any, where: str) -> list[int]:
    seeds = _list(node, where)
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int):
            raise BenchConfigError(f"{where} must hold integers, got {s!r}")
    if len(set(seeds)) != len(seeds):
        raise BenchConfigError(f"{where} repeats a seed: {seeds}")
    return [int(s) for s in seeds]


def _overrides(node: Any, where: str) -> dict[str, Any]:
    if node is None:
        return {}
    node = _mapping(node, where)
    for key in node:
        if not isinstance(key, str) or not key:
            raise BenchConfigError(f"{where} has a key {key!r}; keys are dotted config paths")
    return {str(k): plain(v) for k, v in node.items()}


# -- loading ---------------------------------------------------------------------------------
def _read(path: Path) -> Mapping:
    if not path.is_file():
        raise FileNotFoundError(f"bench config {path} does not exist")
    cfg = Config.fromfile(str(path))
    if "bench" not in cfg:
        raise BenchConfigError(
            f"{path} has no `bench = dict(...)`; a bench config names a base experiment, "
            "variants, seeds and tables (see docs/architecture.md, 'Bench')"
        )
    return _mapping(cfg["bench"], "bench")


def _variants(spec: Mapping, here: Path, default_base: str | None) -> list[Variant]:
    out: list[Variant] = []
    for i, node in enumerate(_list(spec.get("variants"), _where("variants"))):
        where = _where("variants", i)
        node = _mapping(node, where, Variant)
        name = _name(node.get("name"), where + ".name")
        base = node.get("base", default_base)
        if base is None:
            raise BenchConfigError(
                f"variant {name!r} has no base config: set bench.base or the variant's base"
            )
        base = _name(base, where + ".base")
        resolved = base if Path(base).is_absolute() else str(here / base)
        out.append(Variant(name, resolved, _overrides(node.get("overrides"), where)))
    names = [v.name for v in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BenchConfigError(f"bench.variants: duplicate name(s) {dupes}; names must be unique")
    slugs = [slug(n) for n in names]
    clash = sorted({n for n, s in zip(names, slugs) if slugs.count(s) > 1})
    if clash:
        raise BenchConfigError(
            f"bench.variants: names {clash} give the same file name; rename one of them"
        )
    return out


def _check_overrides(cfg: Config, overrides: Mapping[str, Any], what: str) -> None:
    from mlrkit.engine.config import check_override_keys

    try:
        check_override_keys(cfg, overrides)
    except KeyError as err:
        raise BenchConfigError(f"{what}: {err.args[0]}") from None


def evaluator_of(cfg: Mapping[str, Any]) -> Mapping[str, Any]:
    """A config's test evaluator (else its val evaluator; the first of a list), or ``{}``."""
    evaluator = cfg.get("test_evaluator") or cfg.get("val_evaluator") or {}
    if isinstance(evaluator, Sequence) and not isinstance(evaluator, Mapping):
        evaluator = evaluator[0] if evaluator else {}
    return evaluator if isinstance(evaluator, Mapping) else {}


_CLASSES: dict[str, tuple[str, ...]] = {}


def _classes(cfg: Config) -> tuple[str, ...] | None:
    """The label names of a config's train data, when they are known without data files (a
    dataset with oracles renders its own images)."""
    from mlrkit.bench.results import has_oracles
    from mlrkit.registry import DATASETS

    dataset = (cfg.get("train_dataloader") or {}).get("dataset")
    if not isinstance(dataset, Mapping) or not has_oracles(plain(dataset)):
        return None

    node = plain(dataset)
    node["num_samples"] = 1
    key = json.dumps(node, sort_keys=True)
    if key not in _CLASSES:
        _CLASSES[key] = tuple(DATASETS.build(node).classes)
    return _CLASSES[key]


def _variant(plan: BenchPlan, variant: Any, where: str) -> str:
    """``variant``, checked to name a variant of the plan."""
    known = [v.name for v in plan.variants]
    if variant not in known:
        raise BenchConfigError(
            f"{where}: no variant {variant!r}; the variants are: {', '.join(known)}"
        )
    return str(variant)


def _check_metric(metric: str, plan: BenchPlan, variant: str, dataset: str | None, where: str):
    """Raise unless the runs of ``variant`` (on ``dataset``) report ``metric``."""
    from mlrkit.metrics.functional import metric_names

    cfg = plan.configs[plan.runs_of(variant, dataset)[0].run]
    names = metric_names(int(evaluator_of(cfg).get("top_k", 3)))
    if metric in names:
        return
    if not metric.startswith("AP/"):
        raise BenchConfigError(
            f"{where}: unknown metric {metric!r}; use one of {', '.join(names)} or AP/<class name>"
        )
    classes = _classes(cfg)
    if classes is not None and metric[3:] not in classes:
        raise BenchConfigError(
            f"{where}: metric {metric!r} names no class of the data; classes: {', '.join(classes)}"
        )


def _tables(spec: Mapping, plan: BenchPlan) -> list[TableSpec]:
    tables: list[TableSpec] = []
    datasets = list(plan.datasets or [])
    seen: set[str] = set()
    for i, node in enumerate(_list(spec.get("tables", []), _where("tables"), non_empty=False)):
        where = _where("tables", i)
        node = _mapping(node, where, TableSpec)
        name = _name(node.get("name"), where + ".name")
        if slug(name) != name or name in seen:
            raise BenchConfigError(
                f"{where}.name {name!r} must be unique and file-name safe (e.g. 'table_III')"
            )
        seen.add(name)
        paper_key = node.get("paper")
        printed = paper_table(paper_key) if paper_key is not None else None
        rows: list[RowSpec] = []
        for j, row in enumerate(_list(node.get("rows"), where + ".rows")):
            rwhere = f"{where}.rows[{j}]"
            row = _mapping(row, rwhere, RowSpec)
            variant = _variant(plan, _name(row.get("variant"), rwhere + ".variant"), rwhere)
            paper_row = _printed(row.get("paper"), "row", printed, paper_key, rwhere)
            if variant in plan.active:
                rows.append(RowSpec(variant, paper_row))
        columns: list[ColumnSpec] = []
        for j, col in enumerate(_list(node.get("columns"), where + ".columns")):
            cwhere = f"{where}.columns[{j}]"
            col = _mapping(col, cwhere, ColumnSpec)
            metric = _name(col.get("metric"), cwhere + ".metric")
            paper_col = _printed(col.get("paper"), "column", printed, paper_key, cwhere)
            dataset = _dataset_of(col.get("dataset"), datasets, cwhere)
            for row in rows:
                _check_metric(metric, plan, row.variant, dataset, cwhere)
            header = col.get("header") or metric
            columns.append(ColumnSpec(metric, str(header), paper_col, dataset))
        headers = [c.header for c in columns]
        if len(set(headers)) != len(headers):
            raise BenchConfigError(f"{where}.columns: duplicate headers {headers}")
        cited = node.get("cited", False)
        if not isinstance(cited, bool) or (cited and printed is None):
            raise BenchConfigError(
                f"{where}.cited must be True or False, and True only with a paper table "
                f"(it shows that table's rows no variant stands for), got {cited!r}"
            )
        tables.append(
            TableSpec(
                name=name,
                title=str(node.get("title") or name),
                paper=paper_key,
                paper_setting=node.get("paper_setting"),
                row_header=str(node.get("row_header") or "Variant"),
                rows=rows,
                columns=columns,
                cited=cited,
                checkpoint=_checkpoint(node, where),
            )
        )
    return tables


def _printed(
    name: Any, kind: str, printed: Mapping | None, paper_key: str | None, where: str
) -> str | None:
    """A row or column (``kind``) of the paper table ``printed`` that an entry names, or None."""
    if name is None:
        return None
    if printed is None:
        raise BenchConfigError(
            f"{where} names paper {kind} {name!r} but the table has no paper table; set the "
            f"table's paper key or drop the {kind}'s paper"
        )
    if name not in printed[kind + "s"]:
        raise BenchConfigError(
            f"{where}: the paper table {paper_key} has no {kind} {name!r}; its {kind}s are: "
            f"{', '.join(printed[kind + 's'])}"
        )
    return name


def _checkpoint(node: Mapping, where: str) -> str:
    """A table's or figure's ``checkpoint``: whose test figures it shows."""
    value = node.get("checkpoint", "selected")
    if value not in CHECKPOINTS:
        raise BenchConfigError(
            f"{where}.checkpoint must be one of {', '.join(CHECKPOINTS)} (the checkpoint the "
            f"protocol selected, or the last epoch's), got {value!r}"
        )
    return str(value)


def _dataset_of(value: Any, datasets: list[str], where: str) -> str | None:
    if not datasets:
        if value is not None:
            raise BenchConfigError(
                f"{where}.dataset is {value!r} but the bench has no data axis (bench.datasets)"
            )
        return None
    if value is None:
        if len(datasets) == 1:
            return datasets[0]
        raise BenchConfigError(f"{where} must name its dataset, one of {', '.join(datasets)}")
    if value not in datasets:
        raise BenchConfigError(
            f"{where}.dataset {value!r} is not in bench.datasets ({', '.join(datasets)})"
        )
    return str(value)


def _figures(spec: Mapping, plan: BenchPlan) -> list[FigureSpec]:
    figures: list[FigureSpec] = []
    datasets = list(plan.datasets or [])
    for i, node in enumerate(_list(spec.get("figures", []), _where("figures"), non_empty=False)):
        where = _where("figures", i)
        node = _mapping(node, where, FigureSpec)
        name = _name(node.get("name"), where + ".name")
        if slug(name) != name:
            raise BenchConfigError(f"{where}.name {name!r} must be file-name safe")
        metric = str(node.get("metric", "mAP"))
        dataset = _dataset_of(node.get("dataset"), datasets, where)
        series: list[SeriesSpec] = []
        for j, s in enumerate(_list(node.get("series"), where + ".series")):
            swhere = f"{where}.series[{j}]"
            s = _mapping(s, swhere, SeriesSpec)
            label = _name(s.get("label"), swhere + ".label")
            points: list[tuple[float, str]] = []
            for k, point in enumerate(_list(s.get("points"), swhere + ".points")):
                pwhere = f"{swhere}.points[{k}]"
                if (
                    isinstance(point, (str, bytes))
                    or not isinstance(point, Sequence)
                    or len(point) != 2
                    or isinstance(point[0], bool)
                    or not isinstance(point[0], (int, float))
                ):
                    raise BenchConfigError(f"{pwhere} must be [x, variant name], got {point!r}")
                variant = _variant(plan, point[1], pwhere)
                if variant in plan.active:
                    points.append((float(point[0]), variant))
                    _check_metric(metric, plan, variant, dataset, where)
            series.append(SeriesSpec(label, points))
        figures.append(
            FigureSpec(
                name=name,
                title=str(node.get("title") or name),
                metric=metric,
                x_label=str(node.get("x_label", "x")),
                series=series,
                dataset=dataset,
                paper=_paper_entry(node.get("paper"), where),
                checkpoint=_checkpoint(node, where),
            )
        )
    return figures


def _paper_entry(key: Any, where: str) -> str | None:
    """A key of paper_tables.json for a figure (whose entry holds a note, not rows)."""
    from mlrkit.bench.paper import paper_tables

    if key is None:
        return None
    if key not in paper_tables():
        raise BenchConfigError(
            f"{where}.paper: no entry {key!r} in the paper's tables; entries: "
            f"{', '.join(k for k in paper_tables() if k != 'source')}"
        )
    return str(key)


def load_bench(
    path: str | Path,
    *,
    quick: bool = False,
    seeds: Sequence[int] | None = None,
    cfg_options: Mapping[str, Any] | None = None,
    threads: int = DEFAULT_THREADS,
) -> BenchPlan:
    """Load a bench config, check all of it, and expand it into runs.

    Args:
        path: the bench config file.
        quick: apply the config's ``quick`` settings (smaller data, fewer epochs, ...).
        seeds: seeds to run instead of the config's.
        cfg_options: dotted overrides for every variant (``--cfg-options``), applied last.
        threads: CPU threads of each run's process (``--threads``). The float results of a
            CPU run depend on it (the order of reductions), so it is fixed, independent of
            ``--jobs``, and part of every run's fingerprint.

    Returns:
        the plan; nothing has run and nothing was written.

    Raises:
        FileNotFoundError: the bench config or a variant's base config does not exist.
        BenchConfigError: anything else wrong in the config; the message names the entry.
    """
    positive_int("", "--threads", threads)
    path = Path(path).resolve()
    spec = _mapping(_read(path), "bench", BENCH_KEYS)
    here = path.parent
    variants = _variants(spec, here, spec.get("base"))
    quick_spec = _mapping(spec.get("quick") or {}, "bench.quick", QUICK_KEYS)
    active = [v.name for v in variants]
    if quick and "quick" not in spec:
        raise BenchConfigError(
            f"--quick: {path} has no bench.quick (what --quick shrinks); run it without --quick"
        )
    if quick and quick_spec.get("variants") is not None:
        subset = _list(quick_spec["variants"], "bench.quick.variants")
        missing = [n for n in subset if n not in active]
        if missing:
            raise BenchConfigError(
                f"bench.quick.variants names {missing}, which are not variants; the variants "
                f"are: {', '.join(active)}"
            )
        active = [n for n in active if n in subset]
    if seeds is not None:
        run_seeds = _seeds(list(seeds), "--seeds")
    elif quick and quick_spec.get("seeds") is not None:
        run_seeds = _seeds(quick_spec["seeds"], "bench.quick.seeds")
    else:
        run_seeds = _seeds(spec.get("seeds", [0]), "bench.seeds")
    seed_keys = [
        _name(k, "bench.seed_keys")
        for k in _list(spec.get("seed_keys", ["randomness.seed"]), "bench.seed_keys")
    ]
    datasets = spec.get("datasets")
    if datasets is not None:
        datasets = {
            _name(k, "bench.datasets key"): _name(v, f"bench.datasets.{k}")
            for k, v in _mapping(datasets, "bench.datasets").items()
        }
        if not datasets:
            raise BenchConfigError("bench.datasets is empty; drop it or name the datasets")
    # the name is a folder name (work_dirs/bench/<name>): made file-name safe like variants'
    name = slug(str(spec.get("name") or path.stem))
    plan = BenchPlan(path, name, quick, run_seeds, datasets, variants, active, threads=threads)

    groups = [
        ("bench.overrides", _overrides(spec.get("overrides"), "bench.overrides")),
        ("bench.quick.overrides", _overrides(quick_spec.get("overrides"), "bench.quick.overrides"))
        if quick
        else ("", {}),
        ("--cfg-options", {str(k): plain(v) for k, v in (cfg_options or {}).items()}),
    ]
    loaded: dict[str, Config] = {}
    by_name = {v.name: v for v in variants}
    for seed in run_seeds:
        for vname in active:
            variant = by_name[vname]
            for dataset, value in (datasets or {None: None}).items():
                base = variant.base.replace("{dataset}", value) if value else variant.base
                if "{dataset}" in base:
                    raise BenchConfigError(
                        f"variant {vname!r}: base {variant.base} holds {{dataset}} but the "
                        "bench has no bench.datasets"
                    )
                if base not in loaded:
                    if not Path(base).is_file():
                        raise FileNotFoundError(
                            f"variant {vname!r}: base config {base} does not exist (paths are "
                            f"relative to the bench config's folder {here})"
                        )
                    loaded[base] = load_config(base)  # custom_imports, the config's folder
                cfg = copy.deepcopy(loaded[base])
                ordered: dict[str, Any] = {}
                steps = [
                    groups[0],
                    (f"variant {vname!r}", variant.overrides),
                    *groups[1:],
                    ("bench.seed_keys", {k: seed for k in seed_keys}),
                ]
                for what, overrides in steps:
                    if not overrides:
                        continue
                    label = f"variant {vname!r}" + (
                        "" if what.startswith("variant") else f", {what}"
                    )
                    _check_overrides(cfg, overrides, label)
                    cfg.merge_from_dict(dict(overrides))
                    ordered.update(overrides)
                parts = [slug(vname)] + ([slug(dataset)] if dataset else []) + [f"seed{seed}"]
                run_id = "__".join(parts)
                fingerprint = _fingerprint(
                    {
                        "base": Path(base).name,
                        "config": plain(cfg._cfg_dict),
                        "seed": seed,
                        "threads": threads,
                    }
                )
                run = RunSpec(run_id, vname, dataset, seed, base, ordered, fingerprint)
                plan.runs.append(run)
                plan.configs[run_id] = cfg
    plan.tables = _tables(spec, plan)
    plan.figures = _figures(spec, plan)
    return plan
