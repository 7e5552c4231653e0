"""Where the time of one bench run goes: start-up, data, Runner set-up, training, evaluation.

A bench runs each (variant, seed) as its own process (``python -m mlrkit.bench.worker``), so
every run pays the start-up imports, builds its datasets, builds mmengine Runners (train, then
test) and trains. This script measures each part for one run of a bench config, in this
process (the imports in fresh child processes, against a bare ``python -c pass`` and
``import torch`` as baselines), and prints each part's share of the run. The ratios are the
figures to read: absolute times depend on the CPU and on the load of the machine.

Usage::

    python benchmarks/profile_bench_run.py                                  # ablation_gcn --quick
    python benchmarks/profile_bench_run.py --config configs/ablation_gcn.py --full
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def child_seconds(code: str, repeats: int) -> float:
    """Best wall time of ``python -c code`` in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(REPO), MLRKIT_DISABLE_PLUGIN_AUTOLOAD="1")
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


# (module, attribute path, label): each is wrapped to add up its wall time (nested parts are
# reported inside their parent; a re-entrant call counts once)
PARTS = [
    ("mlrkit.engine.config", "load_config", "config load + overrides"),
    (
        "mlrkit.engine.experiment",
        "prepare_config",
        "prepare_config (datasets for checks, label stats)",
    ),
    ("mmengine.runner", "Runner.from_cfg", "Runner.from_cfg (logger, env, config dump)"),
    ("mmengine.runner.runner", "collect_env", "  of which mmengine collect_env"),
    ("mlrkit.models.build", "build_model", "  of which model build (label graph, backbone)"),
    ("mmengine.runner", "EpochBasedTrainLoop.run_epoch", "training epochs"),
    ("mmengine.runner", "ValLoop.run", "validation passes"),
    ("mmengine.runner", "TestLoop.run", "test pass"),
    (
        "mlrkit.datasets.synthetic_scenes",
        "SyntheticScenes.load_image",
        "image rendering (SyntheticScenes.load_image), all passes",
    ),
    ("mmengine.runner", "Runner.save_checkpoint", "checkpoint save"),
    ("mmengine.runner", "Runner.load_checkpoint", "checkpoint load"),
]


def instrument(parts) -> dict[str, float]:
    """Wrap each part's function to add its wall time to the returned dict."""
    import functools
    import importlib

    totals = {label: 0.0 for _, _, label in parts}
    for module_name, path, label in parts:
        owner = importlib.import_module(module_name)
        *outer, name = path.split(".")
        for attr in outer:
            owner = getattr(owner, attr)
        raw = owner.__dict__[name]
        kind = type(raw) if isinstance(raw, (classmethod, staticmethod)) else None
        func = raw.__func__ if kind else raw
        depth = [0]

        def timed(*a, __func=func, __label=label, __depth=depth, **kw):
            __depth[0] += 1
            start = time.perf_counter()
            try:
                return __func(*a, **kw)
            finally:
                __depth[0] -= 1
                if __depth[0] == 0:
                    totals[__label] += time.perf_counter() - start

        functools.update_wrapper(timed, func)
        setattr(owner, name, kind(timed) if kind else timed)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", default=str(REPO / "configs" / "ablation_gcn.py"))
    parser.add_argument("--variant", default="AGCN")
    parser.add_argument("--full", action="store_true", help="the full bench, not --quick")
    parser.add_argument("--repeats", type=int, default=3, help="start-up timing repeats")
    args = parser.parse_args()

    import torch

    print(
        f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads; load average {os.getloadavg()[0]:.2f}"
    )
    bare = child_seconds("pass", args.repeats)
    only_torch = child_seconds("import torch", args.repeats)
    worker = child_seconds(
        "import mlrkit.bench.worker; from mlrkit.engine.experiment import train, test; "
        "import mlrkit.models, mlrkit.heads, mlrkit.encoders, mmengine.runner",
        args.repeats,
    )
    print(f"\nstart-up of one run process (best of {args.repeats}, fresh processes)")
    print(f"  python -c pass                          {bare:6.2f} s")
    print(f"  import torch                            {only_torch:6.2f} s")
    print(f"  the worker's imports                    {worker:6.2f} s")

    from mlrkit.bench.spec import load_bench
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import test, train
    from mlrkit.engine.selection import selected_checkpoint

    plan = load_bench(args.config, quick=not args.full)
    run = next(r for r in plan.runs if r.variant == args.variant)
    spec = run.to_json()
    totals = instrument(PARTS)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        cfg = load_config(spec["base"], spec["overrides"], strict=True)
        train(cfg, work_dir=str(Path(tmp) / "work"))
        checkpoint = selected_checkpoint(Path(tmp) / "work")
        cfg = load_config(spec["base"], spec["overrides"], strict=True)
        test(cfg, str(checkpoint), work_dir=str(Path(tmp) / "work" / "test"))
        total = time.perf_counter() - start
    print(
        f"\none run in this process: {run.run} of {plan.name}" + ("" if args.full else " --quick")
    )
    print(f"  {'total (train + test, after the imports)':<58} {total:7.2f} s  100 %")
    for label, seconds in totals.items():
        print(f"  {label:<58} {seconds:7.2f} s {100 * seconds / total:4.0f} %")
    per_run = worker + total
    print(
        f"\nper run: start-up {worker:.2f} s + run {total:.2f} s; start-up share "
        f"{100 * worker / per_run:.0f} %; load average at end {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
