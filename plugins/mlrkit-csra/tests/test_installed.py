"""The installed plugin as mlrkit sees it: entry point, `mlrkit list`, lazy loading, contract."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import distribution, entry_points
from pathlib import Path

import pytest
import torch

import mlrkit
from mlrkit.models.build import build_model
from mlrkit.registry import HEADS


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


def test_the_distribution_declares_the_entry_point():
    (ep,) = [ep for ep in entry_points(group="mlrkit.plugins") if ep.value == "mlrkit_csra"]
    assert ep.dist is not None and ep.dist.name == "mlrkit-csra"
    assert "mlrkit" in " ".join(distribution("mlrkit-csra").requires or [])


def test_registry_finds_the_head_through_the_entry_point():
    from mlrkit_csra import CSRAHead

    assert HEADS.get("CSRAHead") is CSRAHead
    head = HEADS.build(dict(type="CSRAHead", num_classes=3, in_channels=8, num_heads=2))
    assert isinstance(head, CSRAHead) and head.num_heads == 2


def test_mlrkit_list_heads_shows_it_with_its_distribution():
    out = run([sys.executable, "-m", "mlrkit.cli", "list", "heads"])
    assert out.returncode == 0, out.stderr
    origins = dict(line.split() for line in out.stdout.splitlines()[1:] if line.startswith("  "))
    assert origins["CSRAHead"] == "[mlrkit-csra]"


def test_mlrkit_list_keeps_the_builtin_heads_origin():
    """Loading the plugin imports mlrkit.heads (for the base class); mlrkit's own heads must
    still be listed as mlrkit's, not the plugin's."""
    out = run([sys.executable, "-m", "mlrkit.cli", "list", "heads"])
    assert out.returncode == 0, out.stderr
    for line in out.stdout.splitlines()[1:]:
        if "DeepLIFTHead" in line or "GlobalPoolHead" in line:
            assert line.split()[1] == "[mlrkit]", out.stdout


LAZY = """
import sys
from mlrkit.registry import HEADS
HEADS.get("GlobalPoolHead")
assert "mlrkit_csra" not in sys.modules, "imported before anything asked for it"
print(HEADS.get("CSRAHead").__module__)
"""


def test_mlrkit_imports_the_plugin_only_when_a_lookup_misses():
    out = run([sys.executable, "-c", LAZY])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "mlrkit_csra.csra_head"


def test_without_plugin_loading_mlrkit_works_and_explains_the_miss():
    script = LAZY.replace('print(HEADS.get("CSRAHead").__module__)', 'HEADS.get("CSRAHead")')
    out = run([sys.executable, "-c", script], MLRKIT_DISABLE_PLUGIN_AUTOLOAD="1")
    assert out.returncode == 1
    assert "'CSRAHead' is not in the mlrkit 'head' registry" in out.stderr
    assert "mlrkit.plugins" in out.stderr


def mlrkit_contract_test() -> Path | None:
    """mlrkit's contract test, from its source tree (an editable or in-tree install)."""
    given = os.environ.get("MLRKIT_CONTRACT_TEST")
    path = Path(given) if given else Path(mlrkit.__file__).resolve().parents[1] / "tests"
    path = path / "test_contract.py" if path.is_dir() else path
    return path if path.is_file() else None


def test_passes_mlrkit_contract_test():
    contract = mlrkit_contract_test()
    if contract is None:
        pytest.skip(
            "mlrkit's source tree (tests/test_contract.py) is not next to the installed "
            "package; set MLRKIT_CONTRACT_TEST=/path/to/mlrkit/tests"
        )
    out = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(contract),
            "-k",
            "CSRAHead",
        ],
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "2 passed" in out.stdout, out.stdout[-2000:]  # head contract + inside the classifier


def test_trains_inside_the_classifier_and_works_with_grad_cam():
    from mlrkit.cam import grad_cam
    from mlrkit.datasets.synthetic_scenes import SyntheticScenes

    torch.manual_seed(0)
    data = SyntheticScenes(source="voc", split="train", num_samples=64, image_size=32, seed=0)
    model = build_model(
        dict(
            type="MultiLabelClassifier",
            backbone=dict(type="TimmBackbone", model_name="resnet18", out_index=1),
            head=dict(type="CSRAHead", num_heads=4, lam=0.5),
            num_classes=data.num_classes,
        )
    )
    images = torch.stack([data[i]["inputs"] for i in range(64)])  # (64, 3, 32, 32)
    targets = torch.as_tensor(data.targets[:64]).float()  # (64, K)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(15):  # the same batch: the loss must fall
        batch = model.data_preprocessor({"inputs": images, "data_samples": {"gt_label": targets}})
        loss = model(**batch, mode="loss")["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]
    result = grad_cam(model, images[0], top_k=2)
    assert list(result.maps) == ["features"]  # CSRA has no LIFT maps
    assert result.maps["features"].shape == (1, 2, 32, 32)
