"""Bench configs (docs/architecture.md, "Bench"): load one, check all of it before anything
runs, and expand it into the plan of runs."""

from __future__ import annotations

import copy
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from mmengine.config import Config

from mlrkit.bench.paper import paper_table, paper_tables
from mlrkit.checks import positive_int
from mlrkit.engine.config import check_override_keys, load_config

__all__ = ["BenchConfigError", "BenchPlan", "RunSpec", "load_bench", "plain", "slug"]

# the keys of the bench dict and its quick dict; a variant, table, row, column, figure or
# series may have the fields of its dataclass below (Variant, TableSpec, ...)
BENCH_KEYS = set(
    "name base seeds seed_keys overrides variants quick tables figures datasets".split()
)
QUICK_KEYS = {"overrides", "seeds", "variants"}
CHECKPOINTS = ("selected", "last")


class BenchConfigError(ValueError):
    """A bench config that cannot run; the message names the entry and how to fix it."""


# -- plain data ------------------------------------------------------------------------------
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
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))


# CPU threads per run process unless --threads says otherwise: a fixed number, so that
# `--jobs` (how many runs at once) never changes a result.
DEFAULT_THREADS = 1


def slug(name: str) -> str:
    """A file-name-safe form of a variant or dataset name (``avg+max`` stays, ``/`` goes)."""
    return re.sub(r"[^A-Za-z0-9._+=-]+", "_", name).strip("._") or "_"


def fingerprint(payload: Any) -> str:
    """A short hash of JSON-able data (a run's resolved config, an oracle setting)."""
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- checks ----------------------------------------------------------------------------------
def _read(path: Path) -> Mapping:
    if not path.is_file():
        raise FileNotFoundError(f"bench config {path} does not exist")
    cfg = Config.fromfile(str(path))
    if "bench" not in cfg:
        raise BenchConfigError(
            f"{path} has no `bench = dict(...)`; a bench config names a base experiment, "
            "variants, seeds and tables (see docs/architecture.md, 'Bench')"
        )
    return cfg["bench"]


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


def _name(node: Any, where: str, ctx: Any = None) -> str:
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


def _overrides(node: Any, where: str, ctx: Any = None) -> dict[str, Any]:
    if node is None:
        return {}
    node = _mapping(node, where)
    for key in node:
        if not isinstance(key, str) or not key:
            raise BenchConfigError(f"{where} has a key {key!r}; keys are dotted config paths")
    return {str(k): plain(v) for k, v in node.items()}


def _build(cls: type, node: Any, where: str, ctx: Mapping[str, Any]) -> Any:
    """The dataclass ``cls`` read from the bench config's entry ``node`` (named ``where``), a
    dict with no keys but ``cls``'s fields, each read by its metadata's ``check(value,
    "<where>.<field>", ctx)``. A value left out is the metadata's ``missing``, else the field's
    default, else None (with ``inherit``: the enclosing entry's value). ``ctx`` holds the plan,
    the entry's ``where`` and the fields read so far, the entry's own and its parents'."""
    node = _mapping(node, where, cls)
    ctx = {**ctx, "where": where}
    for f in fields(cls):
        default = f.metadata.get("missing", None if f.default is MISSING else f.default)
        default = ctx.get(f.name) if f.metadata.get("inherit") else default
        ctx[f.name] = f.metadata["check"](node.get(f.name, default), f"{where}.{f.name}", ctx)
    return cls(**{f.name: ctx[f.name] for f in fields(cls)})


def _entries(cls: type, node: Any, where: str, ctx: Mapping, non_empty: bool = True) -> list:
    """A list of ``cls`` entries, each read by :func:`_build`."""
    return [
        _build(cls, n, f"{where}[{i}]", ctx) for i, n in enumerate(_list(node, where, non_empty))
    ]


def _by(check: Callable[[Any, str, Any], Any], default: Any = MISSING, **meta: Any) -> Any:
    """A field read from a bench config by ``check`` (see :func:`_build`)."""
    return field(default=default, metadata={"check": check, **meta})


def _text(default: str) -> Any:
    """A field whose value defaults to the entry's field ``default`` (a title: its name)."""
    return _by(lambda v, w, ctx: str(v or ctx[default]))


