"""Tables of a bench, laid out like the paper's, as Markdown, LaTeX and CSV (tabulate).

Rows: with ``cited=True`` first the paper table's rows no variant stands for (source "cited"),
then each variant followed by its paper row, then the oracle rows on the built-in data. The
columns, the cells and the lines under a table are described in docs/architecture.md, "Bench".
"""

from __future__ import annotations

import csv
import inspect
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tabulate import tabulate

from mlrkit.bench.paper import paper_sources, paper_table
from mlrkit.bench.results import (
    ORACLE_ROWS,
    RunResult,
    Summary,
    dataset_class,
    oracle_figures,
    oracle_rows,
    oracle_setting,
    run_states,
    summarize,
)
from mlrkit.bench.spec import BenchPlan, RunSpec, TableSpec, evaluator_of, plain

__all__ = [
    "Cell",
    "Grid",
    "build_table",
    "describe_conventions",
    "describe_setup",
    "render",
    "to_csv",
    "to_latex",
    "to_markdown",
]

SHARE = "share of gap"
SMOKE_TEST = (
    "SMOKE TEST (--quick): few images and epochs, to check that every run goes through; these "
    "figures (a negative share of gap included) say nothing about the methods and are not to be "
    "compared with the paper's. Run without --quick for results."
)


@dataclass
class Cell:
    """One table cell: a number (with optional std) or a word (``failed``, ``pending``)."""

    mean: float | None = None
    std: float | None = None
    text: str = ""
    digits: int = 1

    @classmethod
    def of(cls, summary: Summary | None, empty: str, digits: int = 1) -> Cell:
        """The summary's mean +/- std, or the word ``empty`` when there is no mean."""
        if summary is None or summary.mean is None:
            return cls(text=empty)
        return cls(summary.mean, summary.std, digits=digits)

    def format(self) -> str:
        if self.mean is None:
            return self.text
        text = f"{self.mean:.{self.digits}f}"
        if self.std is not None:
            text += f" ± {self.std:.{self.digits}f}"
        return text


@dataclass
class Grid:
    """A rendered table before formatting: header, rows of cells, title and notes."""

    name: str
    title: str
    header: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)


# -- what our runs were ----------------------------------------------------------------------
def _size(dataset: Mapping[str, Any]) -> int | None:
    if isinstance(dataset.get("image_size"), int):
        return int(dataset["image_size"])
    for step in dataset.get("pipeline") or []:
        size = step.get("size") if isinstance(step, Mapping) else None
        if isinstance(size, int):
            return size
        if isinstance(size, (list, tuple)) and size:
            return int(size[0])
    return None


def describe_setup(cfg: Mapping[str, Any]) -> str:
    """One line: data, backbone, resolution and schedule of a run's config.

    Example: ``built-in SyntheticScenes (VOC label statistics, 7 pixel-identical pairs, 5,000
    train / 1,000 val / 1,500 test images, data seed 0); resnet18 cut after stage 2, from scratch;
    48x48 px; 8 epochs, AdamW lr 0.002 (OneCycleLR), batch 32``.
    """
    cfg = plain(cfg)
    train_loader = cfg.get("train_dataloader") or {}
    train = train_loader.get("dataset") or {}
    test = (cfg.get("test_dataloader") or cfg.get("val_dataloader") or {}).get("dataset") or {}
    val = (cfg.get("val_dataloader") or {}).get("dataset") or {}
    describe_data = getattr(dataset_class(train), "describe_data", None)
    if describe_data is not None:  # the dataset says what it is
        data = describe_data(train, val, test)
    else:
        data = (
            f"{train.get('type', '?')} {train.get('split', 'train')} -> "
            f"{test.get('type', '?')} {test.get('split', 'test')}"
        )
    backbone_cfg = (cfg.get("model") or {}).get("backbone") or {}
    backbone = str(backbone_cfg.get("model_name") or backbone_cfg.get("type", "?"))
    if backbone_cfg.get("out_index") is not None:
        backbone += f" cut after stage {backbone_cfg['out_index']}"
    weights = backbone_cfg.get("pretrained_file")
    backbone += f", weights {weights}" if weights else ", from scratch"
    size = _size(test) or _size(train)
    resolution = f"{size}x{size} px" if size else "resolution as configured"
    train_cfg = cfg.get("train_cfg") or {}
    if "max_epochs" in train_cfg:
        epochs = train_cfg["max_epochs"]
        length = f"{epochs} epoch" + ("" if epochs == 1 else "s")
    else:
        iters = train_cfg.get("max_iters", "?")
        length = f"{int(iters):,}" if isinstance(iters, (int, float)) else str(iters)
        length += " iterations"
    optimizer = (cfg.get("optim_wrapper") or {}).get("optimizer") or {}
    schedulers = [
        s.get("type", "?") for s in cfg.get("param_scheduler") or [] if isinstance(s, Mapping)
    ]
    schedule = f"{length}, {optimizer.get('type', '?')} lr {optimizer.get('lr', '?')}"
    if schedulers:
        schedule += f" ({', '.join(schedulers)})"
    schedule += f", batch {train_loader.get('batch_size', '?')}"
    recipe = cfg.get("recipe") or {}
    if recipe.get("name"):
        parts = [
            f"{recipe['name']} recipe",
            recipe.get("loss") and str(recipe["loss"].get("type", "?")),
            recipe.get("ema") and f"EMA momentum {recipe['ema'].get('momentum', '?')}",
            recipe.get("train_augment")
            and " + ".join(str(a.get("type", "?")) for a in recipe["train_augment"]),
            recipe.get("mixed_precision") and f"mixed precision {recipe['mixed_precision']}",
        ]
        schedule += f" ({', '.join(p for p in parts if p)})"
    return f"{data}; {backbone}; {resolution}; {schedule}"


