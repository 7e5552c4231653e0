"""Report a bench: its tables and figures, from the result files of its runs.

Reads ``results/<run>.json`` of every run of the plan (:class:`~mlrkit.bench.results.RunResult`)
and writes ``tables/`` and ``figures/`` (:mod:`~mlrkit.bench.tables`,
:mod:`~mlrkit.bench.plots`); runs without a result show as pending.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from mlrkit.bench.layout import BenchDir
from mlrkit.bench.results import RunResult
from mlrkit.bench.spec import BenchPlan

__all__ = ["read_results", "render_outputs"]


def read_results(plan: BenchPlan, work_dir: Path) -> dict[str, RunResult | None]:
    """``{run id: its result, or None}`` for every run of the plan."""
    return {r.run: RunResult.read(BenchDir(work_dir).result(r.run)) for r in plan.runs}


def render_outputs(
    plan: BenchPlan, work_dir: Path, formats: Sequence[str], out: TextIO | None = None
) -> list[Path]:
    """Write every table (``tables/``) and figure (``figures/``); print the Markdown."""
    from mlrkit.bench.paper import paper_note
    from mlrkit.bench.plots import figure_grid, per_class_ap_heatmap, plot_figure
    from mlrkit.bench.tables import build_table, render, to_markdown

    out = out or sys.stdout
    results = read_results(plan, work_dir)
    bench_dir = BenchDir(work_dir)
    written: list[Path] = []
    for table in plan.tables:
        grid = build_table(table, plan, results, work_dir)
        written += render(grid, bench_dir.tables, formats).values()
        print(to_markdown(grid), file=out)
    for fig in plan.figures:
        grid = figure_grid(fig, plan, results, work_dir)
        written += render(grid, bench_dir.figures, formats).values()
        note = paper_note(fig.paper) if fig.paper else None
        png = plot_figure(fig, plan, results, work_dir, note)
        written.append(png)
        print(to_markdown(grid), file=out)
        print(f"figure: {png}\n", file=out)
    heatmaps = per_class_ap_heatmap(plan, results, bench_dir.tables)
    for png in heatmaps[::2]:
        print(f"per-class AP heatmap: {png}", file=out)
    return written + heatmaps
