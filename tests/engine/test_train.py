"""End-to-end: `mlrkit train` / `mlrkit test` on the built-in dataset (issue 6 acceptance).

Each run is its own process, as users run it. Sizes are tiny: a cut ResNet-18 at 32 px.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from mlrkit.engine.checkpoint import allow_mmengine_checkpoints

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "configs" / "synthetic" / "deeplift_agcn.py"
TINY = [
    "train_dataloader.dataset.num_samples=1024",
    "val_dataloader.dataset.num_samples=192",
    "test_dataloader.dataset.num_samples=192",
    "train_dataloader.dataset.image_size=32",
    "val_dataloader.dataset.image_size=32",
    "test_dataloader.dataset.image_size=32",
    "model.backbone.out_index=1",
    "default_hooks.logger.interval=1",
]


def env(threads: int = 1) -> dict[str, str]:
    return dict(
        os.environ,
        OMP_NUM_THREADS=str(threads),
        MLRKIT_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONUNBUFFERED="1",
    )


def mlrkit(*args: str, timeout: int = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mlrkit.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(),
        **kwargs,
    )


def val_maps(work_dir: Path) -> list[float]:
    logs = sorted(work_dir.glob("*/*.log"))
    text = "\n".join(p.read_text() for p in logs)
    return [float(m) for m in re.findall(r"Epoch\(val\).*?multilabel/mAP: ([0-9.]+)", text)]


def test_train_steps_and_test_reproduces_the_reported_map(tmp_path):
    work = tmp_path / "run"
    out = mlrkit(
        "train",
        str(CONFIG),
        "--work-dir",
        str(work),
        "--cfg-options",
        *TINY,
        "train_cfg.max_epochs=4",
        "train_cfg.val_interval=1",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    maps = val_maps(work)
    assert len(maps) == 4
    ckpt = work / "epoch_4.pth"
    # the checkpoint evaluated in a fresh process gives exactly the mAP logged in training
    tested = mlrkit(
        "test",
        str(CONFIG),
        str(ckpt),
        "--work-dir",
        str(tmp_path / "t"),
        "--out",
        str(tmp_path / "metrics.json"),
        "--cfg-options",
        *TINY,
        "test_dataloader.dataset.split=val",  # the split whose mAP training logged
        "protocol=paper",  # (held_out refuses a test loader that reads the val split)
    )
    assert tested.returncode == 0, tested.stderr[-3000:]
    metrics = json.loads((tmp_path / "metrics.json").read_text())["metrics"]
    assert metrics["multilabel/mAP"] == pytest.approx(maps[-1], abs=1e-3)
    assert {"multilabel/CF1@3", "multilabel/OF1"} <= set(metrics)
    assert any(k.startswith("multilabel/AP/") for k in metrics)
    assert all(0 < m <= 100 for m in maps)
    # training moved the weights between epochs (what the loop guarantees; how much the tiny
    # model learns depends on the CPU's float details, so no mAP threshold is asserted)
    allow_mmengine_checkpoints()  # the safe globals of mmengine's checkpoints, as mlrkit loads them
    before = torch.load(work / "epoch_3.pth", weights_only=True)["state_dict"]
    after = torch.load(ckpt, weights_only=True)["state_dict"]
    assert any(not torch.equal(before[k], after[k]) for k in after if after[k].is_floating_point())
    info = json.loads((work / "run_info.json").read_text())
    assert info["versions"]["torch"] and "seed" in info
    # the pictures of the run: one point per epoch, the val mAP the log reported
    curves = json.loads((work / "curves.json").read_text())
    assert [e["mAP"] for e in curves["epochs"] if "mAP" in e] == pytest.approx(maps, abs=1e-3)
    assert all(e["loss"] > 0 and e["lr"] > 0 for e in curves["epochs"])
    assert (work / "curves.png").is_file() and (work / "per_class_ap.png").is_file()


DICT_CONFIG = """
default_scope = "mlrkit"
model = dict(type="MultiLabelClassifier",
             backbone=dict(type="TimmBackbone", model_name="resnet18", out_index=1),
             head=dict(type="GlobalPoolHead"))
train_dataloader = dict(batch_size=8, sampler=dict(type="DefaultSampler", shuffle=True),
                        collate_fn=dict(type="default_collate"),
                        dataset=dict(type="CocoMultiLabel", ann_file="{root}/instances.json",
                                     img_dir="{root}/train2014"))
