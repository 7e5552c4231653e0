"""``mlrkit cam CONFIG CHECKPOINT IMAGE...``: Grad-CAM grids like the paper's Figure 7."""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path

from mlrkit.commands import _args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cam",
        help="Grad-CAM grids (paper Fig. 7) of a checkpoint's top labels on some images",
        description=(
            "For each image, write a PNG grid: one row per label (the top-k by score, or "
            "--labels), the image and the Grad-CAM of the backbone's last stage and, for "
            "Deep-LIFT heads, of the LIFT map and the attention LIFT map."
        ),
    )
    _args.add_trained_config(p)
    _args.add_checkpoint(p)
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    p.add_argument(
        "--out", default="work_dirs/cam", help="folder for the grids (default: work_dirs/cam)"
    )
    p.add_argument("--top-k", type=int, default=3, help="labels per image (default: 3)")
    p.add_argument(
        "--labels", nargs="+", metavar="NAME", help="explain these labels instead of the top-k"
    )
    p.add_argument(
        "--size", type=int, help="warp images to S x S instead of the config's test pipeline"
    )
    p.add_argument("--cell", type=int, default=160, help="grid cell side in pixels")
    _args.add_device(p)
    _args.add_cfg_options(p, "override config entries (keys must exist)")
    _args.add_debug(p)
    p.set_defaults(func=run)


def _label_indices(names: list[str], classes: list[str]) -> list[int]:
    indices = []
    for name in names:
        if name not in classes:
            close = difflib.get_close_matches(name, classes, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise ValueError(
                f"--labels: the model has no label {name!r}.{hint} Its labels: "
                f"{', '.join(classes)}."
            )
        indices.append(classes.index(name))
    return indices


def _out_paths(images: list[str], out: Path) -> list[Path]:
    """``<stem>_cam.png`` per image; repeated stems get their position added."""
    stems = [Path(image).stem for image in images]
    return [
        out / (f"{stem}_cam.png" if stems.count(stem) == 1 else f"{stem}_{i}_cam.png")
        for i, stem in enumerate(stems)
    ]


def run(args: argparse.Namespace) -> int:
    import torch

    from mlrkit.cam import grad_cam, load_image, load_model, render_grid
    from mlrkit.datasets._io import ImageDecodeError
    from mlrkit.engine.config import load_config

    if args.labels is None and args.top_k < 1:
        raise ValueError(f"--top-k must be at least 1, got {args.top_k}.")
    if args.cell < 16:
        raise ValueError(f"--cell must be at least 16 pixels, got {args.cell}.")
    cfg = load_config(args.config, args.cfg_options, strict=True)
    try:  # every image is read before the model is built: a bad path fails fast
        images = [load_image(path, cfg, size=args.size) for path in args.images]
    except ImageDecodeError as err:
        raise ValueError(f"{err}; is it an image file?") from err
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    model = load_model(cfg, args.checkpoint, device=device)
    classes = list(model.classes)
    if args.labels is not None:
        labels = _label_indices(args.labels, classes)
    elif args.top_k > len(classes):
        raise ValueError(
            f"--top-k {args.top_k} is more than the model's {len(classes)} labels; use "
            f"--top-k {len(classes)} or less."
        )
    else:
        labels = None

    out = Path(args.out)
    for path, image, target in zip(args.images, images, _out_paths(args.images, out)):
        result = grad_cam(model, image, labels=labels, top_k=args.top_k)
        rows = result.labels[0].tolist()
        scores = result.scores[0, rows].cpu()
        render_grid(
            image,
            {name: cams[0] for name, cams in result.maps.items()},
            [classes[k] for k in rows],
            scores,
            path=target,
            cell=args.cell,
        )
        ranked = ", ".join(f"{classes[k]} {s:.2f}" for k, s in zip(rows, scores.tolist()))
        print(f"{path} -> {target}  ({ranked})")
    return 0
