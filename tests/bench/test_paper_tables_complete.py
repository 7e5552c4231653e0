"""Regenerated tables are the paper's whole tables, and say which conventions shaped them."""

from __future__ import annotations

from mlrkit.bench.paper import paper_table

from .conftest import CONFIGS
from .test_render_configs import render


def first_cells(md: str) -> list[tuple[str, str]]:
    rows = [line for line in md.splitlines() if line.startswith("| ")][1:]  # skip the header
    return [tuple(c.strip() for c in line.split("|")[1:3]) for line in rows]


def test_full_scale_comparison_shows_every_row_of_tables_one_and_two(tmp_path):
    plan, _, _ = render(CONFIGS / "full_scale" / "comparison.py", tmp_path, quick=False)
    tables = {"table_I": "table_I_coco_comparison", "table_II": "table_II_voc2007_per_class_ap"}
    for name, key in tables.items():
        md = (tmp_path / "tables" / f"{name}.md").read_text()
        cells = first_cells(md)
        printed = paper_table(key)["rows"]
        shown = {row for row, source in cells if source in ("cited", "paper")}
        assert shown == set(printed), name  # every printed row, once
        cited = [row for row, source in cells if source == "cited"]
        assert cited[:2] == list(printed)[:2]
        assert {"ML-GCN(Binary)", "Deep-LIFT(AGCN)"}.isdisjoint(cited)  # ours stand beside them
        warp = next(line for line in md.splitlines() if line.startswith(f"| {cited[0]} "))
        first = next(iter(printed[cited[0]].values()))
        assert f"| {first:.1f} " in warp  # as printed
        assert "Cited: the other methods of the paper's table" in md
    table_one = first_cells((tmp_path / "tables" / "table_I.md").read_text())
    assert ("WARP", "cited") in table_one and ("ACfs", "cited") in table_one
    table_two = (tmp_path / "tables" / "table_II.md").read_text()
    # the footnote states the difficult-label conventions of the VOC runs (the papers' code)
    assert "difficult ignore; training: difficult labels positive" in table_two


def test_readings_bench_renders_both_readings(tmp_path):
    plan, text, _ = render(CONFIGS / "deeplift_readings.py", tmp_path, quick=True)
    md = (tmp_path / "tables" / "readings.md").read_text()
    cells = first_cells(md)
    assert cells[:3] == [
        ("paper text", "ours"),
        ("Attention-GCN", "paper"),
        ("official code", "ours"),
    ]
    configs = {r.variant: plan.configs[r.run] for r in plan.runs}
    official = configs["official code"].model
    assert official.encoder.graph.kind == "complete" and official.head.projection is True
    assert configs["paper text"].model.head.get("projection", False) is False
