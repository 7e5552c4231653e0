"""``mlrkit train CONFIG``: train a model with mmengine's Runner."""

from __future__ import annotations

import argparse

from mlrkit.commands import _args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model from a config")
    p.add_argument("config", help="config file (mmengine pure-Python or dict style)")
    _args.add_work_dir(
        p, "where logs, checkpoints and results go (default: work_dirs/<config name>)"
    )
    p.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=False,
        metavar="CKPT",
        help="resume from CKPT, or from the latest checkpoint in the work dir (an error if "
        "there is none)",
    )
    p.add_argument(
        "--resume-or-start",
        action="store_true",
        help="resume from the latest checkpoint in the work dir if there is one, else train "
        "from scratch (for jobs that may be restarted)",
    )
    p.add_argument(
        "--lr",
        type=float,
        metavar="LR",
        help="base learning rate; with --resume it replaces the rate restored from the "
        "checkpoint (every group and scheduler scaled by LR / the config's lr)",
    )
    p.add_argument(
        "--amp",
        action="store_true",
        help="mixed precision (fp16 + loss scaling on CUDA, bfloat16 on CPU)",
    )
    p.add_argument(
        "--tensorboard",
        action="store_true",
        help="also log to TensorBoard (<work dir>/<timestamp>/vis_data; needs mlrkit[tensorboard])",
    )
    _args.add_launcher(p)
    _args.add_cfg_options(
        p, "override config entries, e.g. train_cfg.max_epochs=3 (keys must exist)"
    )
    _args.add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import train

    if args.resume and args.resume_or_start:
        raise ValueError("--resume and --resume-or-start exclude each other; pass one")
    cfg = load_config(args.config, args.cfg_options, strict=True)
    train(
        cfg,
        work_dir=args.work_dir,
        resume=args.resume,
        amp=args.amp,
        launcher=args.launcher,
        tensorboard=args.tensorboard,
        resume_or_start=args.resume_or_start,
        lr=args.lr,
    )
    return 0
