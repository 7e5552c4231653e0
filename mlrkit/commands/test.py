"""``mlrkit test CONFIG CHECKPOINT``: evaluate a checkpoint with all metrics."""

from __future__ import annotations

import argparse

from mmengine.config import DictAction


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test", help="evaluate a checkpoint on the config's test split")
    p.add_argument("config")
    p.add_argument("checkpoint")
    p.add_argument("--out", help="write the metrics (and per-class AP) to this JSON file")
    p.add_argument("--work-dir")
    p.add_argument("--launcher", choices=["none", "pytorch", "slurm"], default="none")
    p.add_argument("--cfg-options", nargs="+", action=DictAction, default={}, metavar="KEY=VAL")
    p.add_argument("--debug", action="store_true", help="show full tracebacks")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mlrkit.engine.config import load_config
    from mlrkit.engine.runner import test

    cfg = load_config(args.config, args.cfg_options)
    metrics = test(
        cfg, args.checkpoint, out=args.out, work_dir=args.work_dir, launcher=args.launcher
    )
    width = max(len(k) for k in metrics) if metrics else 0
    for key, value in metrics.items():
        if "/AP/" not in key:
            print(f"{key:<{width}}  {value:8.3f}")
    return 0
