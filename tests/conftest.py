"""Shared fixtures. Tests run on the CPU with few threads so the default run stays fast."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "2")


def make_distribution(
    root: Path, dist: str, module: str, source: str, entry_value: str | None = None
) -> Path:
    """Write a minimal installed distribution (module + dist-info with an entry point) in root.

    Putting ``root`` on ``sys.path`` (or PYTHONPATH) makes importlib.metadata see it exactly as
    it would see a pip-installed package.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        f"[mlrkit.plugins]\n{module} = {entry_value or module}\n"
    )
    return root


@pytest.fixture(scope="session")
def write_distribution():
    """:func:`make_distribution`, for test modules (which cannot import conftest in importlib
    mode)."""
    return make_distribution


@pytest.fixture
def plugin_path(tmp_path, monkeypatch):
    """Factory: put a tiny plugin distribution on sys.path and forget it afterwards."""
    import mlrkit.plugins as plugins

    created: list[str] = []

    def factory(dist: str, module: str, source: str, entry_value: str | None = None) -> Path:
        root = make_distribution(tmp_path / dist, dist, module, source, entry_value)
        monkeypatch.syspath_prepend(str(root))
        created.append(module)
        return root

    saved_records = dict(plugins._records)
    saved_origin = dict(plugins._origin)
    yield factory
    plugins._records.clear()
    plugins._records.update(saved_records)
    plugins._origin.clear()
    plugins._origin.update(saved_origin)
    for module in created:
        sys.modules.pop(module, None)


# -- a tiny model trained on the built-in data (cam, predict, export tests) ------------------
# Trained in-process for a few dozen steps on 32 px scenes (ResNet-18 cut after its first
# stage), which takes seconds on a CPU and is enough for the top label to be a real one.

CONFIGS = Path(__file__).resolve().parents[1] / "configs" / "synthetic"
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


def train_tiny(config: Path, work_dir: Path, steps: int = STEPS) -> tuple[Path, list[float]]:
    """Train the config's model (tiny overrides) for ``steps`` AdamW steps; save a checkpoint."""
    import torch
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader

    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import prepare_config
    from mlrkit.models.build import build_model
    from mlrkit.registry import DATASETS

    torch.manual_seed(0)
    cfg = prepare_config(load_config(config, TINY), work_dir=str(work_dir))
    model = build_model(cfg.model)
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
def tiny() -> SimpleNamespace:
    """The helpers above, for test modules (which cannot import conftest in importlib mode)."""
    return SimpleNamespace(
        configs=CONFIGS, overrides=TINY, cli_overrides=cli_overrides(), train=train_tiny
    )
