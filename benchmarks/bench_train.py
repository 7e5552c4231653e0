"""Images/s of ``mlrkit train`` (mmengine's Runner with all our hooks) against a bare PyTorch loop.

Both train the same model (built from the same config), on the same data (the same dataset
object, DataLoader settings and batch size), with the same optimizer, schedule and gradient
clipping, for the same number of iterations, in the same process. The runs alternate (Runner
then bare, bare then Runner, ...) so that changes of machine load hit both alike; the overhead is
the median over rounds of (bare images/s) / (Runner images/s) - 1.

What the Runner does on top: the data preprocessor and ``train_step`` wrapper, the hooks
(iteration timer, logger, LR schedule, NaN-loss guard, progress bar, run info), the message
hub and log processing. Validation and checkpointing are left out of both (they are not part of
the training throughput and a bare loop has none).

Usage::

    python benchmarks/bench_train.py                      # Deep-LIFT (AGCN), built-in data
    python benchmarks/bench_train.py --config configs/synthetic/pooled.py --rounds 5
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
from mmengine.dataset import default_collate
from torch.utils.data import DataLoader

from mlrkit.engine.config import load_config
from mlrkit.engine.experiment import build_runner, prepare_config
from mlrkit.models.build import build_model
from mlrkit.registry import DATASETS

REPO = Path(__file__).resolve().parents[1]


def shrink(cfg, iters: int) -> None:
    """Train for exactly ``iters`` iterations, without validation or checkpoints."""
    cfg.train_cfg = dict(by_epoch=False, max_iters=iters, val_interval=10**9)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint = dict(
        type="CheckpointHook", interval=10**9, by_epoch=False, save_last=False
    )
    cfg.log_processor = dict(by_epoch=False, window_size=20)
    # the one-cycle schedule is epoch based in the CPU configs: step it per iteration here
    for sched in cfg.param_scheduler:
        sched.update(by_epoch=False, convert_to_iter_based=False, begin=0, end=iters)
    cfg.train_dataloader.sampler = dict(type="DefaultSampler", shuffle=True, seed=0)
    cfg.train_dataloader.persistent_workers = False


def runner_throughput(cfg, work_dir: str, iters: int, round_: int) -> float:
    cfg = cfg.copy()
    cfg.experiment_name = f"bench_train_{round_}_{time.time_ns()}"
    prepare_config(cfg, work_dir=work_dir)
    runner = build_runner(cfg)
    marks: dict[str, float] = {}

    from mmengine.hooks import Hook

    class Clock(Hook):  # start after the first iteration (warm-up), stop at the last
        priority = "VERY_LOW"

        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            if runner.iter == 0:  # mmengine increments iter after the hooks
                marks["start"] = time.perf_counter()
            marks["end"] = time.perf_counter()

    runner.register_hook(Clock())
    runner.train()
    batch = cfg.train_dataloader.batch_size
    return (iters - 1) * batch / (marks["end"] - marks["start"])


def bare_throughput(cfg, work_dir: str, iters: int) -> float:
    cfg = cfg.copy()
    prepare_config(cfg, work_dir=work_dir)
    torch.manual_seed(0)
    model = build_model(cfg.model).train()
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    loader = DataLoader(
        dataset,
        batch_size=cfg.train_dataloader.batch_size,
        shuffle=True,
        num_workers=cfg.train_dataloader.num_workers,
        collate_fn=default_collate,
        drop_last=False,
    )
    opt_cfg = dict(cfg.optim_wrapper.optimizer)
    opt_type = opt_cfg.pop("type")
    optimizer = opt_type(model.parameters(), **opt_cfg)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=opt_cfg["lr"], total_steps=iters, pct_start=0.25
    )
    max_norm = cfg.optim_wrapper.get("clip_grad", {}).get("max_norm")
    mean = model.data_preprocessor.mean.view(1, 3, 1, 1)  # (1, 3, 1, 1)
    std = model.data_preprocessor.std.view(1, 3, 1, 1)
    done, start = 0, None
    while done < iters:
        for batch in loader:
            x = (batch["inputs"].float() - mean) / std
            x = x.contiguous(memory_format=torch.channels_last)
            target = batch["data_samples"]["gt_label"]
            logits = model(x, mode="tensor")
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if max_norm:
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            optimizer.step()
            sched.step()
            loss.item()  # the Runner logs the loss every iteration: same sync here
            done += 1
            if done == 1:
                start = time.perf_counter()
            if done == iters:
                break
    return (iters - 1) * cfg.train_dataloader.batch_size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="configs/synthetic/deeplift_agcn.py")
    parser.add_argument("--iters", type=int, default=120, help="iterations per timed run")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")

    cfg = load_config(args.config)
    shrink(cfg, args.iters)
    cfg.default_hooks.logger = dict(type="LoggerHook", interval=50, log_metric_by_epoch=False)
    print(
        f"# {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{args.threads} threads"
    )
    print(
        f"# config {args.config}, "
        f"batch {cfg.train_dataloader.batch_size}, {args.iters} iterations per run "
        "(the first is warm-up)"
    )
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            if round_ % 2 == 0:  # alternate which one goes first
                ours = runner_throughput(cfg, f"{tmp}/runner{round_}", args.iters, round_)
                bare = bare_throughput(cfg, f"{tmp}/bare{round_}", args.iters)
            else:
                bare = bare_throughput(cfg, f"{tmp}/bare{round_}", args.iters)
                ours = runner_throughput(cfg, f"{tmp}/runner{round_}", args.iters, round_)
            ratios.append(bare / ours)
            print(
                f"round {round_ + 1}: mlrkit train {ours:7.1f} img/s   bare loop {bare:7.1f} "
                f"img/s   overhead {100 * (bare / ours - 1):+5.1f} %"
            )
    print(
        f"median overhead of mlrkit train over a bare PyTorch loop: "
        f"{100 * (statistics.median(ratios) - 1):+.1f} % (target < 5 %)"
    )


if __name__ == "__main__":
    main()