def describe_conventions(cfg: Mapping[str, Any]) -> str:
    """One line naming the conventions that shape a run's numbers (docs/conventions.md).

    Example: ``metrics: AP standard (stable sort), threshold 0.5, top-3 thresholded, CF1
    harmonic, difficult ignore; training: difficult labels positive``.
    """
    from mlrkit.metrics.multilabel_metric import MultiLabelMetric

    cfg = plain(cfg)
    evaluator = evaluator_of(cfg)
    defaults = inspect.signature(MultiLabelMetric.__init__).parameters

    def option(name: str) -> Any:
        return evaluator.get(name, defaults[name].default)

    ap = option("ap_mode")
    text = (
        f"metrics: AP {ap}{' (stable sort)' if ap == 'standard' else ''}, threshold "
        f"{option('threshold')}, top-{option('top_k')} {option('top_k_mode')}, CF1 "
        f"{option('cf1')}"
    )
    train = ((cfg.get("train_dataloader") or {}).get("dataset")) or {}
    model = cfg.get("model") or {}
    if getattr(dataset_class(train), "has_difficult_labels", False):
        text += (
            f", difficult {option('difficult_mode')}; training: difficult labels "
            f"{model.get('train_difficult', 'ignore')}"
        )
    graph = (model.get("encoder") or {}).get("graph") or {}
    if graph.get("direction") not in (None, "mlgcn"):
        text += f"; graph direction {graph['direction']}"
    return text


# -- building a table ------------------------------------------------------------------------
def _source(states: Sequence[str], seeds: int) -> str:
    ok, failed = states.count("ok"), states.count("failed")
    if ok == 0:
        return "failed" if failed else "pending"
    if ok == len(states):
        return "ours" if seeds == 1 else f"ours (n={seeds})"
    others = [(failed, "failed"), (len(states) - ok - failed, "pending")]
    parts = [f"{ok}/{len(states)} ok", *(f"{n} {word}" for n, word in others if n)]
    return f"ours ({', '.join(parts)})"


def _share(work_dir: Path, plan: BenchPlan, run: RunSpec, result: RunResult) -> float | None:
    """A run's mAP as a share of the gap between its own data's oracles (None or NaN: none)."""
    from mlrkit.datasets.oracles import share_of_gap

    oracles = oracle_figures(work_dir, oracle_setting(plan.configs[run.run]._cfg_dict))
    value = result.metric("mAP")
    if value is None:
        return None
    return share_of_gap(value, oracles["pixels-only"]["mAP"], oracles["pixels+context"]["mAP"])


