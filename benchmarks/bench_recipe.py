"""Time per training epoch of the modern recipe against the paper recipe, on the built-in data.

Both train the same model on the same data through ``mlrkit train``'s Runner, in the same
process, alternating which goes first in each round so that changes of machine load hit both
alike. The timed epoch is the second one (the first fills the built-in data's render cache
and warms up), so it holds what every later epoch does: reading the scenes, the train
pipeline (the modern recipe's RandAugment + Cutout), forward and backward (under bfloat16
autocast where the CPU has native bfloat16, as the modern recipe's ``mixed_precision="auto"``
chooses), the optimizer step and the EMA update. Validation and checkpoints are left out of both.
Each round prints both recipes' wall-clock and CPU seconds per epoch, their ratios and the
load average; the figure to read is the median over rounds of (modern s/epoch) / (paper
s/epoch), with the spread of the rounds beside it. On a loaded machine the wall-clock times
follow the other processes more than the recipes (one round alone says little); the CPU time
of the process (every thread) moves much less with the load, so its ratio is printed too.

Usage::

    python benchmarks/bench_recipe.py                          # pooled head, 2 threads
    python benchmarks/bench_recipe.py --head deeplift_agcn --rounds 5 --samples 2560
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
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


def epoch_seconds(config: Path, work_dir: str, samples: int, name: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the second training epoch of ``config`` on ``samples``
    train images (CPU: this process's, every thread; the built-in data loads in-process)."""
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
            marks["start"], marks["cpu_start"] = time.perf_counter(), time.process_time()

        def after_train_epoch(self, runner) -> None:  # the last epoch's end wins
            marks["end"], marks["cpu_end"] = time.perf_counter(), time.process_time()

    runner.register_hook(Clock())
    runner.train()
    return marks["end"] - marks["start"], marks["cpu_end"] - marks["cpu_start"]


def load_average() -> str:
    """The 1-minute load average and the core count, e.g. ``"load 6.5 on 2 cores"``."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--head", default="pooled", help="configs/synthetic/<head>.py")
    parser.add_argument("--samples", type=int, default=1280, help="train images per epoch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sys.stdout.reconfigure(line_buffering=True)  # each round as it ends (rounds take minutes)
    warnings.filterwarnings("ignore")
    paper = REPO / "configs" / "synthetic" / f"{args.head}.py"
    modern = REPO / "configs" / "synthetic" / f"{args.head}_modern.py"
    precision = "bfloat16" if cpu_has_native_bfloat16() else "float32"
    print(
        f"# {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{args.threads} threads; modern recipe computes in {precision} here"
    )
    print(
        f"# {paper.name} vs {modern.name}, {args.samples} images per epoch, 2nd epoch timed, "
        f"{args.rounds} rounds alternating which goes first; {load_average()} at start"
    )
    ratios: dict[str, list[float]] = {"wall": [], "cpu": []}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            order = [("paper", paper), ("modern", modern)]
            if round_ % 2:
                order.reverse()
            wall, cpu = {}, {}
            for name, path in order:
                wall[name], cpu[name] = epoch_seconds(
                    path, f"{tmp}/{name}{round_}", args.samples, name
                )
            ratios["wall"].append(wall["modern"] / wall["paper"])
            ratios["cpu"].append(cpu["modern"] / cpu["paper"])
            print(
                f"round {round_ + 1} ({order[0][0]} first): wall paper {wall['paper']:6.2f} "
                f"modern {wall['modern']:6.2f} s/epoch ratio {ratios['wall'][-1]:.3f} | cpu "
                f"paper {cpu['paper']:6.2f} modern {cpu['modern']:6.2f} s/epoch ratio "
                f"{ratios['cpu'][-1]:.3f} ({load_average()})"
            )
    for kind, values in ratios.items():
        print(
            f"median {kind} time per epoch, modern / paper recipe: {statistics.median(values):.3f}"
            f" over {len(values)} rounds (range {min(values):.3f}-{max(values):.3f}; "
            "target <= 1.15)"
        )


if __name__ == "__main__":
    main()
