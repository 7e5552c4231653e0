"""ONNX export: onnxruntime's logits equal PyTorch's for every head, and the torch-free path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

REPO = Path(__file__).resolve().parents[2]
SYNTHETIC = REPO / "configs" / "synthetic"

# (config, overrides, head config replacing the config's): every built-in head, each Deep-LIFT
# channel attention variant, and the CSRA plugin; run with -m slow (the default run exports
# Deep-LIFT in the end-to-end test below). The export has no per-head code: each is the same
# FrozenClassifier.
HEADS = {
    "pooled": ("synthetic/pooled.py", {}, None),
    "deeplift_avg+max": ("synthetic/deeplift_agcn.py", {}, None),
    "mlgcn": ("synthetic/mlgcn.py", {}, None),
    "deeplift_rgcn": ("synthetic/deeplift_rgcn.py", {}, None),
    "deeplift_attention_none": (
        "synthetic/deeplift_agcn.py",
        {"model.head.channel_attention": "none"},
        None,
    ),
    "deeplift_attention_avg": (
        "synthetic/deeplift_agcn.py",
        {"model.head.channel_attention": "avg"},
        None,
    ),
    "deeplift_attention_max": (
        "synthetic/deeplift_agcn.py",
        {"model.head.channel_attention": "max"},
        None,
    ),
    "csra_plugin": ("plugins/csra_synthetic.py", {}, None),
    "query2label": ("synthetic/pooled.py", {}, dict(type="Query2LabelHead", num_heads=4)),
    "ml_decoder": (
        "synthetic/pooled.py",
        {},
        dict(type="MLDecoderHead", embed_dim=64, num_heads=4, ffn_dim=128),
    ),
    "add_gcn": ("synthetic/pooled.py", {}, dict(type="ADDGCNHead")),
}


def _images(n: int) -> torch.Tensor:
    """n real built-in scenes, uint8 (n, 3, 32, 32)."""
    from mlrkit.datasets.synthetic_scenes import SyntheticScenes

    data = SyntheticScenes(source="voc", split="test", num_samples=n, image_size=32, seed=1)
    return torch.stack([data[i]["inputs"] for i in range(n)])


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) for n in HEADS],
)
def test_onnxruntime_logits_equal_pytorch(name, tmp_path, tiny):
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import prepare_config
    from mlrkit.inference.onnx_export import compare_with_onnxruntime, export_onnx
    from mlrkit.models.build import build_model

    config, extra, head = HEADS[name]
    if name == "csra_plugin":
        pytest.importorskip("mlrkit_csra")
    cfg = load_config(REPO / "configs" / config, {**tiny.overrides, **extra})
    if head is not None:
        cfg.model.head = head
    cfg = prepare_config(cfg, work_dir=str(tmp_path))
    torch.manual_seed(0)
    model = build_model(cfg.model).eval()
    # a trained model's encoder has moved away from its initialisation: perturb every weight
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    model.invalidate_label_features()
    path = export_onnx(model, tmp_path / "m.onnx", {"size": [32, 32], "interpolation": "bilinear"})
    images = _images(8)
    for batch in (images[:1], images[1:]):  # batch sizes 1 and 7
        reference, logits = compare_with_onnxruntime(model, path, batch)
        assert logits.shape == (len(batch), 20)
        np.testing.assert_allclose(logits, reference, rtol=0, atol=1e-4)


def _torch_free(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter and fail if it imported torch (or mmengine, timm)."""
    check = (
        "\nbad = [m for m in ('torch', 'torchvision', 'mmengine', 'timm') if m in sys.modules]"
        "\nprint('IMPORTED', bad, file=sys.stderr)\nsys.exit(3 if bad else rc)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", "import sys\n" + code + check],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def test_export_then_torch_free_predict_gives_the_labels_of_mlrkit_predict(
    tiny_model, scenes, tmp_path, capsys, tiny
):
    import onnx

    from mlrkit.cli import main

    config, checkpoint = tiny_model
    model = tmp_path / "model.onnx"
    thresholds = tmp_path / "t.json"
    code = main(
        [
            "calibrate",
            str(config),
            str(checkpoint),
            "--out",
            str(thresholds),
            *tiny.cli_overrides,
            "val_dataloader.dataset.split=val",
        ]
    )
    assert code == 0
    code = main(
        [
            "export",
            str(config),
            str(checkpoint),
            "--out",
            str(model),
            "--thresholds",
            str(thresholds),
            *tiny.cli_overrides,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "batch 1 and 7" in out
    meta = {p.key: p.value for p in onnx.load(str(model)).metadata_props}
    saved = json.loads(thresholds.read_text())
    assert json.loads(meta["mlrkit.classes"]) == saved["classes"]
    assert json.loads(meta["mlrkit.thresholds"]) == pytest.approx(saved["per_class"])
    assert json.loads(meta["mlrkit.resize"])["size"] == [32, 32]
    assert len(json.loads(meta["mlrkit.mean"])) == 3 and len(json.loads(meta["mlrkit.std"])) == 3

    torch_out = tmp_path / "torch.jsonl"
    code = main(
        [
            "predict",
            str(config),
            str(checkpoint),
            str(scenes),
            "--thresholds",
            str(thresholds),
            "--out",
            str(torch_out),
            *tiny.cli_overrides,
        ]
    )
    assert code == 0
    onnx_out = tmp_path / "onnx.jsonl"
    run = _torch_free(
        "from mlrkit.inference.onnx_predictor import main\n"
        f"rc = main([{str(model)!r}, {str(scenes)!r}, '--out', {str(onnx_out)!r}])"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    torch_rows = [json.loads(line) for line in torch_out.read_text().splitlines()]
    onnx_rows = [json.loads(line) for line in onnx_out.read_text().splitlines()]
    assert [r["path"] for r in onnx_rows] == [r["path"] for r in torch_rows]
    compared = 0
    for a, b in zip(torch_rows, onnx_rows):
        assert ("error" in a) == ("error" in b)
        if "error" in a or a["path"].endswith("cmyk.jpg"):  # decoders convert CMYK differently
            continue
        assert a["labels"] == b["labels"], a["path"]
        assert max(abs(a["scores"][k] - b["scores"][k]) for k in a["scores"]) < 1e-4
        compared += 1
    assert compared == 7  # 6 RGB PNGs and the grayscale one

    # `mlrkit predict --onnx` goes the same torch-free way
    run = _torch_free(
        "from mlrkit.cli import main\n"
        f"rc = main(['predict', '--onnx', {str(model)!r}, {str(scenes / 'scene1.png')!r}])"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    (row,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert row["labels"] == next(r for r in onnx_rows if r["path"].endswith("scene1.png"))["labels"]


def test_onnx_predict_errors_name_the_problem(tmp_path):
    not_onnx = tmp_path / "x.onnx"
    not_onnx.write_bytes(b"nope")
    run = _torch_free(
        "from mlrkit.inference.onnx_predictor import main\n"
        f"rc = main([{str(not_onnx)!r}, {str(tmp_path)!r}])"
    )
    assert run.returncode == 1 and "onnxruntime cannot load" in run.stderr
    assert "Traceback" not in run.stderr
