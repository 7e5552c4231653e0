"""``mlrkit export CONFIG CHECKPOINT --out model.onnx``: ONNX for onnxruntime deployments."""

from __future__ import annotations

import argparse

from mlrkit.commands import _args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export a checkpoint to ONNX (dynamic batch; classes, thresholds, normalisation "
        "in its metadata), checked with onnxruntime",
        description=(
            "Write the model as ONNX: input `images` float32 (B, 3, H, W) normalised, output "
            "`logits` (B, K), the label encoder's output folded in as a constant. The class "
            "names, the thresholds (--thresholds FILE, else the calibrated file beside the "
            "checkpoint, else 0.5), the input mean/std and the resize go into the metadata, so "
            "`mlrkit predict --onnx MODEL PATH...` needs nothing else. The export is checked: "
            "onnxruntime's logits must equal PyTorch's (--atol) on a batch of 1 and of 7."
        ),
    )
    _args.add_trained_config(p)
    _args.add_checkpoint(p)
    p.add_argument("--out", required=True, help="the .onnx file to write")
    p.add_argument("--thresholds", metavar="FILE", help="per-class thresholds to store")
    p.add_argument("--size", type=int, help="input S x S instead of the config's test pipeline")
    p.add_argument("--opset", type=int, help="ONNX opset (default: the exporter's)")
    p.add_argument(
        "--atol", type=float, default=1e-4, help="largest logit difference accepted (1e-4)"
    )
    _args.add_cfg_options(p)
    _args.add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from mlrkit.engine.config import load_config
    from mlrkit.inference.image_loader import eval_transforms
    from mlrkit.inference.model_loader import load_model
    from mlrkit.inference.onnx_export import compare_with_onnxruntime, export_onnx, resize_spec
    from mlrkit.inference.records import choose_thresholds
    from mlrkit.inference.thresholds import thresholds_path_for

    for module in ("onnx", "onnxscript", "onnxruntime"):
        try:
            __import__(module)
        except ImportError as err:
            raise ValueError(
                f"mlrkit export needs {module} ({err}); install the extra: "
                "pip install 'mlrkit[onnx]'."
            ) from None
    cfg = load_config(args.config, args.cfg_options)
    resize = resize_spec(eval_transforms(cfg, args.size))
    model = load_model(cfg, args.checkpoint, device="cpu")
    thresholds, source = choose_thresholds(
        model.classes, None, args.thresholds, beside=thresholds_path_for(args.checkpoint)
    )
    out = export_onnx(
        model,
        args.out,
        resize,
        thresholds=thresholds.tolist(),
        thresholds_source=source,
        extra_metadata={"mlrkit.config": str(args.config), "mlrkit.checkpoint": args.checkpoint},
        opset=args.opset,
    )
    generator = torch.Generator().manual_seed(0)
    worst = 0.0
    for batch in (1, 7):
        images = torch.randint(0, 256, (batch, 3, *resize["size"]), generator=generator)
        reference, logits = compare_with_onnxruntime(model, out, images.to(torch.uint8))
        worst = max(worst, float(abs(reference - logits).max()))
    if not worst <= args.atol:
        raise ValueError(
            f"the exported model {str(out)!r} differs from PyTorch by {worst:.2e} in the logits "
            f"(more than --atol {args.atol:g}); the file is kept for inspection."
        )
    print(f"exported {len(model.classes)} classes to {out} ({out.stat().st_size / 1e6:.1f} MB)")
    print(f"input images (B, 3, {resize['size'][0]}, {resize['size'][1]}), {source}")
    print(f"onnxruntime vs PyTorch, batch 1 and 7: max |logit difference| {worst:.1e}")
    return 0