def _base(base: Any, where: str, ctx: Mapping[str, Any]) -> str:
    if base is None:
        raise BenchConfigError(
            f"variant {ctx['name']!r} has no base config: set bench.base or the variant's base"
        )
    base = _name(base, where)
    return base if Path(base).is_absolute() else str(ctx["here"] / base)


def _merge(cfg: Config, variant: str, groups: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Merge the groups of overrides into ``cfg`` in turn, each checked against ``cfg`` as it
    is then; returns the overrides as applied, in order (a later value replaces an earlier)."""
    applied: dict[str, Any] = {}
    for what, overrides in groups:
        if overrides:
            try:
                check_override_keys(cfg, overrides)
            except KeyError as err:
                raise BenchConfigError(f"variant {variant!r}{what}: {err.args[0]}") from None
            cfg.merge_from_dict(dict(overrides))
            applied.update(overrides)
    return applied


def evaluator_of(cfg: Mapping[str, Any]) -> Mapping[str, Any]:
    """A config's test evaluator (else its val evaluator; the first of a list), or ``{}``."""
    evaluator = cfg.get("test_evaluator") or cfg.get("val_evaluator") or {}
    if isinstance(evaluator, Sequence) and not isinstance(evaluator, Mapping):
        evaluator = evaluator[0] if evaluator else {}
    return evaluator if isinstance(evaluator, Mapping) else {}


def _classes(cfg: Config) -> tuple[str, ...] | None:
    """The label names of a config's train data, when they are known without data files (a
    dataset with oracles renders its own images)."""
    from mlrkit.bench.results import has_oracles

    dataset = (cfg.get("train_dataloader") or {}).get("dataset")
    if not isinstance(dataset, Mapping) or not has_oracles(plain(dataset)):
        return None
    return _dataset_classes(json.dumps({**plain(dataset), "num_samples": 1}, sort_keys=True))


@functools.cache
def _dataset_classes(dataset: str) -> tuple[str, ...]:
    """The classes of a dataset config (as JSON), built once."""
    from mlrkit.registry import DATASETS

    return tuple(DATASETS.build(json.loads(dataset)).classes)


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


def _file_name(name: Any, where: str, ctx: Mapping[str, Any]) -> str:
    """A table's (unique) or figure's (``ctx["seen"]`` None) file-name safe name."""
    name, seen = _name(name, where), ctx.get("seen")
    if slug(name) != name or name in (seen or ()):
        must = "file-name safe" if seen is None else "unique and file-name safe (e.g. 'table_III')"
        raise BenchConfigError(f"{where} {name!r} must be {must}")
    if seen is not None:
        seen.add(name)
    return name


def _paper_key(key: Any, where: str, ctx: Any) -> str | None:
    if key is not None:
        paper_table(key)  # raises when it is not a table of the paper
    return key


def _printed(name: Any, kind: str, ctx: Mapping[str, Any]) -> str | None:
    """A row or column (``kind``) of the table's paper table that an entry names, or None."""
    where, paper_key = ctx["where"], ctx["paper"]
    if name is None:
        return None
    if paper_key is None:
        raise BenchConfigError(
            f"{where} names paper {kind} {name!r} but the table has no paper table; set the "
            f"table's paper key or drop the {kind}'s paper"
        )
    printed = paper_table(paper_key)[kind + "s"]
    if name not in printed:
        raise BenchConfigError(
            f"{where}: the paper table {paper_key} has no {kind} {name!r}; its {kind}s are: "
            f"{', '.join(printed)}"
        )
    return name


def _rows(node: Any, where: str, ctx: Mapping[str, Any]) -> list[RowSpec]:
    """The rows of a table whose variants run."""
    return [r for r in _entries(RowSpec, node, where, ctx) if r.variant in ctx["plan"].active]


def _columns(node: Any, where: str, ctx: Mapping[str, Any]) -> list[ColumnSpec]:
    columns = _entries(ColumnSpec, node, where, ctx)
    headers = [c.header for c in columns]
    if len(set(headers)) != len(headers):
        raise BenchConfigError(f"{where}: duplicate headers {headers}")
    return columns


def _cited(cited: Any, where: str, ctx: Mapping[str, Any]) -> bool:
    if not isinstance(cited, bool) or (cited and ctx["paper"] is None):
        raise BenchConfigError(
            f"{where} must be True or False, and True only with a paper table "
            f"(it shows that table's rows no variant stands for), got {cited!r}"
        )
    return cited


def _checkpoint(value: Any, where: str, ctx: Any) -> str:
    """A table's or figure's ``checkpoint``: whose test figures it shows."""
    if value not in CHECKPOINTS:
        raise BenchConfigError(
            f"{where} must be one of {', '.join(CHECKPOINTS)} (the checkpoint the "
            f"protocol selected, or the last epoch's), got {value!r}"
        )
    return str(value)


def _dataset(value: Any, where: str, ctx: Mapping[str, Any]) -> str | None:
    """A column's or figure's dataset of the data axis; the metric checked on its runs."""
    plan, where = ctx["plan"], ctx["where"]
    datasets = list(plan.datasets or [])
    if not datasets and value is not None:
        raise BenchConfigError(
            f"{where}.dataset is {value!r} but the bench has no data axis (bench.datasets)"
        )
    if value is None and len(datasets) > 1:
        raise BenchConfigError(f"{where} must name its dataset, one of {', '.join(datasets)}")
    dataset = datasets[0] if value is None and datasets else value
    if datasets and dataset not in datasets:
        raise BenchConfigError(
            f"{where}.dataset {value!r} is not in bench.datasets ({', '.join(datasets)})"
        )
    variants = [r.variant for r in ctx.get("rows", [])]  # a column's rows, a figure's points
    variants += [v for s in ctx.get("series", []) for _, v in s.points]
    for variant in variants:
        _check_metric(ctx["metric"], plan, variant, dataset, where)
    return dataset


def _points(node: Any, where: str, ctx: Mapping[str, Any]) -> list[tuple[float, str]]:
    """A series' ``[x, variant name]`` points whose variants run."""
    points: list[tuple[float, str]] = []
    for k, point in enumerate(_list(node, where)):
        x = point[0] if isinstance(point, Sequence) and len(point) == 2 else None
        if isinstance(point, bytes) or isinstance(x, bool) or not isinstance(x, (int, float)):
            raise BenchConfigError(f"{where}[{k}] must be [x, variant name], got {point!r}")
        variant = _variant(ctx["plan"], point[1], f"{where}[{k}]")
        if variant in ctx["plan"].active:
            points.append((float(x), variant))
    return points


def _paper_entry(key: Any, where: str, ctx: Any) -> str | None:
    """A key of paper_tables.json for a figure (whose entry holds a note, not rows)."""
    if key is not None and key not in paper_tables():
        raise BenchConfigError(
            f"{where}: no entry {key!r} in the paper's tables; entries: "
            f"{', '.join(k for k in paper_tables() if k != 'source')}"
        )
    return None if key is None else str(key)


# -- the plan --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One row of the grid: a name, its base config (may hold ``{dataset}``) and overrides."""

    name: str = _by(_name)
    base: str = _by(_base, inherit=True)
    overrides: dict[str, Any] = _by(_overrides)


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
    variant: str = _by(lambda v, w, ctx: _variant(ctx["plan"], _name(v, w), ctx["where"]))
    paper: str | None = _by(lambda v, w, ctx: _printed(v, "row", ctx))


@dataclass(frozen=True)
class ColumnSpec:
    metric: str = _by(_name)
    header: str = _text("metric")
    paper: str | None = _by(lambda v, w, ctx: _printed(v, "column", ctx))
    dataset: str | None = _by(_dataset)


@dataclass
class TableSpec:
    """A table to render: rows are variants, columns metrics, beside a paper table."""

    name: str = _by(_file_name)
    title: str = _text("name")
    paper: str | None = _by(_paper_key)
    paper_setting: str | None = _by(lambda v, w, ctx: v)
    row_header: str = _by(lambda v, w, ctx: str(v or "Variant"))
    rows: list[RowSpec] = _by(_rows)
    columns: list[ColumnSpec] = _by(_columns)
    cited: bool = _by(_cited, False)
    checkpoint: str = _by(_checkpoint, "selected")


@dataclass(frozen=True)
class SeriesSpec:
    label: str = _by(_name)
    points: list[tuple[float, str]] = _by(_points)


@dataclass
class FigureSpec:
    """A line plot of one metric against a numeric setting, one line per series."""

    name: str = _by(_file_name)
    title: str = _text("name")
    metric: str = _by(lambda v, w, ctx: str(v), missing="mAP")
    x_label: str = _by(lambda v, w, ctx: str(v), missing="x")
    series: list[SeriesSpec] = _by(lambda v, w, ctx: _entries(SeriesSpec, v, w, ctx))
    dataset: str | None = _by(_dataset)
    paper: str | None = _by(_paper_entry, None)
    checkpoint: str = _by(_checkpoint, "selected")


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
        return [r for r in self.runs if r.variant == variant and dataset in (None, r.dataset)]


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
    variants = _entries(Variant, spec.get("variants"), "bench.variants", {**spec, "here": here})
    names = [v.name for v in variants]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BenchConfigError(f"bench.variants: duplicate name(s) {dupes}; names must be unique")
    slugs = [slug(n) for n in names]
    clash = sorted({n for n, s in zip(names, slugs) if slugs.count(s) > 1})
    if clash:
        raise BenchConfigError(
            f"bench.variants: names {clash} give the same file name; rename one of them"
        )
    shrink = _mapping(spec.get("quick") or {}, "bench.quick", QUICK_KEYS)
    if quick and "quick" not in spec:
        raise BenchConfigError(
            f"--quick: {path} has no bench.quick (what --quick shrinks); run it without --quick"
        )
    shrink = shrink if quick else {}  # (checked even without --quick)
    active = names
    if shrink.get("variants") is not None:
        subset = _list(shrink["variants"], "bench.quick.variants")
        missing = [n for n in subset if n not in names]
        if missing:
            raise BenchConfigError(
                f"bench.quick.variants names {missing}, which are not variants; the variants "
                f"are: {', '.join(names)}"
            )
        active = [n for n in names if n in subset]
    if seeds is not None:
        run_seeds = _seeds(list(seeds), "--seeds")
    elif shrink.get("seeds") is not None:
        run_seeds = _seeds(shrink["seeds"], "bench.quick.seeds")
    else:
        run_seeds = _seeds(spec.get("seeds", [0]), "bench.seeds")
    seed_keys = _list(spec.get("seed_keys", ["randomness.seed"]), "bench.seed_keys")
    seed_keys = [_name(k, "bench.seed_keys") for k in seed_keys]
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

    common = (", bench.overrides", _overrides(spec.get("overrides"), "bench.overrides"))
    late = [
        (", bench.quick.overrides", _overrides(shrink.get("overrides"), "bench.quick.overrides")),
        (", --cfg-options", {str(k): plain(v) for k, v in (cfg_options or {}).items()}),
    ]
    loaded: dict[str, Config] = {}
    axis = (datasets or {None: None}).items()
    chosen = [v for v in variants if v.name in active]
    for seed, variant, (dataset, value) in itertools.product(run_seeds, chosen, axis):
        base = variant.base.replace("{dataset}", value) if value else variant.base
        if "{dataset}" in base:
            raise BenchConfigError(
                f"variant {variant.name!r}: base {variant.base} holds {{dataset}} but the "
                "bench has no bench.datasets"
            )
        if base not in loaded:
            if not Path(base).is_file():
                raise FileNotFoundError(
                    f"variant {variant.name!r}: base config {base} does not exist (paths are "
                    f"relative to the bench config's folder {here})"
                )
            loaded[base] = load_config(base)  # custom_imports, the config's folder
        cfg = copy.deepcopy(loaded[base])
        seeded = (", bench.seed_keys", dict.fromkeys(seed_keys, seed))
        ordered = _merge(cfg, variant.name, [common, ("", variant.overrides), *late, seeded])
        run_id = "__".join(slug(part) for part in (variant.name, dataset) if part) + f"__seed{seed}"
        payload = dict(base=Path(base).name, config=plain(cfg._cfg_dict), seed=seed)
        key = fingerprint({**payload, "threads": threads})
        plan.runs.append(RunSpec(run_id, variant.name, dataset, seed, base, ordered, key))
        plan.configs[run_id] = cfg
    tables, figures = spec.get("tables", []), spec.get("figures", [])
    plan.tables = _entries(TableSpec, tables, "bench.tables", {"plan": plan, "seen": set()}, False)
    plan.figures = _entries(FigureSpec, figures, "bench.figures", {"plan": plan}, False)
    return plan
