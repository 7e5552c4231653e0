"""A tiny Deep-LIFT (AGCN) model trained on the built-in data, its checkpoint and test images.

Trained in-process for a few dozen steps on 32 px scenes (ResNet-18 cut after its first
stage), which takes seconds on a CPU and is enough for the top label to be a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "synthetic"
TINY = {
    "train_dataloader.dataset.num_samples": 1024,
    "val_dataloader.dataset.num_samples": 64,
    "train_dataloader.dataset.image_size": 32,
    "val_dataloader.dataset.image_size": 32,
    "test_dataloader.dataset.image_size": 32,  # a copy of val's, not the same dict
    "model.backbone.out_index": 1,
}
STEPS = 100


def cli_overrides() -> list[str]:
    """The tiny overrides as `--cfg-options` arguments."""
    return ["--cfg-options", *(f"{k}={v}" for k, v in TINY.items())]


@dataclass
class Trained:
    config: Path
    checkpoint: Path
    images: list[Path]
    targets: list[list[str]]  # each image's true labels
    classes: list[str]
    losses: list[float]


def train_tiny(config: Path, work_dir: Path, steps: int = STEPS) -> tuple[Path, list[float]]:
    """Train the config's model (tiny overrides) for ``steps`` AdamW steps; save a checkpoint."""
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader

    from mlrkit.engine.config import load_config
    from mlrkit.engine.runner import prepare_config
    from mlrkit.registry import DATASETS, MODELS

    torch.manual_seed(0)
    cfg = prepare_config(load_config(config, TINY), work_dir=str(work_dir))
    model = MODELS.build(cfg.model)
    train_set = DATASETS.build(cfg.train_dataloader.dataset)
    loader = DataLoader(
        train_set,
        batch_size=32,
        shuffle=True,
        collate_fn=default_collate,
        generator=torch.Generator().manual_seed(0),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    losses = []
    batches = (batch for _ in range(steps) for batch in loader)  # epochs until `steps`
    for _, batch in zip(range(steps), batches):
        data = model.data_preprocessor(batch, training=True)
        loss = model(**data, mode="loss")["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    checkpoint = work_dir / "tiny.pth"
    meta = {"dataset_meta": dict(train_set.metainfo)}
    torch.save({"meta": meta, "state_dict": model.state_dict()}, checkpoint)
    return checkpoint, losses


@pytest.fixture(scope="session")
def trained_deeplift(tmp_path_factory) -> Trained:
    from PIL import Image

    from mlrkit.datasets.synthetic_scenes import SyntheticScenes

    work_dir = tmp_path_factory.mktemp("cam_deeplift")
    config = CONFIGS / "deeplift_agcn.py"
    checkpoint, losses = train_tiny(config, work_dir)
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


@pytest.fixture(scope="session")
def tiny() -> SimpleNamespace:
    """The helpers above, for test modules (which cannot import conftest in importlib mode)."""
    return SimpleNamespace(
        configs=CONFIGS, overrides=TINY, cli_overrides=cli_overrides(), train=train_tiny
    )
