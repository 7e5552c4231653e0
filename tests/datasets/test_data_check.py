"""mlrkit data check: a planted duplicate across splits is a leak; the built-in data pass."""

from __future__ import annotations

import json

from PIL import Image

from mlrkit.cli import main


def write_split(root, split, colours):
    (root / split).mkdir(parents=True)
    images = []
    for i, colour in enumerate(colours):
        name = f"{split}_{i}.png"
        Image.new("RGB", (8, 8), colour).save(root / split / name)
        images.append({"id": i, "file_name": name})
    anns = [{"id": i, "image_id": i, "category_id": 1 + i % 2} for i in range(len(colours))]
    cats = [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]
    data = {"images": images, "annotations": anns, "categories": cats}
    (root / f"{split}.json").write_text(json.dumps(data))


def config(tmp_path):
    path = tmp_path / "cfg.py"
    path.write_text(
        "from mlrkit.datasets.coco import CocoMultiLabel\n"
        f"root = {str(tmp_path)!r}\n"
        "train_dataloader = dict(dataset=dict(type=CocoMultiLabel, ann_file=root + '/train.json',"
        " img_dir=root + '/train', split='train'))\n"
        "val_dataloader = dict(dataset=dict(type=CocoMultiLabel, ann_file=root + '/val.json',"
        " img_dir=root + '/val', split='val'))\n"
    )
    return path


def test_planted_duplicate_across_splits_fails(tmp_path, capsys):
    write_split(tmp_path, "train", [(1, 1, 1), (2, 2, 2), (3, 3, 3)])
    write_split(tmp_path, "val", [(9, 9, 9), (2, 2, 2)])  # val_1 has train_1's content
    (tmp_path / "val" / "val_0.png").write_bytes(b"")  # and a zero-byte file
    out = tmp_path / "out"
    assert main(["data", "check", str(config(tmp_path)), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "LEAK train/val" in captured.err and "train_1.png" in captured.err
    assert "val_1.png" in captured.err
    assert "zero-byte file" in captured.out
    assert (out / "class_frequencies.png").stat().st_size > 0


def test_decode_finds_a_corrupt_file_with_a_valid_signature(tmp_path, capsys):
    write_split(tmp_path, "train", [(1, 1, 1), (2, 2, 2)])
    write_split(tmp_path, "val", [(9, 9, 9)])
    png = (tmp_path / "train" / "train_1.png").read_bytes()
    (tmp_path / "train" / "train_1.png").write_bytes(png[:20])  # truncated, PNG signature kept
    argv = ["data", "check", str(config(tmp_path)), "--out", str(tmp_path / "o")]
    assert main(argv) == 0
    assert "train: bad image" not in capsys.readouterr().out
    assert main([*argv, "--decode"]) == 0
    out = capsys.readouterr().out
    assert "train: bad image" in out and "train_1.png: unreadable" in out


def test_no_leak_passes_and_reports_duplicates_inside_a_split(tmp_path, capsys):
    write_split(tmp_path, "train", [(1, 1, 1), (1, 1, 1), (3, 3, 3)])
    write_split(tmp_path, "val", [(9, 9, 9)])
    assert main(["data", "check", str(config(tmp_path)), "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "train: duplicate images (same content)" in out and "train_0.png" in out
    assert "val: classes without a positive: dog" in out


def test_builtin_data_pass(tmp_path, capsys):
    argv = ["data", "check", "configs/_base_/datasets/synthetic_voc.py", "--out", str(tmp_path),
            "--cfg-options", "train_dataloader.dataset.num_samples=60",
            "val_dataloader.dataset.num_samples=30", "test_dataloader.dataset.num_samples=30",
            "train_dataloader.dataset.image_size=24", "val_dataloader.dataset.image_size=24",
            "test_dataloader.dataset.image_size=24"]  # fmt: skip
    assert main(argv) == 0
    assert "no leak" in capsys.readouterr().out
