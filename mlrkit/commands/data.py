"""``mlrkit data check CONFIG``: statistics, bad images, duplicates and leaks of every split."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlrkit.commands import _args

SPLITS = (("train", "train_dataloader"), ("val", "val_dataloader"), ("test", "test_dataloader"))


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="inspect the datasets of a config")
    verbs = p.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)
    c = verbs.add_parser(
        "check",
        help="per split: images, labels per image, class frequencies (PNG), bad images, "
        "duplicates within and across splits; exits 1 on a train/val or train/test leak",
    )
    c.add_argument("config", help="a config with train/val/test dataloaders")
    c.add_argument(
        "--out", default=None, help="folder for the chart (default work_dirs/data_check/<config>)"
    )
    c.add_argument("--workers", type=int, default=None, help="hashing threads")
    c.add_argument(
        "--decode",
        action="store_true",
        help="also decode every image (finds corrupt files; slower than hashing alone)",
    )
    _args.add_cfg_options(c)
    _args.add_debug(c, "show tracebacks")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.progress import Progress
    from tabulate import tabulate

    from mlrkit.datasets.check import (
        check_split,
        default_workers,
        find_leaks,
        plot_class_frequencies,
    )
    from mlrkit.engine.config import load_config
    from mlrkit.registry import DATASETS

    cfg = load_config(args.config, args.cfg_options)
    workers = args.workers or default_workers()
    datasets, seen = [], {}
    for name, key in SPLITS:
        loader = cfg.get(key)
        if not loader or "dataset" not in loader:
            continue
        spec = repr(loader["dataset"])
        if spec in seen:
            print(f"{name}: the same dataset as {seen[spec]}, checked once")
            continue
        seen[spec] = name
        datasets.append((name, DATASETS.build(loader["dataset"])))
    if not datasets:
        raise ValueError(f"{args.config}: no train/val/test dataloader with a dataset to check")

    reports = []
    with Progress(transient=True) as progress:
        for name, dataset in datasets:
            task = progress.add_task(f"hashing {name}", total=len(dataset))
            reports.append(
                check_split(
                    name,
                    dataset,
                    workers,
                    lambda n, t=task: progress.advance(t, n),
                    decode=args.decode,
                )
            )

    rows = []
    for r in reports:
        mean, low, high = r.labels_per_image
        rows.append(
            [r.name, r.num_images, f"{mean:.2f} ({low}-{high})", r.num_unknown, len(r.bad),
             sum(len(g) - 1 for g in r.duplicates), len(r.empty_classes)]
        )  # fmt: skip
    headers = ["split", "images", "labels/image (min-max)", "unknown labels", "bad images",
               "duplicates", "classes without positive"]  # fmt: skip
    print(tabulate(rows, headers=headers))
    for r in reports:
        for path, problem in r.bad[:20]:
            print(f"{r.name}: bad image {path}: {problem}")
        for group in r.duplicates[:20]:
            print(f"{r.name}: duplicate images (same content): {', '.join(group)}")
        if r.empty_classes:
            print(f"{r.name}: classes without a positive: {', '.join(r.empty_classes)}")

    out = Path(args.out) if args.out else Path("work_dirs/data_check") / Path(args.config).stem
    chart = plot_class_frequencies(reports, out / "class_frequencies.png")
    print(f"class frequencies: {chart}")

    leaks = 0
    train = next((r for r in reports if r.name == "train"), None)
    for other in reports:
        if train is None or other is train:
            continue
        pairs = find_leaks(train, other)
        leaks += len(pairs)
        for a, b in pairs[:20]:
            print(f"LEAK train/{other.name}: {a} == {b}", file=sys.stderr)
        if pairs:
            print(
                f"mlrkit data check: {len(pairs)} image(s) of {other.name} are also in train "
                "(same content); remove them from one split",
                file=sys.stderr,
            )
    held_out = [r for r in reports if r.name != "train"]
    for a, b in zip(held_out, held_out[1:]):
        shared = find_leaks(a, b)
        if shared:
            print(
                f"note: {len(shared)} image(s) of {b.name} are also in {a.name} "
                f"(e.g. {shared[0][1]}); not a leak into training"
            )
    if leaks:
        return 1
    print("no leak between train and val/test")
    return 0
