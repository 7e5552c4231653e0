"""One bench run with the built-in data's render cache against the same run without it.

The built-in ``SyntheticScenes`` renders every image on access. Without the cache a run renders
its train split once per epoch and its test split once per evaluation; with it
(:class:`mlrkit.datasets.synthetic_scenes.RenderCache`) each image is rendered once per
process. Both variants train the same run of a bench config (train, then test the best
checkpoint, as ``mlrkit.bench.worker`` does) in this process, alternating, and must give the
same mAP (the pixels are the same); the ratio of wall times is the figure to read.

Usage::

    python benchmarks/bench_render_cache.py                 # ablation_gcn --quick, AGCN
    python benchmarks/bench_render_cache.py --full --rounds 1
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def one_run(spec: dict, budget: int) -> tuple[float, float]:
    """(wall seconds, test mAP) of one run with the render cache's budget set to ``budget``."""
    from mlrkit.datasets.synthetic_scenes import _RENDERED
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import test, train
    from mlrkit.engine.selection import selected_checkpoint

    _RENDERED.clear()
    _RENDERED.budget_bytes = budget
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        cfg = load_config(spec["base"], spec["overrides"], strict=True)
        cfg.log_level = "WARNING"
        train(cfg, work_dir=str(Path(tmp) / "work"))
        checkpoint = selected_checkpoint(Path(tmp) / "work")
        cfg = load_config(spec["base"], spec["overrides"], strict=True)
        cfg.log_level = "WARNING"
        metrics = test(cfg, str(checkpoint), work_dir=str(Path(tmp) / "test"))
        return time.perf_counter() - start, metrics["multilabel/mAP"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", default=str(REPO / "configs" / "ablation_gcn.py"))
    parser.add_argument("--variant", default="AGCN")
    parser.add_argument("--full", action="store_true", help="the full bench, not --quick")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import torch

    from mlrkit.bench.spec import load_bench

    logging.getLogger("mmengine").setLevel(logging.WARNING)
    plan = load_bench(args.config, quick=not args.full)
    run = next(r for r in plan.runs if r.variant == args.variant)
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads; load average {os.getloadavg()[0]:.2f}; "
        f"run {run.run} of {plan.name}{'' if args.full else ' --quick'}"
    )
    times: dict[str, list[float]] = {"no cache": [], "render cache": []}
    maps: dict[str, set[float]] = {"no cache": set(), "render cache": set()}
    for round_ in range(args.rounds):
        order = ["no cache", "render cache"] if round_ % 2 == 0 else ["render cache", "no cache"]
        for name in order:
            seconds, value = one_run(run.to_json(), 0 if name == "no cache" else 2**30)
            times[name].append(seconds)
            maps[name].add(round(value, 4))
            print(f"  round {round_ + 1} {name:<13} {seconds:7.2f} s  mAP {value:.4f}", flush=True)
    base = statistics.median(times["no cache"])
    new = statistics.median(times["render cache"])
    print(
        f"\nmedian wall time: no cache {base:.2f} s, render cache {new:.2f} s; "
        f"ratio {base / new:.2f}x; mAP no cache {sorted(maps['no cache'])}, "
        f"render cache {sorted(maps['render cache'])}; load average at end "
        f"{os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