optim_wrapper = dict(optimizer=dict(type="AdamW", lr=1e-3))
train_cfg = dict(by_epoch=True, max_epochs=1)
"""


def test_missing_data_path_fails_before_training(tmp_path):
    config = tmp_path / "coco_missing.py"  # a classic dict-style config works too
    config.write_text(DICT_CONFIG.format(root=tmp_path / "nowhere"))
    out = mlrkit("train", str(config), "--work-dir", str(tmp_path / "w"))
    assert out.returncode == 1
    assert "train dataset" in out.stderr and "nowhere/instances.json" in out.stderr
    assert not list((tmp_path / "w").glob("*.pth"))


@pytest.mark.slow  # two trainings and a SIGKILL: about 35 s on 2 cores
def test_sigkill_mid_epoch_then_resume_matches_an_uninterrupted_run(tmp_path):
    opts = [
        *TINY,
        "train_cfg.max_epochs=3",
        "train_cfg.val_interval=3",
        "randomness.deterministic=True",
        "train_dataloader.dataset.num_samples=2048",
    ]
    straight = mlrkit(
        "train", str(CONFIG), "--work-dir", str(tmp_path / "a"), "--cfg-options", *opts
    )
    assert straight.returncode == 0, straight.stderr[-3000:]

    work = tmp_path / "b"
    cmd = [
        sys.executable,
        "-m",
        "mlrkit.cli",
        "train",
        str(CONFIG),
        "--work-dir",
        str(work),
        "--cfg-options",
        *opts,
    ]
    errors = tmp_path / "killed.stderr"
    with errors.open("w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env())
        deadline = time.time() + 240
        while not (work / "epoch_1.pth").is_file():  # wait for the first checkpoint...
            assert proc.poll() is None, errors.read_text()[-3000:]
            assert time.time() < deadline
            time.sleep(0.2)
        log = next(work.glob("*/*.log"))
        while "Epoch(train) [2][" not in log.read_text():  # ...and for epoch 2 to be under way
            assert proc.poll() is None and time.time() < deadline
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not (work / "epoch_2.pth").exists()  # killed mid-epoch 2

    resumed = mlrkit(
        "train", str(CONFIG), "--work-dir", str(work), "--resume", "--cfg-options", *opts
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed" in resumed.stdout.lower() or "resumed" in resumed.stderr.lower()
    assert val_maps(work) == val_maps(tmp_path / "a")  # bitwise the same final metrics
    assert len(val_maps(work)) == 1


@pytest.mark.dist
def test_torchrun_two_cpu_processes_report_what_the_checkpoint_scores(tmp_path):
    work = tmp_path / "dist"
    torchrun = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--master_port=29517",
        "-m",
        "mlrkit.cli",
    ]
    out = subprocess.run(
        [
            *torchrun,
            "train",
            str(CONFIG),
            "--launcher",
            "pytorch",
            "--work-dir",
            str(work),
            "--cfg-options",
            *TINY,
            "val_dataloader.dataset.num_samples=191",  # uneven: padding dropped
            "train_cfg.max_epochs=2",
            "train_cfg.val_interval=1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env(),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    info = json.loads((work / "run_info.json").read_text())
    assert info["world_size"] == 2
    reported = val_maps(work)[-1]
    single = mlrkit(
        "test",
        str(CONFIG),
        str(work / "epoch_2.pth"),
        "--work-dir",
        str(tmp_path / "single"),
        "--out",
        str(tmp_path / "m.json"),
        "--cfg-options",
        *TINY,
        "test_dataloader.dataset.num_samples=191",
        "test_dataloader.dataset.split=val",  # the split whose mAP training logged
        "protocol=paper",  # (held_out refuses a test loader that reads the val split)
        "val_dataloader.dataset.num_samples=191",
    )
    assert single.returncode == 0, single.stderr[-3000:]
    tested = json.loads((tmp_path / "m.json").read_text())["metrics"]["multilabel/mAP"]
    assert tested == pytest.approx(reported, abs=1e-3)


def test_amp_on_cpu_trains_under_bfloat16_autocast(tmp_path):
    work = tmp_path / "amp"
    out = mlrkit(
        "train",
        str(CONFIG),
        "--amp",
        "--work-dir",
        str(work),
        "--cfg-options",
        *TINY,
        "train_cfg.max_epochs=1",
        "train_cfg.val_interval=1",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    dumped = next(work.glob("*/vis_data/config.py"), None) or work / "deeplift_agcn.py"
    assert "CPUAutocastOptimWrapper" in dumped.read_text()
    assert len(val_maps(work)) == 1
