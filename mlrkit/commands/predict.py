"""``mlrkit predict CONFIG CHECKPOINT PATH...``: labels for image files and folders."""

from __future__ import annotations

import argparse
import sys

from mlrkit.commands import _args
from mlrkit.inference.onnx_predictor import add_prediction_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict",
        help="labels and scores of a trained model for image files and folders",
        description=(
            "One record per image (path, labels at or above the threshold, every class's "
            "sigmoid score) as JSON lines or CSV. Folders are searched recursively for image "
            "files; an unreadable image gets an error record and a line on stderr, and the run "
            "goes on (exit code 1 only when no image could be read). Thresholds: --threshold, "
            "--thresholds FILE, else the calibrated file beside the checkpoint "
            "(<stem>.thresholds.json, from `mlrkit calibrate`), else 0.5. With --onnx MODEL, "
            "the exported model runs on onnxruntime without PyTorch (no CONFIG, CHECKPOINT)."
        ),
        usage=(
            "mlrkit predict CONFIG CHECKPOINT PATH... [options]\n"
            "       mlrkit predict --onnx MODEL.onnx PATH... [options]"
        ),
    )
    p.add_argument("args", nargs="+", metavar="CONFIG CHECKPOINT PATH", help=argparse.SUPPRESS)
    add_prediction_options(p)
    _args.add_device(p)
    p.add_argument("--size", type=int, help="warp images to S x S instead of the test pipeline")
    _args.add_cfg_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    prog = "mlrkit predict"
    if args.onnx:
        from mlrkit.inference.onnx_predictor import run_onnx_predict

        return run_onnx_predict(
            args.onnx,
            args.args,
            args.out,
            args.threshold,
            args.thresholds,
            args.top_k,
            args.batch_size,
            progress=not args.no_progress,
            prog=prog,
        )
    if len(args.args) < 3:
        raise ValueError(
            "give CONFIG CHECKPOINT and at least one image or folder (or --onnx MODEL PATH...)."
        )
    from mlrkit.engine.config import load_config
    from mlrkit.inference.images import find_images
    from mlrkit.inference.predictor import TorchPredictor
    from mlrkit.inference.records import (
        RecordWriter,
        choose_thresholds,
        exit_code,
        predict_files,
    )
    from mlrkit.inference.thresholds import thresholds_path_for

    config, checkpoint, *paths = args.args
    cfg = load_config(config, args.cfg_options)
    predictor = TorchPredictor(cfg, checkpoint, device=args.device, size=args.size)
    thresholds, source = choose_thresholds(
        predictor.classes, args.threshold, args.thresholds, beside=thresholds_path_for(checkpoint)
    )
    files = find_images(paths)
    print(f"{prog}: {len(files)} image(s); {source}", file=sys.stderr)
    with RecordWriter(args.out, predictor.classes) as writer:
        summary = predict_files(
            files,
            predictor.load,
            predictor.infer,
            predictor.classes,
            thresholds,
            writer,
            batch_size=args.batch_size,
            top_k=args.top_k,
            progress=not args.no_progress,
            prog=prog,
        )
    return exit_code(summary, len(files), prog)
