"""``mlrkit test CONFIG CHECKPOINT``: evaluate a checkpoint with all metrics."""

from __future__ import annotations

import argparse

from mlrkit.commands import _args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "test",
        help="evaluate a checkpoint on the config's test split",
        description="Evaluate a checkpoint on the config's test split (its val split when it "
        "has none) and print the 13 figures; --out also saves them with the per-class AP.",
    )
    _args.add_trained_config(p)
    _args.add_checkpoint(p, "a checkpoint written by `mlrkit train` (.pth)")
    p.add_argument(
        "--out", metavar="FILE", help="write the metrics (and per-class AP) to this JSON file"
    )
    p.add_argument(
        "--thresholds",
        metavar="FILE",
        help="also report CP/CR/CF1/OP/OR/OF1 at these per-class thresholds (`mlrkit calibrate`)"
        ", as calibrated/CP, ...",
    )
    _args.add_work_dir(p, "where the evaluation's logs go (default: work_dirs/<config name>)")
    _args.add_launcher(p)
    _args.add_cfg_options(
        p, "override config entries, e.g. test_dataloader.batch_size=8 (keys must exist)"
    )
    _args.add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mlrkit.engine.config import load_config
    from mlrkit.engine.experiment import check_output_file, test

    if args.out is not None:  # before the evaluation, not after it
        check_output_file(args.out, "--out")
    cfg = load_config(args.config, args.cfg_options, strict=True)
    if args.thresholds:
        use_thresholds(cfg, args.thresholds, args.checkpoint)
    metrics = test(
        cfg, args.checkpoint, out=args.out, work_dir=args.work_dir, launcher=args.launcher
    )
    width = max(len(k) for k in metrics) if metrics else 0
    for key, value in metrics.items():
        if "/AP/" not in key:
            print(f"{key:<{width}}  {value:8.3f}")
    return 0


def use_thresholds(cfg, path: str, checkpoint: str) -> None:
    """Give the test evaluator the per-class thresholds of ``path`` (checked against the
    checkpoint's classes)."""
    import copy

    from mlrkit.inference.model_loader import checkpoint_state
    from mlrkit.inference.thresholds import load_thresholds

    _, meta = checkpoint_state(checkpoint)
    classes = (meta.get("dataset_meta") or {}).get("classes")
    thresholds = load_thresholds(path, list(classes) if classes else None)
    evaluator = cfg.get("test_evaluator") or cfg.get("val_evaluator")
    if not isinstance(evaluator, dict) or "type" not in evaluator:
        raise ValueError(
            "--thresholds needs one MultiLabelMetric as test_evaluator; the config has "
            f"{type(evaluator).__name__}."
        )
    evaluator = copy.deepcopy(evaluator)  # a ConfigDict: keeps its lazy `type`
    evaluator["class_thresholds"] = [float(t) for t in thresholds.per_class]
    cfg.test_evaluator = evaluator
    if not cfg.get("test_dataloader"):
        cfg.val_evaluator = evaluator