def build_table(
    spec: TableSpec,
    plan: BenchPlan,
    results: Mapping[str, RunResult | None],
    work_dir: Path,
) -> Grid:
    """The table ``spec`` from the runs' results (``{run id: result or None}``).

    Oracle rows and the share-of-gap column are added when the runs are on the built-in data.
    """
    printed = paper_table(spec.paper) if spec.paper else None
    table_runs = [r for row in spec.rows for r in plan.runs_of(row.variant)]
    oracles = oracle_rows(work_dir, plan, table_runs)
    header = [spec.row_header, "source", *(c.header for c in spec.columns)]
    if oracles is not None:
        header.append(SHARE)
    rows: list[list[Cell]] = []
    if spec.cited and printed is not None:  # the printed rows no variant stands for
        ours = {row.paper for row in spec.rows}
        rows += [_printed_row(spec, printed, n, "cited") for n in printed["rows"] if n not in ours]
    for row in spec.rows:
        states, ok = run_states(results, plan.runs_of(row.variant))
        empty = "failed" if "failed" in states and not ok else "pending"
        cells = [Cell(text=row.variant), Cell(text=_source(states, len(plan.seeds)))]
        for col in spec.columns:
            mine = [x for r, x in ok if col.dataset in (None, r.dataset)]
            values = (x.metric(col.metric, spec.checkpoint) for x in mine)
            cells.append(Cell.of(summarize(values), empty))
        if oracles is not None:
            shares = [_share(work_dir, plan, r, x) for r, x in ok]
            cells.append(Cell.of(summarize(shares), empty, digits=2))
        rows.append(cells)
        if row.paper is not None and printed is not None:
            rows.append(_printed_row(spec, printed, row.paper, "paper"))
    if oracles is not None:
        for (name, label), share in zip(ORACLE_ROWS, (0.0, 1.0)):
            cells = [Cell.of(oracles[name].get(c.metric), "") for c in spec.columns]
            rows.append([Cell(text=label), Cell(text="oracle"), *cells, Cell(share, digits=2)])
    title = f"{spec.title} [--quick: smoke test]" if plan.quick else spec.title
    rows = [row + [Cell()] * (len(header) - len(row)) for row in rows]  # printed rows: no share
    return Grid(spec.name, title, header, rows, _notes(spec, plan, table_runs, oracles is not None))


def protocol_notes(plan: BenchPlan, runs: Sequence[RunSpec], checkpoint: str = "selected") -> str:
    """The line under a table or figure saying how its checkpoints were selected.

    One protocol for all runs gives its note; mixed protocols name each variant's.
    """
    from mlrkit.engine.protocol import protocol_note

    by_protocol: dict[str, dict[str, None]] = {}  # {protocol: {variant: None}}, in run order
    for run in runs:
        protocol = plan.configs[run.run].get("protocol") or "held_out"
        by_protocol.setdefault(protocol, {})[run.variant] = None
    if len(by_protocol) <= 1:
        return protocol_note(next(iter(by_protocol), "held_out"), checkpoint)
    return " ".join(
        f"[{', '.join(names)}] {protocol_note(protocol, checkpoint)}"
        for protocol, names in by_protocol.items()
    )


def _printed_row(spec: TableSpec, printed: Mapping[str, Any], name: str, source: str) -> list[Cell]:
    """The paper's printed row ``name`` under ``spec``'s columns, labelled ``source``."""
    values = printed["rows"][name]
    return [Cell(text=name), Cell(text=source), *(Cell(values.get(c.paper)) for c in spec.columns)]


def ours_note(plan: BenchPlan, setup: str, details: str = "") -> str:
    """The line saying what our runs were: ``setup``, the seeds, ``details``, --quick."""
    seeds = ", ".join(str(s) for s in plan.seeds)
    quick = " [--quick settings]" if plan.quick else ""
    return f"Ours: {setup}; seeds {seeds}{details}{quick}."


