"""Figures of a bench: one metric against a numeric setting (paper Figure 6: mAP vs tau)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlrkit.bench.layout import BenchDir
from mlrkit.bench.results import ORACLE_ROWS, Summary, oracle_rows, run_states, summarize
from mlrkit.bench.spec import BenchPlan, FigureSpec
from mlrkit.bench.tables import Cell, Grid, describe_setup, ours_note, protocol_notes

__all__ = ["figure_grid", "plot_figure", "per_class_ap_heatmap"]


def _points(spec: FigureSpec, plan: BenchPlan, results: Mapping[str, Any]):
    """``[(label, [(x, Summary, states)])]`` for each series."""

    def point(x: float, variant: str) -> tuple[float, Summary, list[str]]:
        states, ok = run_states(results, plan.runs_of(variant, spec.dataset))
        return x, summarize(r.metric(spec.metric, spec.checkpoint) for _, r in ok), states

    return [(s.label, [point(x, variant) for x, variant in s.points]) for s in spec.series]


def _runs(spec: FigureSpec, plan: BenchPlan, x: float | None = None):
    """The figure's runs (at ``x`` only, if given), in series and point order."""
    variants = [v for s in spec.series for px, v in s.points if x in (None, px)]
    return [r for v in variants for r in plan.runs_of(v, spec.dataset)]


def _oracles(spec: FigureSpec, plan: BenchPlan, work_dir: Path):
    """``{oracle: {x: Summary}}`` of the figure's metric, or None off the built-in data.

    Each x gets the oracles of its own runs' data (a learning curve's x changes the train
    split the context oracle is fitted on); where all x share one data setting the lines are
    flat.
    """
    xs = sorted({x for s in spec.series for x, _ in s.points})
    out: dict[str, dict[float, Any]] = {name: {} for name, _ in ORACLE_ROWS}
    for x in xs:
        rows = oracle_rows(work_dir, plan, _runs(spec, plan, x))
        if rows is None:
            return None
        for name, _ in ORACLE_ROWS:
            out[name][x] = rows[name].get(spec.metric)
    return out if xs else None


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
        by_x = {x: Cell.of(s, "failed" if "failed" in st else "pending") for x, s, st in pts}
        rows.append([Cell(text=label), Cell(text="ours"), *(by_x.get(x, Cell()) for x in xs)])
    oracles = _oracles(spec, plan, work_dir)
    if oracles is not None:
        for name, label in ORACLE_ROWS:
            cells = [Cell.of(oracles[name].get(x), "") for x in xs]
            rows.append([Cell(text=label), Cell(text="oracle"), *cells])
    first = next((r for r in plan.runs if r.seed == plan.seeds[0]), None)
    which = "selected" if spec.checkpoint == "selected" else "last epoch's"
    notes = [
        f"{spec.metric} of each run's {which} checkpoint on the test split. "
        + protocol_notes(plan, _runs(spec, plan), spec.checkpoint)
    ]
    if first is not None:
        notes.append(ours_note(plan, describe_setup(plan.configs[first.run]._cfg_dict)))
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

    out_dir = BenchDir(work_dir).figures
    out_dir.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    markers = "osD^v<>p*h"
    for i, (label, pts) in enumerate(_points(spec, plan, results)):
        done = [(x, s.mean, s.std or 0.0) for x, s, _ in pts if s.mean is not None]
        if not done:
            continue
        xs, ys, errs = zip(*done)
        style = dict(marker=markers[i % len(markers)], capsize=3, linewidth=1.5)
        ax.errorbar(xs, ys, yerr=errs if any(errs) else None, label=label, **style)
    oracles = _oracles(spec, plan, work_dir)
    if oracles is not None:
        for (name, label), style in zip(ORACLE_ROWS, (":", "--")):
            line = [(x, v.mean) for x, v in sorted(oracles[name].items()) if v and v.mean]
            if len({round(y, 9) for _, y in line}) == 1:  # one data setting: a flat ceiling
                ax.axhline(line[0][1], color="grey", linestyle=style, linewidth=1, label=label)
            elif line:  # the ceiling of each x's own data
                ax.plot(*zip(*line), color="grey", linestyle=style, linewidth=1, label=label)
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(f"{spec.metric} (%)")
    ax.set_title(spec.title + (" [quick]" if plan.quick else ""))
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, ncol=2)
    footer = protocol_notes(plan, _runs(spec, plan), spec.checkpoint)
    if paper_note:
        footer += f"\npaper: {paper_note}"
    fig.text(0.01, 0.01, footer, fontsize=6, alpha=0.7, wrap=True)
    fig.tight_layout(rect=(0, 0.08 if paper_note else 0.05, 1, 1))
    path = out_dir / f"{spec.name}.png"
    tmp = out_dir / f".{spec.name}.tmp.png"
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
    return path


def per_class_ap_heatmap(plan: BenchPlan, results: Mapping[str, Any], out_dir: Path) -> list[Path]:
    """Per-class AP of every variant as a heatmap (classes x variants), one per dataset.

    A cell is the AP of that class, mean over the variant's finished seeds; variants without a
    finished run are left out. Written as ``per_class_ap[_<dataset>].png`` with the numbers in
    ``per_class_ap[_<dataset>].csv``; nothing when no run has finished.

    Returns:
        the files written.
    """
    import csv

    import numpy as np

    from mlrkit.engine.training_plots import new_figure

    written: list[Path] = []
    for dataset in dict.fromkeys(r.dataset for r in plan.runs):
        columns: dict[str, dict[str, list[float]]] = {}
        _, ok = run_states(results, [r for r in plan.runs if r.dataset == dataset])
        for run, result in ok:
            for name, value in (result.per_class_ap or {}).items():
                if value is not None:
                    columns.setdefault(run.variant, {}).setdefault(name, []).append(float(value))
        if not columns:
            continue
        variants = list(columns)
        classes = list(dict.fromkeys(c for v in variants for c in columns[v]))
        grid = np.array(  # (K, V)
            [
                [sum(x) / len(x) if (x := columns[v].get(c)) else np.nan for v in variants]
                for c in classes
            ]
        )
        stem = "per_class_ap" if dataset is None else f"per_class_ap_{dataset}"
        out_dir.mkdir(parents=True, exist_ok=True)
        with open(out_dir / f"{stem}.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["class", *variants])
            for name, row in zip(classes, grid):
                writer.writerow([name, *("" if np.isnan(v) else f"{v:.2f}" for v in row)])
        plt, fig = new_figure(1.6 + 1.1 * len(variants), 1.2 + 0.28 * len(classes))
        ax = fig.add_subplot(1, 1, 1)
        image = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0, vmax=100)
        ax.set_xticks(range(len(variants)), variants, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(classes)), classes, fontsize=7 if len(classes) <= 40 else 4)
        if len(classes) * len(variants) <= 400:
            for (i, j), value in np.ndenumerate(grid):
                if not np.isnan(value):
                    color = "white" if value < 50 else "black"
                    ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=6, color=color)
        fig.colorbar(image, ax=ax, label="AP (%)")
        where = f" ({dataset})" if dataset else ""
        ax.set_title(f"{plan.name}: per-class AP{where}", fontsize=9)
        fig.tight_layout()
        fig.savefig(out_dir / f"{stem}.png", dpi=110)
        plt.close(fig)
        written += [out_dir / f"{stem}.png", out_dir / f"{stem}.csv"]
    return written
