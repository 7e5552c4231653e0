"""Figures of a bench: one metric against a numeric setting (paper Figure 6: mAP vs tau)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlrkit.bench.results import ORACLE_ROWS, metric_value, oracle_rows, run_state, summarize
from mlrkit.bench.spec import BenchPlan, FigureSpec
from mlrkit.bench.tables import Cell, Grid, describe_setup

__all__ = ["figure_grid", "plot_figure"]


def _points(spec: FigureSpec, plan: BenchPlan, results: Mapping[str, Any]):
    """``[(label, [(x, Summary, states)])]`` for each series."""
    out = []
    for series in spec.series:
        points = []
        for x, variant in series.points:
            runs = plan.runs_of(variant, spec.dataset)
            states = [run_state(results.get(r.run), r) for r in runs]
            values = [
                metric_value(results[r.run], spec.metric) for r, s in zip(runs, states) if s == "ok"
            ]
            points.append((x, summarize(values), states))
        out.append((series.label, points))
    return out


def _oracles(spec: FigureSpec, plan: BenchPlan, work_dir: Path):
    runs = [r for s in spec.series for _, v in s.points for r in plan.runs_of(v, spec.dataset)]
    return oracle_rows(work_dir, plan, runs) if runs else None


def figure_grid(
    spec: FigureSpec, plan: BenchPlan, results: Mapping[str, Any], work_dir: Path
) -> Grid:
    """The figure's numbers as a table: one row per series, one column per x value, and the
    two oracle rows on the built-in data."""
    data = _points(spec, plan, results)
    xs = sorted({x for _, pts in data for x, _, _ in pts})
    header = ["series", "source", *(f"{spec.x_label}={x:g}" for x in xs)]
    rows = []
    for label, pts in data:
        by_x = {x: (summary, states) for x, summary, states in pts}
        cells = [Cell(text=label), Cell(text="ours")]
        for x in xs:
            if x not in by_x:
                cells.append(Cell(text=""))
                continue
            summary, states = by_x[x]
            empty = "failed" if "failed" in states else "pending"
            cells.append(Cell.of(summary, empty))
        rows.append(cells)
    oracles = _oracles(spec, plan, work_dir)
    if oracles is not None:
        for name, label in ORACLE_ROWS:
            summary = oracles[name].get(spec.metric)
            rows.append(
                [Cell(text=label), Cell(text="oracle")] + [Cell.of(summary, "") for _ in xs]
            )
    first = next((r for r in plan.runs if r.seed == plan.seeds[0]), None)
    notes = [f"{spec.metric} of each run's best checkpoint on the test split."]
    if first is not None:
        notes.append(
            f"Ours: {describe_setup(plan.configs[first.run]._cfg_dict)}; seeds "
            f"{', '.join(map(str, plan.seeds))}"
            + (" [--quick settings]" if plan.quick else "")
            + "."
        )
    return Grid(spec.name, spec.title, header, rows, notes)


def plot_figure(
    spec: FigureSpec,
    plan: BenchPlan,
    results: Mapping[str, Any],
    work_dir: Path,
    paper_note: str | None = None,
) -> Path:
    """Draw the figure as ``<work_dir>/figures/<name>.png``: each series' mean with +/- std
    error bars over seeds, and the oracle ceilings as dashed lines on the built-in data."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    out_dir = Path(work_dir) / "figures"
    out_dir.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    markers = "osD^v<>p*h"
    for i, (label, pts) in enumerate(_points(spec, plan, results)):
        xs = [x for x, s, _ in pts if s.mean is not None]
        ys = [s.mean for _, s, _ in pts if s.mean is not None]
        errs = [s.std or 0.0 for _, s, _ in pts if s.mean is not None]
        if not xs:
            continue
        ax.errorbar(
            xs,
            ys,
            yerr=errs if any(errs) else None,
            label=label,
            marker=markers[i % len(markers)],
            capsize=3,
            linewidth=1.5,
        )
    oracles = _oracles(spec, plan, work_dir)
    if oracles is not None:
        for (name, label), style in zip(ORACLE_ROWS, (":", "--")):
            value = oracles[name].get(spec.metric)
            if value is not None and value.mean is not None:
                ax.axhline(value.mean, color="grey", linestyle=style, linewidth=1, label=label)
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(f"{spec.metric} (%)")
    ax.set_title(spec.title + (" [quick]" if plan.quick else ""))
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, ncol=2)
    if paper_note:
        fig.text(0.01, 0.01, f"paper: {paper_note}", fontsize=6, alpha=0.7, wrap=True)
    fig.tight_layout(rect=(0, 0.04 if paper_note else 0, 1, 1))
    path = out_dir / f"{spec.name}.png"
    tmp = out_dir / f".{spec.name}.tmp.png"
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
    return path