def _notes(spec: TableSpec, plan: BenchPlan, runs: Sequence[RunSpec], oracles: bool) -> list[str]:
    spread = " (mean ± sample std over seeds)" if len(plan.seeds) > 1 else ""
    setup = _described(plan, runs, describe_setup)
    ours = ours_note(plan, setup, f"{spread}; {plan.threads} CPU thread(s) per run (--threads)")
    protocol = protocol_notes(plan, runs, spec.checkpoint)
    notes = [SMOKE_TEST, protocol, ours] if plan.quick else [ours, protocol]
    conventions = _described(plan, runs, describe_conventions)
    if conventions:
        notes.append(f"Conventions (docs/conventions.md): {conventions}.")
    if spec.paper:
        setting = f"{spec.paper_setting}; " if spec.paper_setting else ""
        mapped = [c for c in spec.columns if c.paper and c.paper != c.header]
        theirs = ", ".join(c.paper for c in mapped)
        mapping = (
            f": its {theirs} beside our {', '.join(c.header for c in mapped)}" if mapped else ""
        )
        notes.append(f"Paper: {setting}values as printed ({spec.paper}{mapping}).")
        if spec.cited:
            notes.append(
                "Cited: the other methods of the paper's table, as the paper prints them (each "
                "from its own publication and setting); not re-run here."
            )
        sources = paper_sources(spec.paper)
        cited = [row.paper for row in spec.rows if row.paper in sources]
        if cited:
            notes.append("Sources: " + "; ".join(f"{r}: {sources[r]}" for r in cited) + ".")
    if oracles:
        notes.append(
            "Oracles: perfect perceivers of the rendered glyphs, fitted on our train split, "
            f"scored on our test split (mlrkit.datasets.oracles); {SHARE} = (mAP - pixels "
            "only) / (pixels + context - pixels only)."
        )
    return notes


def _described(plan: BenchPlan, runs: Sequence[RunSpec], describe) -> str:
    """What ``describe`` says of the first seed's runs: one text when all share it, else
    ``labels: text | labels: text`` (empty without runs)."""
    described: dict[str, list[str]] = {}  # {text: [labels of the runs it describes]}
    for run in runs:
        if run.seed == plan.seeds[0]:
            label = run.variant + (f" on {run.dataset}" if run.dataset else "")
            described.setdefault(describe(plan.configs[run.run]._cfg_dict), []).append(label)
    if len(described) == 1:
        return next(iter(described))
    return " | ".join(f"{', '.join(labels)}: {text}" for text, labels in described.items())


# -- formats ---------------------------------------------------------------------------------
def to_markdown(grid: Grid) -> str:
    body = tabulate(
        [[c.format() for c in row] for row in grid.rows],
        headers=grid.header,
        tablefmt="github",
        disable_numparse=True,
    )
    notes = "\n".join(f"- {n}" for n in grid.notes)
    return f"### {grid.title}\n\n{body}\n\n{notes}\n"


_TEX_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "±": r"$\pm$",
}  # fmt: skip


def tex_escape(text: str) -> str:
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


def to_latex(grid: Grid) -> str:
    body = tabulate(
        [[tex_escape(c.format()) for c in row] for row in grid.rows],
        headers=[tex_escape(h) for h in grid.header],
        tablefmt="latex_raw",
        disable_numparse=True,
        colalign=["left", "left", *["right"] * (len(grid.header) - 2)],
    )
    notes = "\n".join(f"\\par\\footnotesize {tex_escape(n)}" for n in grid.notes)
    return (
        "\\begin{table}[t]\n\\centering\n"
        f"\\caption{{{tex_escape(grid.title)}}}\n\\label{{tab:{grid.name}}}\n"
        f"\\resizebox{{\\linewidth}}{{!}}{{%\n{body}}}\n{notes}\n\\end{{table}}\n"
    )


def to_csv(grid: Grid) -> str:
    """One line per row; each value column as ``<header>`` and ``<header> std``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    labels, values = grid.header[:2], grid.header[2:]
    writer.writerow([*labels, *(x for h in values for x in (h, f"{h} std"))])
    for row in grid.rows:
        line = [c.text for c in row[:2]]
        for cell in row[2:]:
            numbers = ["" if x is None else f"{x:.4f}" for x in (cell.mean, cell.std)]
            line += [cell.text, ""] if cell.mean is None else numbers
        writer.writerow(line)
    return out.getvalue()


FORMATS = {"md": to_markdown, "tex": to_latex, "csv": to_csv}


def render(grid: Grid, out_dir: Path, formats: Sequence[str]) -> dict[str, Path]:
    """Write ``<out_dir>/<name>.<fmt>`` for each format; returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for fmt in formats:
        path = out_dir / f"{grid.name}.{fmt}"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(FORMATS[fmt](grid))
        tmp.replace(path)
        written[fmt] = path
    return written
