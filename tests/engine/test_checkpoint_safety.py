"""Checkpoints in, checkpoints out: weights-only loading everywhere, models that must fit,
records that are not overwritten, resuming (nothing to resume, a new lr, moved and copied work
dirs), damaged checkpoints and a full disk.

One tiny run (a cut ResNet-18 at 32 px on 96 images, 2 epochs) is trained once for the module;
each test copies what it changes.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import torch

from mlrkit.cli import main
from mlrkit.engine.checkpoint import (
    CheckpointLoadError,
    CheckpointSaveError,
    load_checkpoint_file,
    resolve_last_checkpoint,
)

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "configs" / "synthetic" / "pooled.py"
TINY = [
    "train_dataloader.dataset.num_samples=96",
    "val_dataloader.dataset.num_samples=32",
    "test_dataloader.dataset.num_samples=32",
    "train_dataloader.dataset.image_size=32",
    "val_dataloader.dataset.image_size=32",
    "test_dataloader.dataset.image_size=32",
    "model.backbone.out_index=1",
    "train_cfg.val_interval=1",
]


def mlrkit(capsys, *args, epochs: int = 2) -> tuple[int, str, str]:
    """``mlrkit ARGS`` in-process, with the tiny overrides for train and test."""
    args = [str(a) for a in args]
    if args[0] in ("train", "test"):
        args += ["--cfg-options", *TINY, f"train_cfg.max_epochs={epochs}"]
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A work dir with epoch_1.pth, epoch_2.pth, last_checkpoint and run_info.json, written
    by `mlrkit train --resume-or-start` in a fresh dir (so: from scratch)."""
    work = tmp_path_factory.mktemp("ckpt") / "run"
    args = ["train", str(CONFIG), "--work-dir", str(work), "--resume-or-start"]
    assert main([*args, "--cfg-options", *TINY, "train_cfg.max_epochs=2"]) == 0
    assert (work / "epoch_2.pth").is_file()
    return work


def copy_run(trained: Path, tmp_path: Path, name: str = "copy") -> Path:
    target = tmp_path / name
    shutil.copytree(trained, target)
    return target


