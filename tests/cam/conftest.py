"""A tiny Deep-LIFT (AGCN) model trained on the built-in data, its checkpoint and test images.

Trained in-process by the ``tiny`` fixture of tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Trained:
    config: Path
    checkpoint: Path
    images: list[Path]
    targets: list[list[str]]  # each image's true labels
    classes: list[str]
    losses: list[float]


@pytest.fixture(scope="session")
def trained_deeplift(tmp_path_factory, tiny) -> Trained:
    from PIL import Image

    from mlrkit.datasets.synthetic_scenes import SyntheticScenes

    work_dir = tmp_path_factory.mktemp("cam_deeplift")
    config = tiny.configs / "deeplift_agcn.py"
    checkpoint, losses = tiny.train(config, work_dir)
    scenes = SyntheticScenes(source="voc", split="test", num_samples=4, image_size=32, seed=0)
    images, targets = [], []
    for i in range(2):
        sample = scenes[i]
        path = work_dir / f"scene{i}.png"
        Image.fromarray(sample["inputs"].permute(1, 2, 0).numpy()).save(path)
        images.append(path)
        present = sample["data_samples"]["gt_label"].nonzero().flatten().tolist()
        targets.append([scenes.classes[k] for k in present])
    return Trained(config, checkpoint, images, targets, list(scenes.classes), losses)
