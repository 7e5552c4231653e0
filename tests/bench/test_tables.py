"""Tables from a hand-made result set: exact Markdown, LaTeX and CSV text (expected/t3.*).

Four variants over two seeds: one with both seeds (mean +/- std), one with a failed seed, one
whose runs all failed, one not run yet; hand-made oracle figures (written to the oracle cache)
give the oracle rows and the share of the gap.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlrkit.bench.results import oracle_key, oracle_setting
from mlrkit.bench.spec import load_bench
from mlrkit.bench.tables import build_table, render, to_csv, to_latex, to_markdown

EXPECTED = Path(__file__).parent / "expected"

VALUES = {"avg__seed0": (80.0, 70.0), "avg__seed1": (82.0, 71.0), "max__seed0": (75.0, 60.0)}
ORACLES = {
    "pixels-only": {"mAP": 60.0, "CF1@3": 50.0},
    "pixels+context": {"mAP": 90.0, "CF1@3": 85.0},
}


def hand_made(tiny_bench, tmp_path):
    path = tiny_bench(
        [
            ("avg", {}),
            ("max", {"model.head.pool": "max"}),
            ("broken", {"model.head.pool": "bogus"}),
            ("later", {}),
        ],
        seeds=(0, 1),
        table_rows=[
            ("avg", "Original-GCN"),
            ("max", None),
            ("broken", "Residual-GCN"),
            ("later", None),
        ],
    )
    plan = load_bench(path)
    work = tmp_path / "work"
    setting = oracle_setting(plan.configs["avg__seed0"]._cfg_dict)
    (work / "oracles").mkdir(parents=True)
    (work / "oracles" / f"{oracle_key(setting)}.json").write_text(
        json.dumps({"setting": setting, "oracles": ORACLES})
    )
    results = {}
    for run in plan.runs:
        if run.variant == "later":
            results[run.run] = None
        elif run.run in VALUES:
            mAP, cf1 = VALUES[run.run]
            results[run.run] = {
                "fingerprint": run.fingerprint,
                "status": "ok",
                "metrics": {"mAP": mAP, "CF1@3": cf1},
            }
        else:
            results[run.run] = {"fingerprint": run.fingerprint, "status": "failed", "error": "x"}
    return plan, results, work


def test_exact_text_of_the_three_formats(tiny_bench, tmp_path):
    plan, results, work = hand_made(tiny_bench, tmp_path)
    grid = build_table(plan.tables[0], plan, results, work)
    assert to_markdown(grid) == (EXPECTED / "t3.md").read_text()
    assert to_latex(grid) == (EXPECTED / "t3.tex").read_text()
    assert to_csv(grid) == (EXPECTED / "t3.csv").read_text()
    written = render(grid, tmp_path / "tables", ["md", "csv", "tex"])
    assert written["md"].read_text() == (EXPECTED / "t3.md").read_text()
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["t3.csv", "t3.md", "t3.tex"]


def test_a_result_of_another_config_version_is_not_shown(tiny_bench, tmp_path):
    plan, results, work = hand_made(tiny_bench, tmp_path)
    results["max__seed0"] = dict(results["max__seed0"], fingerprint="0123456789abcdef")
    md = to_markdown(build_table(plan.tables[0], plan, results, work))
    assert "| max                      | failed " in md  # its other seed failed; 75.0 is stale
    assert "75.0" not in md
