"""Time per training epoch of the modern recipe against the paper recipe, on the built-in data.

Both train the same model on the same data through ``mlrkit train``'s Runner, in the same
process, alternating which goes first in each round so that changes of machine load hit both
alike. The timed epoch is the second one (the first fills the built-in data's render cache
and warms up), so it holds what every later epoch does: reading the scenes, the train
pipeline (the modern recipe's RandAugment + Cutout), forward and backward (under bfloat16
autocast where the CPU has native bfloat16, as the modern recipe's ``mixed_precision="auto"``
chooses), the optimizer step and the EMA update. Validation and checkpoints are left out of both.
The ratio is the median over rounds of (modern s/epoch) / (paper s/epoch).

Usage::

    python benchmarks/bench_recipe.py                          # pooled head, 2 threads
    python benchmarks/bench_recipe.py --head deeplift_agcn --rounds 5 --samples 2560
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import torch
from mmengine.hooks import Hook

from mlrkit.engine.config import load_config
from mlrkit.engine.experiment import build_runner, prepare_config
from mlrkit.engine.recipe import cpu_has_native_bfloat16

REPO = Path(__file__).resolve().parents[1]


def epoch_seconds(config: Path, work_dir: str, samples: int, name: str) -> float:
    """Seconds of the second training epoch of ``config`` on ``samples`` train images."""
    cfg = load_config(config)
    cfg.train_dataloader.dataset.num_samples = samples
    cfg.train_cfg.max_epochs = 2
    cfg.train_cfg.val_interval = 10**9
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint = dict(type="CheckpointHook", interval=10**9, save_last=False)
    cfg.default_hooks.logger = dict(type="LoggerHook", interval=10**6)
    cfg.experiment_name = f"{name}_{time.time_ns()}"
    prepare_config(cfg, work_dir=work_dir)
    runner = build_runner(cfg)
    marks: dict[str, float] = {}

    class Clock(Hook):
        priority = "VERY_LOW"

        def before_train_epoch(self, runner) -> None:
            marks["start"] = time.perf_counter()

        def after_train_epoch(self, runner) -> None:
            marks["end"] = time.perf_counter()  # the last epoch's end wins

    runner.register_hook(Clock())
    runner.train()
    return marks["end"] - marks["start"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--head", default="pooled", help="configs/synthetic/<head>.py")
    parser.add_argument("--samples", type=int, default=1280, help="train images per epoch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")
    paper = REPO / "configs" / "synthetic" / f"{args.head}.py"
    modern = REPO / "configs" / "synthetic" / f"{args.head}_modern.py"
    precision = "bfloat16" if cpu_has_native_bfloat16() else "float32"
    print(
        f"# {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{args.threads} threads; modern recipe computes in {precision} here"
    )
    print(f"# {paper.name} vs {modern.name}, {args.samples} images per epoch, 2nd epoch timed")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            order = [("paper", paper), ("modern", modern)]
            if round_ % 2:
                order.reverse()
            seconds = {
                name: epoch_seconds(path, f"{tmp}/{name}{round_}", args.samples, name)
                for name, path in order
            }
            ratios.append(seconds["modern"] / seconds["paper"])
            print(
                f"round {round_ + 1}: paper {seconds['paper']:6.2f} s/epoch   modern "
                f"{seconds['modern']:6.2f} s/epoch   ratio {ratios[-1]:.3f}"
            )
    print(
        f"median time per epoch, modern / paper recipe: {statistics.median(ratios):.3f} "
        "(target <= 1.15)"
    )


if __name__ == "__main__":
    main()
