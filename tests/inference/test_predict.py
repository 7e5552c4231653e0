"""`mlrkit predict` and `mlrkit calibrate` on a tiny trained model and real built-in scenes."""

from __future__ import annotations

import csv
import json

from mlrkit.cli import main
from mlrkit.inference.images import find_images


def run(capsys, *args):
    code = main([*map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_find_images_searches_folders_recursively_and_keeps_named_files(scenes, tmp_path):
    found = find_images([scenes, scenes / "notes.txt", tmp_path / "missing.png"])
    names = sorted(p.rsplit("/", 1)[-1] for p in found)
    assert "notes.txt" in names and "missing.png" in names  # named: taken as given
    assert sum(n.endswith(".png") for n in names) == 8 and "cmyk.jpg" in names
    assert any("/sub/" in p for p in found)
    assert find_images([scenes]) == sorted(find_images([scenes]))


def test_a_folder_of_formats_gives_one_record_each_and_an_error_record(
    tiny_model, scenes, tmp_path, capsys, tiny
):
    config, checkpoint = tiny_model
    out = tmp_path / "pred.jsonl"
    code, _, err = run(
        capsys,
        "predict",
        config,
        checkpoint,
        scenes,
        "--out",
        out,
        "--top-k",
        2,
        "--no-progress",
        *tiny.cli_overrides,
    )
    assert code == 0, err
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in records(out)}
    assert set(rows) == {
        *(f"scene{i}.png" for i in range(6)),
        "gray.png",
        "cmyk.jpg",
        "corrupt.jpg",
    }
    assert "cannot decode image" in rows["corrupt.jpg"]["error"]
    assert "corrupt.jpg" in err and "skipped" in err
    for name, row in rows.items():
        if name == "corrupt.jpg":
            continue
        assert "error" not in row and len(row["labels"]) <= 2
        assert len(row["scores"]) == 20 and all(0 <= v <= 1 for v in row["scores"].values())
        assert all(row["scores"][label] >= 0.5 for label in row["labels"])


def test_csv_output_thresholds_and_exit_codes(tiny_model, scenes, tmp_path, capsys, tiny):
    config, checkpoint = tiny_model
    out = tmp_path / "pred.csv"
    code, _, err = run(
        capsys,
        "predict",
        config,
        checkpoint,
        scenes / "scene1.png",
        scenes / "corrupt.jpg",
        "--out",
        out,
        "--threshold",
        0.01,
        *tiny.cli_overrides,
    )
    assert code == 0, err
    with open(out) as f:
        table = list(csv.DictReader(f))
    assert [r["path"].rsplit("/", 1)[-1] for r in table] == ["scene1.png", "corrupt.jpg"]
    assert table[1]["error"] and not table[1]["labels"]
    labels = table[0]["labels"].split(";")
    assert all(float(table[0][name]) >= 0.01 for name in labels) and len(labels) >= 2
    # nothing readable: exit code 1, with the error records written all the same
    code, _, err = run(
        capsys,
        "predict",
        config,
        checkpoint,
        scenes / "corrupt.jpg",
        "--out",
        out,
        *tiny.cli_overrides,
    )
    assert code == 1 and "no image could be read" in err
    code, _, err = run(
        capsys,
        "predict",
        config,
        checkpoint,
        scenes,
        "--out",
        tmp_path / "x.txt",
        *tiny.cli_overrides,
    )
    assert code == 1 and ".jsonl or a .csv" in err and "Traceback" not in err


def test_calibrate_writes_thresholds_that_predict_and_test_use(
    tiny_model, scenes, tmp_path, capsys, tiny
):
    config, checkpoint = tiny_model
    code, out, err = run(
        capsys,
        "calibrate",
        config,
        checkpoint,
        *tiny.cli_overrides,
        "val_dataloader.dataset.split=val",
    )
    assert code == 0, err
    path = checkpoint.with_name(f"{checkpoint.stem}.thresholds.json")
    saved = json.loads(path.read_text())
    assert saved["fitted_on"]["split"] == "val" and len(saved["per_class"]) == 20
    assert saved["fitted_on"]["dataset"]["split"] == "val"
    assert saved["fitted"]["CF1@per_class"] >= saved["fitted"]["CF1@0.5"]
    assert f"thresholds written to {path}" in out
    # predict finds them beside the checkpoint
    code, _, err = run(
        capsys,
        "predict",
        config,
        checkpoint,
        scenes / "scene1.png",
        "--out",
        tmp_path / "p.jsonl",
        *tiny.cli_overrides,
    )
    assert code == 0 and "calibrated, beside the checkpoint" in err
    (row,) = records(tmp_path / "p.jsonl")
    per_class = dict(zip(saved["classes"], saved["per_class"]))
    expected = {k for k, v in row["scores"].items() if v >= per_class[k]}
    assert set(row["labels"]) == expected
    # a val loader that reads the test data gets a warning
    code, _, err = run(
        capsys,
        "calibrate",
        config,
        checkpoint,
        "--out",
        tmp_path / "t.json",
        *tiny.cli_overrides,
        "test_dataloader.dataset.num_samples=64",
        "val_dataloader.dataset.split=test",
    )
    assert code == 0 and "optimistic" in err
    # test --thresholds adds the calibrated figures
    code, out, err = run(
        capsys,
        "test",
        config,
        checkpoint,
        "--thresholds",
        path,
        "--work-dir",
        tmp_path / "test",
        *tiny.cli_overrides,
        "test_dataloader.dataset.num_samples=64",
    )
    assert code == 0, err
    figures = dict(line.split() for line in out.splitlines() if line.startswith("multilabel/"))
    for name in ("CP", "CR", "CF1", "OP", "OR", "OF1"):
        assert 0 <= float(figures[f"multilabel/calibrated/{name}"]) <= 100


def test_predict_says_what_is_wrong(tiny_model, scenes, tmp_path, capsys, tiny):
    config, checkpoint = tiny_model
    code, _, err = run(capsys, "predict", config, checkpoint)
    assert code == 1 and "at least one image" in err
    code, _, err = run(
        capsys, "predict", config, checkpoint, scenes, "--threshold", 1.5, *tiny.cli_overrides
    )
    assert code == 1 and "--threshold must lie in (0, 1)" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code, _, err = run(
        capsys, "predict", config, checkpoint, scenes, "--thresholds", bad, *tiny.cli_overrides
    )
    assert code == 1 and "not a thresholds file" in err
