"""``mlrkit calibrate CONFIG CHECKPOINT``: per-class and global thresholds, fitted on val."""

from __future__ import annotations

import argparse
import sys

from mlrkit.commands import _args

SPLITS = {"val": "val_dataloader", "test": "test_dataloader", "train": "train_dataloader"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="fit decision thresholds (per class: max F1; global: max CF1) on the val split",
        description=(
            "Score the config's val split (val_dataloader.dataset) with the checkpoint and fit "
            "one threshold per class maximising that class's F1, and one for all classes "
            "maximising CF1. Written as JSON beside the checkpoint (<stem>.thresholds.json), "
            "where `mlrkit predict` and `mlrkit export` find it; `mlrkit test --thresholds "
            "FILE` reports the figures at those thresholds."
        ),
    )
    _args.add_trained_config(p)
    _args.add_checkpoint(p)
    p.add_argument(
        "--split",
        choices=list(SPLITS),
        default="val",
        help="the split to fit on: its <split>_dataloader.dataset (default: val)",
    )
    p.add_argument("--out", help="the JSON file (default: beside the checkpoint)")
    p.add_argument("--batch-size", type=int, default=64, help="images per forward pass")
    p.add_argument(
        "--max-candidates",
        type=int,
        default=2048,
        help="global threshold: at most this many candidate values (default 2048)",
    )
    _args.add_device(p)
    _args.add_cfg_options(p)
    _args.add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mlrkit.engine.config import load_config, to_plain
    from mlrkit.inference.model_loader import load_model
    from mlrkit.inference.predictor import dataset_scores, default_device
    from mlrkit.inference.thresholds import fit_thresholds, save_thresholds, thresholds_path_for

    prog = "mlrkit calibrate"
    if args.batch_size < 1:
        raise ValueError(f"--batch-size must be at least 1, got {args.batch_size}.")
    cfg = load_config(args.config, args.cfg_options)
    loader = SPLITS[args.split]
    dataset_cfg = (cfg.get(loader) or {}).get("dataset")
    if dataset_cfg is None:
        raise ValueError(
            f"config {args.config!r} has no {loader}.dataset to calibrate on; add one or choose "
            "another --split."
        )
    if args.split != "test":
        test_cfg = (cfg.get("test_dataloader") or {}).get("dataset")
        if test_cfg is not None and to_plain(test_cfg) == to_plain(dataset_cfg):
            print(
                f"{prog}: warning: {loader}.dataset is the same data as test_dataloader.dataset; "
                "thresholds fitted on it make the test figures optimistic. Give the config a "
                "separate val split (e.g. --cfg-options val_dataloader.dataset.split=val for "
                "the built-in data).",
                file=sys.stderr,
            )
    model = load_model(cfg, args.checkpoint, device=default_device(args.device))
    scores, targets, difficult, dataset = dataset_scores(
        model,
        dataset_cfg,
        batch_size=args.batch_size,
        num_workers=int((cfg.get(loader) or {}).get("num_workers", 0) or 0),
    )
    info = {
        "fitted_on": {
            "config": args.config,
            "checkpoint": args.checkpoint,
            "split": args.split,
            "dataset": to_plain(dataset_cfg),
        }
    }
    thresholds = fit_thresholds(
        scores,
        targets,
        list(model.classes),
        difficult,
        max_candidates=args.max_candidates,
        info=info,
    )
    out = save_thresholds(thresholds, args.out or thresholds_path_for(args.checkpoint))
    fitted = thresholds.info["fitted"]
    print(f"{args.split} split: {len(dataset)} images, {len(model.classes)} classes ({dataset!r})")
    print(
        f"global threshold {thresholds.global_:.4f}; per-class {thresholds.per_class.min():.4f}"
        f" to {thresholds.per_class.max():.4f}"
    )
    for key in ("CF1@0.5", "CF1@global", "CF1@per_class"):
        print(f"{args.split} {key:<14} {fitted[key]:7.2f}")
    if thresholds.info["no_positive"]:
        print(
            f"no positive in the {args.split} split (global threshold kept): "
            f"{', '.join(thresholds.info['no_positive'])}"
        )
    print(f"thresholds written to {out}")
    return 0