class Payload:
    """Unpickling this creates a folder: proof that a pickle payload ran."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def plant_payload(trained: Path, tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "payload_ran"
    state = torch.load(trained / "epoch_2.pth", weights_only=True)
    state["meta"]["evil"] = Payload(marker)
    path = tmp_path / "evil.pth"
    torch.save(state, path)
    return path, marker


# -- weights_only everywhere (issue 13, item 5) -------------------------------------------------


def test_a_pickle_payload_never_runs_even_when_torch_is_told_to_unpickle(
    trained, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    from PIL import Image

    evil, marker = plant_payload(trained, tmp_path)
    image = tmp_path / "grey.png"
    Image.new("RGB", (32, 32), (90, 90, 90)).save(image)
    runs = {
        "test": ["test", CONFIG, evil, "--work-dir", tmp_path / "t"],
        "--resume": ["train", CONFIG, "--work-dir", tmp_path / "r", "--resume", evil],
        "load_from": ["train", CONFIG, "--work-dir", tmp_path / "l"],
        "cam": ["cam", CONFIG, evil, image, "--out", tmp_path / "c"],
    }
    for what, args in runs.items():
        if what == "load_from":
            code = main([*map(str, args), "--cfg-options", *TINY, f"load_from={evil}"])
            err = capsys.readouterr().err
        else:
            code, _, err = mlrkit(capsys, *args)
        assert code == 1, (what, err[-2000:])
        assert "cannot be loaded safely (weights_only=True)" in err and "evil.pth" in err, what
        assert "Traceback" not in err, what
        assert not marker.exists(), f"the payload ran through {what}"


def test_a_pretrained_file_with_a_payload_is_refused(trained, tmp_path, monkeypatch):
    from mlrkit.backbones.timm_backbone import TimmBackbone

    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    marker = tmp_path / "payload_ran"
    path = tmp_path / "resnet18.pth"
    torch.save({"conv1.weight": torch.zeros(1), "evil": Payload(marker)}, path)
    with pytest.raises(ValueError, match=r"resnet18.pth cannot be loaded safely"):
        TimmBackbone("resnet18", pretrained_file=path)
    assert not marker.exists()


def test_remote_checkpoints_are_refused(tmp_path):
    from mmengine.runner.checkpoint import CheckpointLoader

    from mlrkit.engine.checkpoint import allow_mmengine_checkpoints

    allow_mmengine_checkpoints()
    with pytest.raises(CheckpointLoadError, match="local files only"):
        CheckpointLoader.load_checkpoint("https://example.org/model.pth")


# -- a checkpoint of another model (item 4) ----------------------------------------------------


def test_test_refuses_a_checkpoint_of_another_model_or_class_count(trained, tmp_path, capsys):
    state = torch.load(trained / "epoch_2.pth", weights_only=True)["state_dict"]
    head = next(k for k in state if k.startswith("head.") and k.endswith("weight"))
    fewer = {**state, head: state[head][:-1]}  # one class less
    fewer.pop(next(k for k in state if k.startswith("backbone.")))
    fewer["extra.weight"] = torch.zeros(3)
    path = tmp_path / "other.pth"
    torch.save(fewer, path)
    code, out, err = mlrkit(capsys, "test", CONFIG, path, "--work-dir", tmp_path / "t")
    assert code == 1 and "Traceback" not in err
    line = err.strip()
    assert "\n" not in line and "does not match the model" in line
    assert "1 missing from the checkpoint: backbone." in line
    assert "1 in the checkpoint but not in the model: extra.weight" in line
    assert f"of different shape (checkpoint vs model): {head} (19, " in line
    assert not re.search(r"^multilabel/mAP\s+[0-9.]+$", out, flags=re.M)  # no metrics


# -- records (item 6) ---------------------------------------------------------------------------


def test_test_writes_its_own_record_and_never_the_training_one(trained, tmp_path, capsys):
    work = copy_run(trained, tmp_path)
    before = (work / "run_info.json").read_bytes()
    code, out, err = mlrkit(capsys, "test", CONFIG, work / "epoch_2.pth", "--work-dir", work)
    assert code == 0, err
    assert "multilabel/mAP" in out
    assert (work / "run_info.json").read_bytes() == before
    records = list(work.glob("*/test_info.json"))
    assert len(records) == 1
    record = json.loads(records[0].read_text())
    assert record["command"] == "test" and record["checkpoint"].endswith("epoch_2.pth")


# -- resuming (items 7, 8, 9) ---------------------------------------------------------------------


def test_resume_with_nothing_to_resume_stops(tmp_path, capsys):
    work = tmp_path / "typo"
    code, _, err = mlrkit(capsys, "train", CONFIG, "--work-dir", work, "--resume")
    assert code == 1 and "Traceback" not in err
    assert "--resume: nothing to resume in" in err and "--resume-or-start" in err
    assert not list(work.glob("*.pth"))
    code, _, err = mlrkit(capsys, "train", CONFIG, "--resume", "--resume-or-start")
    assert code == 1 and "exclude each other" in err


@pytest.mark.slow  # one resumed epoch: 10-15 s on 2 busy cores
def test_the_pointer_is_relative_and_a_copy_resumes_from_its_own_checkpoints(
    trained, tmp_path, capsys
):
    assert (trained / "last_checkpoint").read_text().strip() == "epoch_2.pth"
    copy = copy_run(trained, tmp_path)
    original = {p.name: p.stat().st_mtime_ns for p in trained.iterdir()}
    code, _, err = mlrkit(capsys, "train", CONFIG, "--work-dir", copy, "--resume", epochs=3)
    assert code == 0, err
    assert (copy / "epoch_3.pth").is_file() and not (trained / "epoch_3.pth").exists()
    assert {p.name: p.stat().st_mtime_ns for p in trained.iterdir()} == original
    log = "\n".join(p.read_text() for p in copy.glob("*/*.log"))
    assert f"Load checkpoint from {copy / 'epoch_2.pth'}" in log and "resumed epoch: 2" in log


def test_an_absolute_pointer_is_read_inside_the_moved_or_copied_work_dir(trained, tmp_path):
    moved = copy_run(trained, tmp_path, "moved")
    # as mmengine writes it: the absolute path where the run used to be
    (moved / "last_checkpoint").write_text(str(tmp_path / "gone" / "epoch_2.pth"))
    assert resolve_last_checkpoint(moved) == moved / "epoch_2.pth"
    (moved / "last_checkpoint").write_text(str(trained / "epoch_2.pth"))  # a copy's pointer
    assert resolve_last_checkpoint(moved) == moved / "epoch_2.pth"
    (moved / "epoch_2.pth").unlink()
    with pytest.raises(FileNotFoundError, match="which is not in"):
        resolve_last_checkpoint(moved)


@pytest.mark.slow  # two resumed runs: 10-15 s on 2 busy cores
def test_resume_with_a_new_learning_rate(trained, tmp_path, capsys):
    """The NaN-loss advice: `--resume CKPT --lr LR` trains on at LR (every rate scaled by
    LR / the config's 2e-3), not at the rate restored from the checkpoint."""
    plain, scaled = copy_run(trained, tmp_path, "plain"), copy_run(trained, tmp_path, "scaled")
    for work in (plain, scaled):
        (work / "epoch_2.pth").unlink()
        (work / "last_checkpoint").write_text("epoch_1.pth")
    code, _, err = mlrkit(capsys, "train", CONFIG, "--work-dir", plain, "--resume")
    assert code == 0, err
    code, _, err = mlrkit(
        capsys, "train", CONFIG, "--work-dir", scaled, "--resume", scaled / "epoch_1.pth",
        "--lr", "5e-4",
    )  # fmt: skip
    assert code == 0, err

    def rates(work: Path) -> list[float]:
        state = torch.load(work / "epoch_2.pth", weights_only=True)
        return [g["lr"] for g in state["optimizer"]["param_groups"]]

    for a, b in zip(rates(plain), rates(scaled)):
        assert b == pytest.approx(a * 5e-4 / 2e-3, rel=1e-6)
    assert rates(plain) == pytest.approx(
        [g["lr"] for g in torch.load(trained / "epoch_2.pth")["optimizer"]["param_groups"]]
    )


# -- damaged checkpoints, full disk (traceback list) ----------------------------------------------


def test_a_truncated_checkpoint_on_resume_is_named(trained, tmp_path, capsys):
    cut = tmp_path / "cut.pth"
    cut.write_bytes((trained / "epoch_2.pth").read_bytes()[:5000])
    code, _, err = mlrkit(capsys, "train", CONFIG, "--work-dir", tmp_path / "w", "--resume", cut)
    assert code == 1 and "Traceback" not in err
    assert "cut.pth is damaged (truncated or not a checkpoint" in err
    with pytest.raises(CheckpointLoadError, match="is damaged"):
        load_checkpoint_file(cut)


@pytest.mark.slow  # two resumed runs: 10-15 s on 2 busy cores
def test_a_full_disk_while_saving_loses_nothing(trained, tmp_path, capsys, monkeypatch):
    """ENOSPC in the middle of writing epoch 3: one clear error, epoch 2 intact and still
    the resume point, no partial file left behind."""
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import train

    work = copy_run(trained, tmp_path)
    real_save = torch.save

    def full_disk(obj, f, *args, **kwargs):
        if hasattr(f, "write") and "epoch_3" in getattr(f, "name", ""):
            f.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", full_disk)
    code, _, err = mlrkit(capsys, "train", CONFIG, "--work-dir", work, "--resume", epochs=3)
    assert code == 1 and "Traceback" not in err
    lines = [line for line in err.splitlines() if "could not write checkpoint" in line]
    assert len(lines) == 1, err[-2000:]
    message = lines[0]
    assert "epoch_3.pth" in message and "No space left on device" in message
    assert "the last good checkpoint is" in message and "epoch_2.pth" in message
    assert "--resume" in message
    options = {k: int(v) for k, v in (a.split("=", 1) for a in TINY)}
    cfg = load_config(CONFIG, options | {"train_cfg.max_epochs": 3})
    with pytest.raises(CheckpointSaveError):  # the engine raises it as an OSError
        train(cfg, work_dir=str(work), resume=True)
    assert not (work / "epoch_3.pth").exists() and not list(work.glob(".*.tmp"))
    assert resolve_last_checkpoint(work) == work / "epoch_2.pth"
    load_checkpoint_file(work / "epoch_2.pth")
