"""Throughput of ``mlrkit predict`` against a bare PyTorch loop, and onnxruntime against PyTorch.

Both loops score the same PNG files (built-in scenes rendered at 96 px, so the test pipeline's
warp to 48 px runs) with Deep-LIFT (AGCN) of ``configs/synthetic/deeplift_agcn.py`` (random
weights: the cost does not depend on them), batch 32, on the CPU:

- **bare**: for each batch, decode every file (``decode_image_file``), warp it (the config's
  ``Resize``), stack, normalise with the model's data preprocessor, forward under
  ``inference_mode``; nothing written;
- **predict**: what ``mlrkit predict`` runs (``predict_files`` with ``TorchPredictor``), records
  written as JSON lines to a file;
- **onnx**: ``mlrkit predict --onnx`` (``OnnxPredictor``: PIL decode and warp, onnxruntime),
  records written the same way;
- **model only**: the forward pass alone on the same preprocessed batches, PyTorch against
  onnxruntime.

The variants alternate over rounds (a change of machine load hits them alike); a ratio is the
median over rounds of the per-round ratio. Throughput ratio predict / bare: target >= 0.9.

Usage::

    python benchmarks/bench_predict.py            # 1,024 images, 5 rounds
    python benchmarks/bench_predict.py --quick    # 64 images, 2 rounds (a smoke run)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs/synthetic/deeplift_agcn.py"


def make_model(work: Path):
    """The config's model with random weights, saved as a checkpoint; (cfg, checkpoint)."""
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import prepare_config
    from mlrkit.models.build import build_model
    from mlrkit.registry import DATASETS

    options = {"train_dataloader.dataset.num_samples": 1000}
    cfg = prepare_config(load_config(CONFIG, options), work_dir=str(work / "model"))
    torch.manual_seed(0)
    model = build_model(cfg.model)
    meta = {"dataset_meta": dict(DATASETS.build(cfg.train_dataloader.dataset).metainfo)}
    checkpoint = work / "model.pth"
    torch.save({"meta": meta, "state_dict": model.state_dict()}, checkpoint)
    return load_config(CONFIG, options), checkpoint


def make_images(folder: Path, n: int) -> list[str]:
    from PIL import Image

    from mlrkit.datasets.synthetic_scenes import SyntheticScenes

    folder.mkdir(parents=True, exist_ok=True)
    scenes = SyntheticScenes(source="voc", split="test", num_samples=n, image_size=96, seed=0)
    paths = []
    for i in range(n):
        path = folder / f"scene{i:05d}.png"
        Image.fromarray(scenes[i]["inputs"].permute(1, 2, 0).numpy()).save(path)
        paths.append(str(path))
    return paths


def bare_loop(model, transforms, paths: list[str], batch: int) -> int:
    from mlrkit.datasets._io import decode_image_file

    done = 0
    with torch.inference_mode():
        for start in range(0, len(paths), batch):
            images = []
            for path in paths[start : start + batch]:
                image = decode_image_file(path)
                for transform in transforms:
                    image = transform(image)
                images.append(image)
            inputs = model.data_preprocessor({"inputs": torch.stack(images)})["inputs"]
            done += model(inputs, mode="tensor").shape[0]
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="64 images, 2 rounds")
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.quick:
        args.images, args.rounds = 64, 2
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)

    import onnxruntime as ort

    from mlrkit.inference.onnx_export import export_onnx, resize_spec
    from mlrkit.inference.onnx_predictor import OnnxPredictor
    from mlrkit.inference.predictor import TorchPredictor
    from mlrkit.inference.records import RecordWriter, predict_files

    with tempfile.TemporaryDirectory(prefix="bench-predict-") as tmp:
        work = Path(tmp)
        cfg, checkpoint = make_model(work)
        paths = make_images(work / "images", args.images)
        predictor = TorchPredictor(cfg, checkpoint, device="cpu")
        onnx_path = export_onnx(predictor.model, work / "m.onnx", resize_spec(predictor.transforms))
        onnx_predictor = OnnxPredictor(onnx_path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        onnx_predictor.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        classes, thresholds = predictor.classes, np.full(len(predictor.classes), 0.5)

        def run_predict(which):
            p = predictor if which == "predict" else onnx_predictor
            with RecordWriter(work / f"{which}.jsonl", classes) as writer:
                summary = predict_files(
                    paths, p.load, p.infer, classes, thresholds, writer,
                    batch_size=args.batch_size, progress=False,
                )  # fmt: skip
            return summary.num_read

        batches = [
            torch.stack([predictor.load(p) for p in paths[s : s + args.batch_size]])
            for s in range(0, len(paths), args.batch_size)
        ]
        with torch.inference_mode():
            inputs = [predictor.model.data_preprocessor({"inputs": b})["inputs"] for b in batches]
        arrays = [x.contiguous().numpy() for x in inputs]

        def model_torch():
            with torch.inference_mode():
                for x in inputs:
                    predictor.model(x, mode="tensor")
            return len(paths)

        def model_onnx():
            for x in arrays:
                onnx_predictor.session.run(["logits"], {"images": x})
            return len(paths)

        variants = {
            "bare": lambda: bare_loop(
                predictor.model, predictor.transforms, paths, args.batch_size
            ),
            "predict": lambda: run_predict("predict"),
            "onnx": lambda: run_predict("onnx"),
            "model torch": model_torch,
            "model onnx": model_onnx,
        }
        for fn in variants.values():  # warm-up
            fn()
        times: dict[str, list[float]] = {name: [] for name in variants}
        names = list(variants)
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                start = time.perf_counter()
                count = variants[name]()
                times[name].append(time.perf_counter() - start)
                assert count == len(paths), (name, count)

    def ratio(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(times[a], times[b]))

    load = os.getloadavg()[0]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__} ({args.threads} threads), onnxruntime {ort.__version__}; "
          f"load average {load:.2f}")  # fmt: skip
    print(f"{len(paths)} PNG scenes at 96 px -> 48 px, Deep-LIFT (AGCN), ResNet-18 cut after "
          f"stage 2, batch {args.batch_size}, {args.rounds} rounds\n")  # fmt: skip
    print(f"{'variant':<14}{'best s':>9}{'median s':>10}{'images/s':>10}")
    for name, values in times.items():
        best, median = min(values), statistics.median(values)
        print(f"{name:<14}{best:9.3f}{median:10.3f}{len(paths) / median:10.0f}")
    print()
    throughput = ratio("bare", "predict")
    print(f"throughput mlrkit predict / bare PyTorch loop: {throughput:.3f} "
          f"(target >= 0.9: {'yes' if throughput >= 0.9 else 'no'})")  # fmt: skip
    print(f"throughput mlrkit predict --onnx / mlrkit predict: {ratio('predict', 'onnx'):.3f}")
    print(f"model only, onnxruntime / PyTorch speed: {ratio('model torch', 'model onnx'):.3f}")


if __name__ == "__main__":
    main()
