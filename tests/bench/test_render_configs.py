"""Every shipped bench config renders its tables and figures (from fake result files).

The plans are the real ones (``--quick`` sizes for the built-in configs, so the oracle rows are
computed on the same small splits the quick runs use); only the runs' results are made up.
"""

from __future__ import annotations

import io

import pytest

from mlrkit.bench.report import render_outputs
from mlrkit.bench.spec import load_bench
from mlrkit.engine.experiment import write_json_atomic
from mlrkit.metrics.functional import metric_names

from .conftest import CONFIGS

VOC = [
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor",
]  # fmt: skip


def fake_results(plan, work_dir):
    """An ok result per run: figure i of run j is 10 + j + i / 100, AP of class c is 50 + c."""
    for j, run in enumerate(plan.runs):
        metrics = {name: 10.0 + j + i / 100 for i, name in enumerate(metric_names())}
        if run.dataset == "voc":
            metrics["mAP"] = 90.0 + j
        write_json_atomic(
            work_dir / "results" / f"{run.run}.json",
            {
                "run": run.run,
                "fingerprint": run.fingerprint,
                "status": "ok",
                "metrics": metrics,
                "per_class_ap": {c: 50.0 + k for k, c in enumerate(VOC)},
                "last": {"epoch": 1, "metrics": metrics},
            },
        )


def render(path, tmp_path, quick):
    plan = load_bench(path, quick=quick)
    fake_results(plan, tmp_path)
    out = io.StringIO()
    written = render_outputs(plan, tmp_path, ["md", "tex", "csv"], out)
    return plan, out.getvalue(), written


@pytest.mark.parametrize(
    "name",
    [
        "ablation_gcn",
        "ablation_cam",
        "ablation_agcn_layers",
        "ablation_rgcn_blocks",
        "comparison",
        "comparison_modern",
    ],
)
def test_built_in_tables_render_with_oracles_and_paper_rows(name, tmp_path):
    plan, text, written = render(CONFIGS / f"{name}.py", tmp_path, quick=True)
    assert {p.name for p in written} == {
        f"{t.name}.{ext}" for t in plan.tables for ext in ("md", "tex", "csv")
    } | {"per_class_ap.png", "per_class_ap.csv"}
    # the heatmap beside the tables: classes x variants, the runs' per-class AP
    with open(tmp_path / "tables" / "per_class_ap.csv") as f:
        heat = [line.split(",") for line in f.read().splitlines()]
    assert heat[0] == ["class", *dict.fromkeys(r.variant for r in plan.runs)]
    assert [row[0] for row in heat[1:]] == VOC
    assert all(float(v) == 50.0 + k for k, row in enumerate(heat[1:]) for v in row[1:])
    assert "per-class AP heatmap:" in text
    for table in plan.tables:
        md = (tmp_path / "tables" / f"{table.name}.md").read_text()
        assert md in text  # printed as saved
        lines = md.splitlines()
        header = lines[2]
        assert header.split("|")[-2].strip() == "share of gap"
        for row in table.rows:
            ours = next(line for line in lines if line.startswith(f"| {row.variant} "))
            assert "| ours " in ours and "failed" not in ours and "pending" not in ours
            paper = lines[lines.index(ours) + 1]
            assert paper.startswith(f"| {row.paper} ") and "| paper " in paper
        oracle = [line for line in lines if line.startswith("| oracle: ")]
        assert len(oracle) == 2 and oracle[0].rstrip(" |").endswith("0.00")
        assert "--quick settings" in md and "640 train / 256 val / 256 test images" in md
        csv = (tmp_path / "tables" / f"{table.name}.csv").read_text().splitlines()
        assert len(csv) == 1 + 2 * len(table.rows) + 2
        tex = (tmp_path / "tables" / f"{table.name}.tex").read_text()
        assert tex.startswith("\\begin{table}") and "$\\pm$" not in tex  # one seed: no std


def test_table_one_has_13_columns_and_table_two_per_class_ap(tmp_path):
    plan, _, _ = render(CONFIGS / "comparison.py", tmp_path, quick=True)
    one = (tmp_path / "tables" / "table_I.csv").read_text().splitlines()
    assert one[0].split(",")[2::2][:13] == metric_names()
    two = (tmp_path / "tables" / "table_II.md").read_text().splitlines()
    header = [h.strip() for h in two[2].split("|")[1:-1]]
    assert header[2:23] == [
        "aero", "bike", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "table",
        "dog", "horse", "motor", "person", "plant", "sheep", "sofa", "train", "tv", "mAP",
    ]  # fmt: skip
    pooled = [c.strip() for c in two[4].split("|")[1:-1]]
    assert pooled[0] == "pooled" and pooled[2] == "50.0" and pooled[2 + 10] == "60.0"  # table
    paper = [c.strip() for c in two[5].split("|")[1:-1]]
    assert paper[:3] == ["ResNet-101", "paper", "98.8"]  # the printed aero AP


def test_figure_six_quick_renders_a_png_and_its_numbers(tmp_path):
    plan, text, written = render(CONFIGS / "ablation_tau.py", tmp_path, quick=True)
    png = tmp_path / "figures" / "figure_6.png"
    assert png in written and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (tmp_path / "figures" / "figure_6.md").read_text()
    assert "| series " in md and "tau=0.3" in md and "tau=0.7" in md
    assert "| Deep-LIFT (RGCN) " in md and "| oracle: pixels + context " in md
    assert f"figure: {png}" in text


@pytest.mark.parametrize(
    "path", sorted((CONFIGS / "full_scale").glob("*.py")), ids=lambda p: p.name
)
def test_full_scale_tables_take_each_column_from_its_dataset(path, tmp_path):
    plan, text, written = render(path, tmp_path, quick=False)
    assert "oracle" not in text  # no oracles off the built-in data
    for table in plan.tables:
        md = (tmp_path / "tables" / f"{table.name}.md").read_text()
        if table.paper:  # (recipes.py compares our own runs: no paper table)
            assert "ResNet-101 (ImageNet) at 448x448" in md
        headers = [c.header for c in table.columns]
        if "VOC mAP" in headers:
            row = next(
                line for line in md.splitlines() if line.startswith(f"| {table.rows[0].variant} ")
            )
            cells = [c.strip() for c in row.split("|")[1:-1]]
            voc_run = plan.runs_of(table.rows[0].variant, "voc")[0]
            expected = 90.0 + plan.runs.index(voc_run)
            assert cells[2 + headers.index("VOC mAP")] == f"{expected:.1f}"
    if plan.figures:
        assert {p.name for p in written} >= {"figure_6_coco.png", "figure_6_voc.png"}
