"""Run an exported model with onnxruntime, without PyTorch: numpy, pillow and onnxruntime only.

``mlrkit predict --onnx model.onnx PATH...`` and, for a deployment that installs just those
three packages (and this module's package), ``python -m mlrkit.inference.onnx_predictor
model.onnx PATH... [--out FILE] [--threshold T] [--top-k K] [--batch-size N]``.

Everything the model needs comes from its metadata (see :mod:`mlrkit.inference.onnx_export`):
each image is decoded by PIL and converted to RGB (grayscale replicated, CMYK converted, alpha
dropped), warped to the stored size with PIL's filter of the stored interpolation (PIL filters
antialias when downscaling, as the PyTorch pipeline does), normalised with the stored mean and
std, and scored; labels use the stored thresholds unless others are given.

Shapes:
    - ``load`` output: float32 (3, H, W), normalised
    - ``infer`` output: (B, K) float32 logits
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

__all__ = ["OnnxPredictor", "add_prediction_options", "main", "run_onnx_predict"]

_FILTERS = {
    "bilinear": "BILINEAR",
    "bicubic": "BICUBIC",
    "nearest": "NEAREST",
    "lanczos": "LANCZOS",
}


class OnnxPredictor:
    """An exported mlrkit model in an onnxruntime session, with its preprocessing.

    Args:
        path: the ``.onnx`` file written by ``mlrkit export``.
        providers: onnxruntime execution providers (default: CPU).

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is not an mlrkit export (no ``mlrkit.classes`` metadata).
    """

    def __init__(self, path: str | os.PathLike, providers: list[str] | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise ValueError(
                f"running an exported model needs onnxruntime ({err}): pip install onnxruntime"
            ) from None

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"ONNX model {str(path)!r} does not exist")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                str(path), options, providers=providers or ["CPUExecutionProvider"]
            )
        except Exception as err:  # onnxruntime raises its own exception types
            raise ValueError(f"onnxruntime cannot load {str(path)!r}: {err}") from err
        meta = self.session.get_modelmeta().custom_metadata_map
        if "mlrkit.classes" not in meta:
            raise ValueError(
                f"{str(path)!r} has no mlrkit metadata (mlrkit.classes); export the model with "
                "`mlrkit export CONFIG CHECKPOINT --out model.onnx`."
            )
        self.classes: list[str] = json.loads(meta["mlrkit.classes"])
        self.thresholds = np.asarray(json.loads(meta["mlrkit.thresholds"]), dtype=np.float64)
        self.thresholds_source = meta.get("mlrkit.thresholds_source", "")
        self.mean = np.asarray(json.loads(meta["mlrkit.mean"]), np.float32).reshape(3, 1, 1)
        self.std = np.asarray(json.loads(meta["mlrkit.std"]), np.float32).reshape(3, 1, 1)
        resize = json.loads(meta["mlrkit.resize"])
        self.size = tuple(int(v) for v in resize["size"])  # (H, W)
        interpolation = resize.get("interpolation", "bilinear")
        if interpolation not in _FILTERS:
            raise ValueError(f"{str(path)!r}: unknown interpolation {interpolation!r}")
        self._filter = _FILTERS[interpolation]

    def load(self, path: str) -> np.ndarray:
        """Decode, convert to RGB, warp and normalise one image; float32 (3, H, W)."""
        from PIL import Image

        if not Path(path).is_file():
            raise FileNotFoundError(f"image file not found: {path!r}")
        try:
            with Image.open(path) as img:
                rgb = img.convert("RGB")
                height, width = self.size
                if rgb.size != (width, height):
                    rgb = rgb.resize((width, height), getattr(Image.Resampling, self._filter))
                pixels = np.asarray(rgb, dtype=np.float32)  # (H, W, 3)
        except (OSError, ValueError, Image.DecompressionBombError) as err:
            raise OSError(f"cannot decode image {path!r}: {type(err).__name__}: {err}") from None
        return (pixels.transpose(2, 0, 1) - self.mean) / self.std  # (3, H, W)

    def infer(self, images: list[np.ndarray]) -> np.ndarray:
        """Logits (B, K) of B loaded images."""
        batch = np.ascontiguousarray(np.stack(images), dtype=np.float32)  # (B, 3, H, W)
        return self.session.run(["logits"], {"images": batch})[0]


def run_onnx_predict(
    model: str | os.PathLike,
    paths: list[str],
    out: str | None = None,
    threshold: float | None = None,
    thresholds_file: str | None = None,
    top_k: int | None = None,
    batch_size: int = 32,
    progress: bool = True,
    prog: str = "mlrkit predict",
) -> int:
    """Predict labels for image files and folders with an exported model; the exit code.

    Returns:
        0 when some image was read, 1 when none could be (or none was found).
    """
    from mlrkit.inference.images import find_images
    from mlrkit.inference.records import (
        RecordWriter,
        choose_thresholds,
        exit_code,
        predict_files,
    )

    predictor = OnnxPredictor(model)
    thresholds, source = choose_thresholds(
        predictor.classes, threshold, thresholds_file, embedded=predictor.thresholds
    )
    if predictor.thresholds_source and source.endswith("stored in the model"):
        source += f" ({predictor.thresholds_source})"
    files = find_images(paths)
    print(f"{prog}: {len(files)} image(s); {source}", file=sys.stderr)
    with RecordWriter(out, predictor.classes) as writer:
        summary = predict_files(
            files,
            predictor.load,
            predictor.infer,
            predictor.classes,
            thresholds,
            writer,
            batch_size=batch_size,
            top_k=top_k,
            progress=progress,
            prog=prog,
        )
    return exit_code(summary, len(files), prog)


def add_prediction_options(parser: argparse.ArgumentParser) -> None:
    """The options both ``mlrkit predict`` and the torch-free runner take: ``--onnx``,
    ``--out``, ``--threshold`` | ``--thresholds``, ``--top-k``, ``--batch-size``,
    ``--no-progress``, ``--debug``."""
    parser.add_argument("--onnx", metavar="MODEL", help="an .onnx file written by `mlrkit export`")
    parser.add_argument("--out", help="a .jsonl or .csv file (default: JSON lines on stdout)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--threshold", type=float, help="one threshold (probability) for all")
    group.add_argument("--thresholds", metavar="FILE", help="per-class thresholds file")
    parser.add_argument("--top-k", type=int, help="at most K labels per image (highest scores)")
    parser.add_argument("--batch-size", type=int, default=32, help="images per batch (32)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")


def main(argv: list[str] | None = None, prog: str = "mlrkit-onnx-predict") -> int:
    """``python -m mlrkit.inference.onnx_predictor MODEL PATH...`` (torch-free); also what
    ``mlrkit predict --onnx MODEL PATH...`` runs, before anything imports torch."""
    parser = argparse.ArgumentParser(
        prog=prog, description="Labels for images from a model written by `mlrkit export`."
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="[MODEL] image files, folders")
    add_prediction_options(parser)  # --onnx MODEL, else the first PATH is the model
    args = parser.parse_args(argv)
    model, paths = (args.onnx, args.paths) if args.onnx else (args.paths[0], args.paths[1:])
    if not paths:
        parser.error("give the model and at least one image or folder")
    try:
        return run_onnx_predict(
            model,
            paths,
            args.out,
            args.threshold,
            args.thresholds,
            args.top_k,
            args.batch_size,
            progress=not args.no_progress,
            prog=prog,
        )
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError) as err:
        if args.debug:
            raise
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
