"""`mlrkit cam` on a tiny trained model: the grid it writes, the maps, and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from mlrkit.cam import MAP_NAMES, GridLayout, grad_cam, load_image, load_model, render_grid
from mlrkit.cli import main
from mlrkit.engine.config import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "synthetic"


def cam(capsys, *args):
    code = main(["cam", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_tiny_model_was_trained(trained_deeplift):
    # what the training loop guarantees (finite losses, weights moved), not what it learned
    losses = trained_deeplift.losses
    assert len(losses) > 1 and np.isfinite(losses).all()


def test_cli_writes_one_grid_per_image_of_the_layout_size(trained_deeplift, tmp_path, capsys, tiny):
    t = trained_deeplift
    out_dir = tmp_path / "cams"
    code, out, err = cam(
        capsys,
        t.config,
        t.checkpoint,
        *t.images,
        "--out",
        out_dir,
        "--top-k",
        3,
        "--cell",
        64,
        *tiny.cli_overrides,
    )
    assert code == 0, err
    cfg = load_config(t.config, tiny.overrides)
    model = load_model(cfg, t.checkpoint)
    layout = GridLayout(rows=3, columns=1 + len(MAP_NAMES), cell=64)  # image + 3 maps
    for image in t.images:
        png_path = out_dir / f"{image.stem}_cam.png"
        assert f"{image} -> {png_path}" in out
        with Image.open(png_path) as png:
            assert png.size == layout.size
            pixels = np.asarray(png.convert("RGB"))
        # the grid is exactly what the library functions draw for the top-3 labels (what the
        # code guarantees; whether two labels' maps differ depends on what the model learned)
        result = grad_cam(model, load_image(image, cfg), top_k=3)
        rows = result.labels[0].tolist()
        expected = render_grid(
            load_image(image, cfg),
            {name: maps[0] for name, maps in result.maps.items()},
            [t.classes[k] for k in rows],
            result.scores[0, rows],
            cell=64,
        )
        assert np.array_equal(pixels, np.asarray(expected.convert("RGB")))
        scores = result.scores[0].tolist()
        assert [scores[k] for k in rows] == sorted(scores, reverse=True)[:3]


def test_maps_of_every_view_are_normalised_per_label(trained_deeplift, tiny):
    t = trained_deeplift
    cfg = load_config(t.config, tiny.overrides)
    model = load_model(cfg, t.checkpoint)
    assert list(model.classes) == t.classes
    image = load_image(t.images[0], cfg)
    assert image.shape == (3, 32, 32)  # the config's test image_size
    result = grad_cam(model, image, top_k=3)
    assert list(result.maps) == list(MAP_NAMES)
    for name in MAP_NAMES:
        cams = result.maps[name][0]  # (3, 32, 32)
        assert cams.shape == (3, 32, 32)
        assert torch.isfinite(cams).all() and cams.min() >= 0 and cams.max() <= 1
        for label_map in cams:  # min-max normalised: all zero (no evidence) or spanning [0, 1]
            peak = label_map.max().item()
            assert peak == 0 or (label_map.min().item() == 0 and peak == pytest.approx(1.0))
    # each label's map is that label's own Grad-CAM: the same as asking for it alone
    for j, label in enumerate(result.labels[0].tolist()):
        alone = grad_cam(model, image, labels=[label])
        for name in MAP_NAMES:
            torch.testing.assert_close(alone.maps[name][0, 0], result.maps[name][0, j])


def test_labels_option_explains_the_named_labels(trained_deeplift, tmp_path, capsys, tiny):
    t = trained_deeplift
    names = [t.classes[4], t.classes[0]]
    code, out, err = cam(
        capsys,
        t.config,
        t.checkpoint,
        t.images[0],
        "--out",
        tmp_path,
        "--labels",
        *names,
        "--cell",
        32,
        *tiny.cli_overrides,
    )
    assert code == 0, err
    assert f"({names[0]} " in out and f", {names[1]} " in out
    with Image.open(tmp_path / f"{t.images[0].stem}_cam.png") as png:
        assert png.size == GridLayout(rows=2, columns=4, cell=32).size
    code, _, err = cam(
        capsys, t.config, t.checkpoint, t.images[0], "--labels", "aeroplan", *tiny.cli_overrides
    )
    assert code == 1 and "no label 'aeroplan'" in err and "Did you mean: aeroplane" in err


def test_a_head_without_lift_maps_gets_the_backbone_column_only(tmp_path, capsys, tiny):
    config = CONFIGS / "pooled.py"
    checkpoint, _ = tiny.train(config, tmp_path, steps=2)
    image = tmp_path / "grey.png"
    Image.fromarray(np.full((50, 70, 3), 128, dtype=np.uint8)).save(image)
    code, out, err = cam(
        capsys,
        config,
        checkpoint,
        image,
        "--out",
        tmp_path,
        "--top-k",
        2,
        "--cell",
        32,
        *tiny.cli_overrides,
    )
    assert code == 0, err
    with Image.open(tmp_path / "grey_cam.png") as png:
        assert png.size == GridLayout(rows=2, columns=2, cell=32).size


def test_same_file_names_do_not_overwrite_each_other(trained_deeplift, tmp_path, capsys, tiny):
    t = trained_deeplift
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    copies = [tmp_path / "a" / "x.png", tmp_path / "b" / "x.png"]
    for copy in copies:
        copy.write_bytes(t.images[0].read_bytes())
    code, _, err = cam(
        capsys,
        t.config,
        t.checkpoint,
        *copies,
        "--out",
        tmp_path / "o",
        "--cell",
        32,
        *tiny.cli_overrides,
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["x_0_cam.png", "x_1_cam.png"]


def test_images_follow_the_test_pipeline_or_size(tmp_path):
    path = tmp_path / "wide.png"
    Image.fromarray(np.zeros((30, 60, 3), dtype=np.uint8)).save(path)
    voc = load_config(CONFIGS.parent / "voc2007" / "deeplift_agcn_r101_448.py")
    assert load_image(path, voc).shape == (3, 448, 448)  # its pipeline: Resize(448)
    assert load_image(path, load_config(CONFIGS / "pooled.py")).shape == (3, 48, 48)
    assert load_image(path, voc, size=40).shape == (3, 40, 40)


def test_bare_state_dict_takes_the_classes_from_the_data(trained_deeplift, tmp_path, tiny):
    t = trained_deeplift
    bare = tmp_path / "bare.pth"
    state = torch.load(t.checkpoint, weights_only=True)["state_dict"]
    torch.save(state, bare)
    model = load_model(load_config(t.config, tiny.overrides), bare)
    assert list(model.classes) == t.classes
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, state[key])


@pytest.mark.slow
def test_a_checkpoint_written_by_mlrkit_train(tmp_path, capsys, tiny):
    """The real thing: `mlrkit train` (mmengine Runner) writes the checkpoint, `mlrkit cam`
    reads it with weights_only=True and takes the classes from its meta."""
    config = tiny.configs / "deeplift_agcn.py"
    options = {**tiny.overrides, "train_cfg.max_epochs": 1, "train_cfg.val_interval": 1}
    options = [f"{k}={v}" for k, v in options.items()]
    work_dir = tmp_path / "work"
    assert main(["train", str(config), "--work-dir", str(work_dir), "--cfg-options", *options]) == 0
    image = tmp_path / "grey.png"
    Image.fromarray(np.full((32, 32, 3), 90, dtype=np.uint8)).save(image)
    code, out, err = cam(
        capsys,
        config,
        work_dir / "epoch_1.pth",
        image,
        "--out",
        tmp_path,
        "--cell",
        32,
        "--cfg-options",
        *options,
    )
    assert code == 0, err
    with Image.open(tmp_path / "grey_cam.png") as png:
        assert png.size == GridLayout(rows=3, columns=4, cell=32).size


# -- bad input ---------------------------------------------------------------------------------


def test_missing_and_corrupt_images(trained_deeplift, tmp_path, capsys, tiny):
    t = trained_deeplift
    missing = tmp_path / "nope.png"
    code, _, err = cam(capsys, t.config, t.checkpoint, t.images[0], missing, *tiny.cli_overrides)
    assert code == 1 and "image file not found" in err and "nope.png" in err
    corrupt = tmp_path / "broken.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    code, _, err = cam(capsys, t.config, t.checkpoint, corrupt, *tiny.cli_overrides)
    assert code == 1 and "cannot decode image" in err and "broken.jpg" in err
    assert not list(tmp_path.glob("*_cam.png"))


def test_top_k_larger_than_the_labels(trained_deeplift, capsys, tiny):
    t = trained_deeplift
    code, _, err = cam(
        capsys, t.config, t.checkpoint, t.images[0], "--top-k", 21, *tiny.cli_overrides
    )
    assert code == 1 and "--top-k 21 is more than the model's 20 labels" in err
    code, _, err = cam(
        capsys, t.config, t.checkpoint, t.images[0], "--top-k", 0, *tiny.cli_overrides
    )
    assert code == 1 and "--top-k must be at least 1" in err


def test_checkpoint_of_another_config(trained_deeplift, capsys, tiny):
    t = trained_deeplift
    code, _, err = cam(
        capsys, CONFIGS / "pooled.py", t.checkpoint, t.images[0], *tiny.cli_overrides
    )
    assert code == 1
    assert "does not match the model of config" in err and "pooled.py" in err
    assert "in the checkpoint but not in the model" in err  # the Deep-LIFT head's weights
    # same head, other backbone depth: shapes differ
    overrides = [o for o in tiny.cli_overrides if "out_index" not in o]
    code, _, err = cam(capsys, t.config, t.checkpoint, t.images[0], *overrides)
    assert code == 1 and "of different shape" in err


def test_missing_and_unsafe_checkpoints(trained_deeplift, tmp_path, capsys, tiny):
    t = trained_deeplift
    code, _, err = cam(capsys, t.config, tmp_path / "none.pth", t.images[0], *tiny.cli_overrides)
    assert code == 1 and "none.pth" in err and "does not exist" in err
    unsafe = tmp_path / "unsafe.pth"
    torch.save({"state_dict": {"w": torch.zeros(1)}, "extra": Image.new("RGB", (1, 1))}, unsafe)
    code, _, err = cam(capsys, t.config, unsafe, t.images[0], *tiny.cli_overrides)
    assert code == 1 and "cannot be loaded safely (weights_only=True)" in err
