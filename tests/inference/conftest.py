"""A tiny trained Deep-LIFT model and a folder of real built-in scenes in several formats."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, tiny) -> tuple[Path, Path]:
    """(config, checkpoint) of Deep-LIFT (AGCN) trained for 10 steps on 32 px scenes (the
    tests read records, not accuracy)."""
    work_dir = tmp_path_factory.mktemp("predict_model")
    config = tiny.configs / "deeplift_agcn.py"
    checkpoint, _ = tiny.train(config, work_dir, steps=10)
    return config, checkpoint


@pytest.fixture(scope="session")
def scenes(tmp_path_factory) -> Path:
    """Built-in test scenes (32 px): 6 RGB PNGs (two in a subfolder), a grayscale PNG, a CMYK
    JPEG and a corrupt JPEG."""
    from PIL import Image

    from mlrkit.datasets.synthetic_scenes import SyntheticScenes

    root = tmp_path_factory.mktemp("scenes")
    (root / "sub").mkdir()
    data = SyntheticScenes(source="voc", split="test", num_samples=8, image_size=32, seed=0)
    for i in range(8):
        image = Image.fromarray(data[i]["inputs"].permute(1, 2, 0).numpy())
        if i == 6:
            image.convert("L").save(root / "gray.png")
        elif i == 7:
            image.convert("CMYK").save(root / "cmyk.jpg", quality=95)
        else:
            image.save(root / ("sub" if i % 3 == 0 else ".") / f"scene{i}.png")
    (root / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00not a jpeg" * 8)
    (root / "notes.txt").write_text("not an image: a folder search skips it")
    return root
