"""Every variant of every built-in bench config builds its model and runs a forward pass.

The real runs take minutes; this catches a variant that cannot even be built (an encoder depth,
a CAM mode, a tau with an empty graph) in seconds. Each distinct model config is built once.
"""

from __future__ import annotations

import json

import pytest
import torch

from mlrkit.bench.spec import load_bench, plain
from mlrkit.engine.experiment import prepare_config
from mlrkit.models.build import build_model

from .conftest import CONFIGS

BENCHES = [
    "ablation_gcn",
    "ablation_cam",
    "ablation_agcn_layers",
    "ablation_rgcn_blocks",
    "ablation_tau",
    "comparison",
    "comparison_modern",
]


@pytest.mark.parametrize("name", BENCHES)
def test_every_variant_builds_and_runs_forward(name, tmp_path):
    plan = load_bench(CONFIGS / f"{name}.py", quick=True)
    plan_full = load_bench(CONFIGS / f"{name}.py")
    seen: set[str] = set()
    edges: dict[str, int] = {}
    images = torch.zeros(2, 3, 48, 48)
    for run in plan_full.runs:
        cfg = plan_full.configs[run.run]
        key = json.dumps(plain(cfg.model), sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
            cfg[loader].dataset.num_samples = 64
        prepare_config(cfg, work_dir=str(tmp_path / "stats"))
        torch.manual_seed(0)
        model = build_model(cfg.model).eval()
        with torch.no_grad():
            logits = model(images, mode="tensor")
        assert logits.shape == (2, 20) and torch.isfinite(logits).all(), run.run
        if getattr(model, "adjacency", None) is not None:
            edges[run.variant] = int((model.adjacency != 0).sum())
    assert seen and len(plan.runs) <= len(plan_full.runs)
    if name == "ablation_tau":  # the binary graph thins out as tau grows
        binary = [edges[f"mlgcn-binary_tau{t / 10:.1f}"] for t in range(1, 11)]
        assert binary == sorted(binary, reverse=True) and binary[0] > binary[-1]
