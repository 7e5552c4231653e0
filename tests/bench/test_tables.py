"""Tables from a hand-made result set: exact Markdown, LaTeX and CSV text (expected/t3.*).

Four variants over two seeds: one with both seeds (mean +/- std), one with a failed seed, one
whose runs all failed, one not run yet; hand-made oracle figures (written to the oracle cache)
give the oracle rows and the share of the gap.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlrkit.bench.results import RunResult, oracle_key, oracle_setting
from mlrkit.bench.spec import load_bench
from mlrkit.bench.tables import (
    build_table,
    describe_conventions,
    describe_setup,
    render,
    to_csv,
    to_latex,
    to_markdown,
)

EXPECTED = Path(__file__).parent / "expected"

VALUES = {"avg__seed0": (80.0, 70.0), "avg__seed1": (82.0, 71.0), "max__seed0": (75.0, 60.0)}
ORACLES = {
    "pixels-only": {"mAP": 60.0, "CF1@3": 50.0},
    "pixels+context": {"mAP": 90.0, "CF1@3": 85.0},
}


def records(results: dict) -> dict:
    """The results as the bench reads them from their files."""
    return {k: None if v is None else RunResult.from_json(v) for k, v in results.items()}


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
    grid = build_table(plan.tables[0], plan, records(results), work)
    assert to_markdown(grid) == (EXPECTED / "t3.md").read_text()
    assert to_latex(grid) == (EXPECTED / "t3.tex").read_text()
    assert to_csv(grid) == (EXPECTED / "t3.csv").read_text()
    written = render(grid, tmp_path / "tables", ["md", "csv", "tex"])
    assert written["md"].read_text() == (EXPECTED / "t3.md").read_text()
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["t3.csv", "t3.md", "t3.tex"]


def test_a_result_of_another_config_version_is_not_shown(tiny_bench, tmp_path):
    plan, results, work = hand_made(tiny_bench, tmp_path)
    results["max__seed0"] = dict(results["max__seed0"], fingerprint="0123456789abcdef")
    md = to_markdown(build_table(plan.tables[0], plan, records(results), work))
    assert "| max                      | failed " in md  # its other seed failed; 75.0 is stale
    assert "75.0" not in md


def test_tables_state_the_protocol_and_paper_tables_carry_their_note(tiny_bench, tmp_path):
    path = tiny_bench([("avg", {}), ("paper", {"protocol": "paper"})])
    plan = load_bench(path)
    results = {
        r.run: {"fingerprint": r.fingerprint, "status": "ok", "metrics": {"mAP": 1.0}}
        for r in plan.runs
    }
    work = tmp_path / "work"
    md = to_markdown(build_table(plan.tables[0], plan, records(results), work))
    assert "[avg] Protocol held_out: the checkpoint with the best mAP on the val split" in md
    assert "[paper] Protocol paper: the checkpoint was selected on the test split" in md
    # a table of paper-protocol runs only says so under it
    only = tiny_bench([("p", {})], name="only.py", overrides={"protocol": "paper"})
    plan = load_bench(only)
    results = {
        r.run: {"fingerprint": r.fingerprint, "status": "ok", "metrics": {"mAP": 1.0}}
        for r in plan.runs
    }
    md = to_markdown(build_table(plan.tables[0], plan, records(results), work))
    assert "- Protocol paper: the checkpoint was selected on the test split itself" in md
    assert "optimistic" in md and "held_out: the checkpoint" not in md


def test_a_table_can_show_the_last_epochs_figures(tiny_bench, tmp_path):
    path = tiny_bench([("avg", {})], extra='figures=[], name="lastcheck",')
    text = path.read_text().replace('row_header="Head",', 'row_header="Head", checkpoint="last",')
    path.write_text(text)
    plan = load_bench(path)
    assert plan.tables[0].checkpoint == "last"
    run = plan.runs[0]
    results = {
        run.run: {
            "fingerprint": run.fingerprint,
            "status": "ok",
            "metrics": {"mAP": 71.0, "CF1@3": 1.0},
            "last": {"epoch": 8, "metrics": {"mAP": 64.0, "CF1@3": 2.0}},
        }
    }
    md = to_markdown(build_table(plan.tables[0], plan, records(results), tmp_path / "work"))
    assert "| 64.0 " in md and "71.0" not in md
    assert "The figures shown are the last epoch's" in md


def test_the_setup_and_conventions_lines_ask_the_train_datasets_class():
    def cfg(dataset):
        return {
            "train_dataloader": {"dataset": dict(dataset, split="trainval"), "batch_size": 8},
            "test_dataloader": {"dataset": dict(dataset, split="test")},
        }

    voc = cfg({"type": "VOC2012MultiLabel", "root": "voc"})  # a VOCMultiLabel subclass
    assert describe_setup(voc).startswith("VOC2012MultiLabel trainval -> VOC2012MultiLabel test; ")
    assert describe_conventions(voc).endswith(
        ", difficult ignore; training: difficult labels ignore"
    )
    synthetic = cfg({"type": "SyntheticScenes", "num_samples": 64})
    assert describe_setup(synthetic).startswith(
        "built-in SyntheticScenes (VOC label statistics, 7 pixel-identical pairs, 64 train / ? "
        "val / 64 test images, data seed 0); "
    )
    assert "difficult" not in describe_conventions(synthetic)
    unknown = cfg({"type": "NotRegisteredAnywhere"})
    assert describe_setup(unknown).startswith("NotRegisteredAnywhere trainval -> ")
    assert "difficult" not in describe_conventions(unknown)
