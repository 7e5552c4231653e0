"""Is mlrkit ready for a GPU? One command, no dataset, under 5 minutes on one GPU.

What it checks, on generated data (JPEGs with the size distribution of COCO 2014: long side
640, mostly 4:3 landscape, some portrait, 3:2, 16:9 and square; 1-3 of COCO's 80 labels
each, written as a COCO instances file so the real ``CocoMultiLabel`` reads them):

1. **train**: the full-scale Deep-LIFT (AGCN) and ML-GCN models of ``configs/coco/`` (ResNet-101
   at 448, random initialisation) train a few hundred steps (SGD, bf16 autocast,
   channels_last) without a NaN or inf in the loss or the weights; images/s, and the share of
   the GPU's bf16 peak that is (FLOPs of one step counted by ``torch.utils.flop_counter``,
   against the data-sheet peak of the GPU when its name is known and against a measured large
   bf16 matmul);
2. **data**: the config's train pipeline (JPEG decode, multi-scale crop, flip) with 8
   DataLoader workers, images/s loaded against images/s trained: does loading keep up?
3. **torchrun**: ``mlrkit train --launcher pytorch`` under ``torch.distributed.run`` over all
   GPUs present (NCCL), one epoch, checkpoint saved on GPU;
4. **resume**: the same run resumed (``--resume``) for a second epoch from that checkpoint.

``--cpu`` runs the same four checks at tiny sizes (ResNet-18 at 64 px, a few steps, 2 workers,
gloo) so that the test suite covers this script; its figures mean nothing.

Usage::

    python benchmarks/gpu_check.py                 # on a GPU machine (prints a report)
    python benchmarks/gpu_check.py --cpu           # the CPU path the tests run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CONFIGS = {
    "Deep-LIFT (AGCN)": REPO / "configs" / "coco" / "deeplift_agcn_r101_448.py",
    "ML-GCN": REPO / "configs" / "coco" / "mlgcn_r101_448.py",
}
# (width, height, share) of COCO 2014 train images, rounded: long side 640 almost always
COCO_SIZES = [
    (640, 480, 0.45),
    (480, 640, 0.17),
    (640, 427, 0.16),
    (427, 640, 0.06),
    (640, 360, 0.05),
    (640, 640, 0.04),
    (500, 375, 0.04),
    (640, 512, 0.03),
]
# dense bf16 tensor-core peak, TFLOPS, from the vendors' data sheets (no sparsity)
BF16_PEAK_TFLOPS = {
    "H200": 989.0,
    "H100 SXM": 989.0,
    "H100 PCIe": 756.0,
    "H100 NVL": 835.0,
    "GH200": 989.0,
    "B200": 2250.0,
    "A100": 312.0,
    "A10G": 70.0,
    "A10": 125.0,
    "L40S": 362.0,
    "L4": 121.0,
    "RTX 4090": 165.0,
}


# -- data ------------------------------------------------------------------------------------
def write_coco(root: Path, split: str, num: int, scale: float, seed: int) -> Path:
    """``num`` JPEGs of COCO's size distribution (times ``scale``) and their instances file."""
    from PIL import Image

    from mlrkit.graph import LabelStatistics

    names = LabelStatistics.shipped("coco").classes
    rng = np.random.default_rng(seed)
    folder = root / split
    folder.mkdir(parents=True, exist_ok=True)
    sizes = rng.choice(len(COCO_SIZES), size=num, p=[s for *_, s in COCO_SIZES])
    images, annotations = [], []
    for i, which in enumerate(sizes):
        w, h, _ = COCO_SIZES[which]
        w, h = max(16, round(w * scale)), max(16, round(h * scale))
        # smooth colour fields plus noise: JPEG decoding costs what a photo's does
        low = rng.integers(0, 256, (h // 16 + 2, w // 16 + 2, 3), dtype=np.uint8)
        image = Image.fromarray(low).resize((w, h), Image.BILINEAR)
        pixels = np.asarray(image, dtype=np.int16) + rng.integers(-12, 13, (h, w, 3))
        name = f"{i:06d}.jpg"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(folder / name, quality=90)
        images.append({"id": i, "file_name": name, "width": w, "height": h})
        for k in rng.choice(len(names), size=int(rng.integers(1, 4)), replace=False):
            annotations.append({"id": len(annotations), "image_id": i, "category_id": int(k) + 1})
    ann = root / "annotations" / f"instances_{split}.json"
    ann.parent.mkdir(parents=True, exist_ok=True)
    categories = [{"id": k + 1, "name": n} for k, n in enumerate(names)]
    ann.write_text(
        json.dumps({"images": images, "annotations": annotations, "categories": categories})
    )
    return ann


def options(root: Path, tiny: bool) -> dict[str, object]:
    """Config overrides: the generated data, no ImageNet file, and (``tiny``) small sizes.

    As in the COCO config, val is a hash hold-out of the (generated) train2014 images: an eighth
    of them, at least one.
    """
    train_ann = root / "annotations/instances_train2014.json"
    num_train = len(json.loads(train_ann.read_text())["images"])
    hold_out = max(1, num_train // 8)
    out: dict[str, object] = {
        "model.backbone.pretrained_file": None,
        "train_dataloader.dataset.ann_file": str(train_ann),
        "train_dataloader.dataset.img_dir": str(root / "train2014"),
        "train_dataloader.dataset.hold_out_size": hold_out,
        "val_dataloader.dataset.ann_file": str(train_ann),
        "val_dataloader.dataset.img_dir": str(root / "train2014"),
        "val_dataloader.dataset.hold_out_size": hold_out,
        "test_dataloader.dataset.ann_file": str(root / "annotations/instances_val2014.json"),
        "test_dataloader.dataset.img_dir": str(root / "val2014"),
    }
    if tiny:
        out.update(
            {
                "model.backbone.model_name": "resnet18",
                "train_dataloader.dataset.pipeline.0.size": 64,
                "val_dataloader.dataset.pipeline.0.size": 64,
                "test_dataloader.dataset.pipeline.0.size": 64,
                "train_dataloader.batch_size": 4,
                "val_dataloader.batch_size": 4,
                "test_dataloader.batch_size": 4,
                "train_dataloader.num_workers": 0,
                "val_dataloader.num_workers": 0,
                "test_dataloader.num_workers": 0,
                "train_dataloader.persistent_workers": False,
                "val_dataloader.persistent_workers": False,
                "test_dataloader.persistent_workers": False,
            }
        )
    return out


# -- checks ----------------------------------------------------------------------------------
def bf16_matmul_tflops(device, n: int) -> float:
    """Measured TFLOPS of an (n x n) @ (n x n) bf16 matmul (the achievable peak)."""
    import torch

    a = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    sync(device)
    reps = 20 if device.type == "cuda" else 3
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync(device)
    return 2 * n**3 * reps / (time.perf_counter() - start) / 1e12


def sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def spec_peak(name: str) -> float | None:
    for key, value in BF16_PEAK_TFLOPS.items():
        if key.lower() in name.lower():
            return value
    return None


def train_check(config: Path, root: Path, work: Path, device, steps: int, tiny: bool) -> dict:
    """Train ``steps`` steps of one full-scale model in bf16 / channels_last on one batch."""
    import torch
    from mmengine.dataset import default_collate
    from torch.utils.flop_counter import FlopCounterMode

    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import prepare_config
    from mlrkit.models.build import build_model
    from mlrkit.registry import DATASETS

    cfg = prepare_config(load_config(config, options(root, tiny), strict=True), str(work))
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    batch_size = int(cfg.train_dataloader.batch_size)
    batch = default_collate([dataset[i % len(dataset)] for i in range(batch_size)])
    torch.manual_seed(0)
    model = build_model(cfg.model).to(device).train()
    model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    data = model.data_preprocessor(batch, training=True)
    data["inputs"] = data["inputs"].to(device).contiguous(memory_format=torch.channels_last)

    def step() -> torch.Tensor:
        with torch.autocast(device.type, dtype=torch.bfloat16):
            losses = model(**data, mode="loss")
        loss = sum(v for k, v in losses.items() if k.startswith("loss"))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()

    with FlopCounterMode(display=False) as counter:
        step()
    flops_per_image = counter.get_total_flops() / batch_size
    warm = 10 if device.type == "cuda" else 0
    for _ in range(warm):
        step()
    sync(device)
    start = time.perf_counter()
    losses = torch.stack([step() for _ in range(steps)])
    sync(device)
    seconds = time.perf_counter() - start
    finite_weights = all(torch.isfinite(p).all().item() for p in model.parameters())
    return {
        "steps": steps,
        "batch": batch_size,
        "images_per_s": steps * batch_size / seconds,
        "tflops_per_image": flops_per_image / 1e12,
        "finite": bool(torch.isfinite(losses).all().item()) and finite_weights,
        "loss_first_last": (float(losses[0]), float(losses[-1])),
    }


def data_check(config: Path, root: Path, work: Path, workers: int, batches: int, tiny: bool):
    """Images/s the config's train pipeline delivers with ``workers`` DataLoader workers."""
    import torch
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader

    from mlrkit.engine.config import load_config
    from mlrkit.registry import DATASETS

    cfg = load_config(config, options(root, tiny), strict=True)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    loader = DataLoader(
        dataset,
        batch_size=int(cfg.train_dataloader.batch_size),
        shuffle=True,
        num_workers=workers,
        collate_fn=default_collate,
        pin_memory=torch.cuda.is_available(),
        drop_last=True,
    )
    seen, start = 0, None
    for i, batch in enumerate(loader):
        if i == 1:  # the first batch pays for starting the workers
            start, seen = time.perf_counter(), 0
        seen += len(batch["inputs"])
        if i >= batches:
            break
    return seen / (time.perf_counter() - start) if start and seen else float("nan")


def torchrun_check(config: Path, root: Path, work: Path, nproc: int, tiny: bool) -> dict:
    """``mlrkit train --launcher pytorch`` under torchrun for one epoch, then resumed for one."""
    overrides = options(root, tiny) | {
        "train_cfg.val_interval": 1,
        "default_hooks.logger.interval": 1,
    }

    def run(epochs: int, resume: bool) -> subprocess.CompletedProcess:
        opts = overrides | {"train_cfg.max_epochs": epochs}
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={nproc}",
            "-m",
            "mlrkit.cli",
            "train",
            str(config),
            "--launcher",
            "pytorch",
            "--amp",
            "--work-dir",
            str(work),
            *(["--resume"] if resume else []),
            "--cfg-options",
            *(f"{k}={v}" for k, v in opts.items()),
        ]
        env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)

    first = run(1, resume=False)
    saved = (work / "epoch_1.pth").is_file()
    second = run(2, resume=True) if first.returncode == 0 else first
    logs = "\n".join(p.read_text(errors="replace") for p in sorted(work.glob("*/*.log")))
    return {
        "nproc": nproc,
        "first_rc": first.returncode,
        "checkpoint_saved": saved,
        "second_rc": second.returncode,
        "resumed": "resumed epoch: 1" in logs.lower() and (work / "epoch_2.pth").is_file(),
        "tail": (second.stderr or first.stderr)[-1500:],
    }


# -- report ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cpu", action="store_true", help="tiny sizes on the CPU (the tests)")
    parser.add_argument("--steps", type=int, help="training steps per model (GPU: 200, CPU: 1)")
    parser.add_argument("--images", type=int, help="generated train images (GPU: 1024, CPU: 8)")
    parser.add_argument("--workers", type=int, help="DataLoader workers (GPU: 8, CPU: 2)")
    parser.add_argument("--work-dir", help="keep the generated data and runs here")
    args = parser.parse_args(argv)

    import torch

    cuda = torch.cuda.is_available() and not args.cpu
    tiny = not cuda
    device = torch.device("cuda" if cuda else "cpu")
    steps = args.steps or (200 if cuda else 1)
    num_images = args.images or (1024 if cuda else 16)
    workers = args.workers if args.workers is not None else (8 if cuda else 2)
    nproc = torch.cuda.device_count() if cuda else 1
    name = torch.cuda.get_device_name(0) if cuda else platform.processor() or platform.machine()
    print(f"mlrkit GPU check: {name}; torch {torch.__version__}; {nproc} process(es) for torchrun")
    if not cuda:
        print("no GPU used: the CPU path at tiny sizes (ResNet-18, 64 px); figures mean nothing")
    started = time.perf_counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.work_dir) if args.work_dir else Path(tmp)
        root = base / "coco"
        scale = 1.0 if cuda else 0.1
        write_coco(root, "train2014", num_images, scale, seed=0)
        write_coco(root, "val2014", max(4, num_images // 8), scale, seed=1)
        print(f"data: {num_images} train JPEGs of COCO's sizes (x{scale}) in {root}")

        matmul = bf16_matmul_tflops(device, 8192 if cuda else 256)
        peak = spec_peak(name) if cuda else None
        print(
            f"bf16 peak: measured matmul {matmul:.1f} TFLOPS"
            + (f", data sheet {peak:.0f} TFLOPS" if peak else ", data sheet: unknown GPU")
        )
        trained = {}
        for label, config in CONFIGS.items():
            result = train_check(config, root, base / f"train_{label[:6]}", device, steps, tiny)
            trained[label] = result
            tflops = result["images_per_s"] * result["tflops_per_image"]
            share = f"{100 * tflops / matmul:.0f} % of measured matmul"
            if peak:
                share += f", {100 * tflops / peak:.0f} % of data-sheet peak"
            ok = result["finite"]
            failures += [] if ok else [f"train {label}: NaN or inf"]
            first, last = result["loss_first_last"]
            print(
                f"[{'ok' if ok else 'FAIL'}] train {label}: {result['steps']} steps of "
                f"{result['batch']} in bf16, channels_last; {result['images_per_s']:.1f} img/s; "
                f"{1e3 * result['tflops_per_image']:.1f} GFLOP/img (fwd+bwd); "
                f"{tflops:.1f} TFLOPS = {share}; loss {first:.3f} -> {last:.3f}"
            )
        first_config = next(iter(CONFIGS.values()))
        loaded = data_check(first_config, root, base, workers, 30 if cuda else 3, tiny)
        fastest = max(r["images_per_s"] for r in trained.values())
        keeps_up = loaded >= fastest
        if cuda and not keeps_up:
            failures.append("data: loading is slower than training")
        print(
            f"[{'ok' if keeps_up or not cuda else 'FAIL'}] data: {workers} workers load "
            f"{loaded:.1f} img/s; training takes {fastest:.1f} img/s "
            f"({loaded / fastest:.2f}x: {'keeps up' if keeps_up else 'does NOT keep up'})"
        )
        run = torchrun_check(first_config, root, base / "torchrun", nproc, tiny)
        launched = run["first_rc"] == 0 and run["checkpoint_saved"]
        failures += [] if launched else ["torchrun"]
        print(
            f"[{'ok' if launched else 'FAIL'}] torchrun: {nproc} process(es), one epoch, "
            f"checkpoint saved: {run['checkpoint_saved']} (rc {run['first_rc']})"
        )
        resumed = run["second_rc"] == 0 and run["resumed"]
        failures += [] if resumed else ["resume"]
        print(f"[{'ok' if resumed else 'FAIL'}] resume: second epoch from the checkpoint")
        if not (launched and resumed):
            print(run["tail"])
    elapsed = time.perf_counter() - started
    verdict = "all checks passed" if not failures else f"FAILED: {', '.join(failures)}"
    print(f"{verdict} in {elapsed:.0f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
