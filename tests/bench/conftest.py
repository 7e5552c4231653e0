"""Helpers for the bench tests: tiny bench configs on the built-in data, and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "configs"
POOLED = CONFIGS / "synthetic" / "pooled.py"

# A cut ResNet-18 at 32 px on 96 images for one epoch: a run takes a few seconds.
TINY = {
    "train_dataloader.dataset.num_samples": 96,
    "val_dataloader.dataset.num_samples": 48,
    "test_dataloader.dataset.num_samples": 48,
    "train_dataloader.dataset.image_size": 32,
    "val_dataloader.dataset.image_size": 32,
    "test_dataloader.dataset.image_size": 32,
    "model.backbone.out_index": 1,
    "train_cfg.max_epochs": 1,
    "train_cfg.val_interval": 1,
}

TABLE = """dict(
        name="t3",
        title="Tiny Table III",
        paper="table_III_gcn_type",
        paper_setting="MS-COCO",
        row_header="Head",
        rows=[{rows}],
        columns=[dict(metric="mAP", paper="COCO mAP"), dict(metric="CF1@3", paper="COCO CF1@3")],
    )"""


def write_bench(
    path: Path,
    variants: list[tuple[str, dict]],
    *,
    base: Path = POOLED,
    overrides: dict | None = None,
    seeds: tuple[int, ...] = (0,),
    table_rows: list[tuple[str, str | None]] | None = None,
    extra: str = "",
) -> Path:
    """Write a bench config with the given variants and a two-column Table III."""
    rows = table_rows if table_rows is not None else [(n, None) for n, _ in variants]
    row_text = ", ".join(f"dict(variant={n!r}, paper={p!r})" for n, p in rows)
    variant_text = ", ".join(f"dict(name={n!r}, overrides={o!r})" for n, o in variants)
    lines = [
        "bench = dict(",
        f"    base={str(base)!r},",
        f"    seeds={list(seeds)!r},",
        f"    overrides={dict(TINY, **(overrides or {}))!r},",
        f"    variants=[{variant_text}],",
        f"    tables=[{TABLE.format(rows=row_text)}],",
        f"    {extra}",
        ")",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def bench_env(threads: int = 1) -> dict[str, str]:
    return dict(
        os.environ,
        OMP_NUM_THREADS=str(threads),
        MLRKIT_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONUNBUFFERED="1",
        PYTHONWARNINGS="ignore::FutureWarning",
    )


def mlrkit_bench(*args: str, timeout: int = 300, **kwargs) -> subprocess.CompletedProcess:
    """``mlrkit bench ARGS`` in a subprocess, as users run it."""
    return subprocess.run(
        [sys.executable, "-m", "mlrkit.cli", "bench", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=bench_env(),
        cwd=REPO,
        **kwargs,
    )


@pytest.fixture
def tiny_bench(tmp_path):
    """Factory: a tiny bench config in tmp_path (see :func:`write_bench`)."""

    def factory(variants, name: str = "tiny.py", **kwargs) -> Path:
        return write_bench(tmp_path / name, variants, **kwargs)

    return factory
