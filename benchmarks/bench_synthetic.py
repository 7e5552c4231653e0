"""The built-in datasets: generation speed, label statistics, and the oracle ceilings.

Measured in one process, one thread (``torch.set_num_threads(1)``):

1. label sets of N samples, vectorised counter-based sampling (``SyntheticScenes``
   construction) against a per-sample loop with one ``np.random.Generator`` per sample, the
   straightforward way; ratio printed;
2. images: rendering all N samples at S x S on the fly, against decoding the same N images
   from in-memory PNG bytes with PIL (what a file-based copy of the dataset costs at least,
   disk reads not counted); ratio printed;
3. the label statistics of the N generated training samples against the source (largest
   per-label share error, mean |P(j|i)| error over all ordered pairs, labels per image);
4. the two oracle ceilings (pixels only, pixels + context) of the default configuration,
   ``--train`` / ``--test`` samples, for each seed: mAP mean +/- std over seeds, CF1, OF1;
5. ``FashionMNISTScenes`` construction and rendering speed when the idx files are installed.

``--pooled-baseline`` also trains the notes' pooled baseline (a 4-layer CNN, max pool and a
linear layer; AdamW one-cycle, 6 epochs, batch 64) for each seed and prints its mAP and share
of the context gap (about a minute per seed on a CPU).

Usage:
    python benchmarks/bench_synthetic.py [--num 10000] [--size 64] [--seeds 0 1 2]
        [--train 5000] [--test 1500] [--oracle-size 48] [--pooled-baseline]
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from mlrkit.datasets._label_sampling import source_model, source_statistics
from mlrkit.datasets.fashion_scenes import FashionMNISTScenes
from mlrkit.datasets.oracles import oracle_metrics, share_of_gap
from mlrkit.datasets.synthetic_scenes import SyntheticScenes
from mlrkit.metrics.functional import multilabel_metrics

FASHION = Path("/usr/share/datasets/fashion-mnist")


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def labels_per_sample_loop(source: str, num: int, max_labels: int = 4) -> np.ndarray:
    """The baseline: the same seed-and-add process, one Generator per sample, Python loop."""
    conditional, seed_probs = source_model(source, max_labels)
    k = len(seed_probs)
    targets = np.zeros((num, k), dtype=np.uint8)
    for i in range(num):
        rng = np.random.default_rng([0, 0, i])
        seed = rng.choice(k, p=seed_probs)
        added = np.flatnonzero(rng.random(k) < conditional[seed])
        added = added[added != seed]
        if len(added) > max_labels - 1:
            added = rng.permutation(added)[: max_labels - 1]
        targets[i, seed] = 1
        targets[i, added] = 1
    return targets


def statistics_error(ds: SyntheticScenes) -> tuple[float, float, float]:
    stats = source_statistics(ds.source)
    t = ds.targets.astype(np.float64)  # (N, K)
    share = t.sum(0) / t.sum()
    conditional = (t.T @ t) / np.maximum(t.sum(0), 1)[:, None]  # (K, K)
    off = ~np.eye(ds.num_classes, dtype=bool)
    return (
        float(np.abs(share - stats.counts / stats.counts.sum()).max()),
        float(np.abs(conditional - stats.conditional())[off].mean()),
        float(t.sum(1).mean()),
    )


def bench_generation(num: int, size: int) -> None:
    print(f"\n== generation: {num} samples at {size}x{size} ==")
    for source in ("voc", "coco"):
        SyntheticScenes(num_samples=10, source=source)  # warm the per-process tuning cache
        ds, t_vec = timed(SyntheticScenes, num_samples=num, image_size=size, source=source)
        _, t_loop = timed(labels_per_sample_loop, source, num)
        share, cond, per_image = statistics_error(ds)
        print(
            f"labels {source:4s}: vectorised {t_vec * 1e3:8.1f} ms | per-sample loop "
            f"{t_loop * 1e3:8.1f} ms | ratio {t_loop / t_vec:6.1f}x"
        )
        print(
            f"  statistics vs source: max share error {share:.4f}, mean |P(j|i)| error "
            f"{cond:.4f}, labels/image {per_image:.2f}"
        )
    ds = SyntheticScenes(num_samples=num, image_size=size)
    images, t_render = timed(lambda: [ds.load_image(i) for i in range(num)])
    pngs = []
    for image in images:
        buffer = io.BytesIO()
        Image.fromarray(image.permute(1, 2, 0).numpy()).save(buffer, format="PNG")
        pngs.append(buffer.getvalue())
    _, t_png = timed(lambda: [np.asarray(Image.open(io.BytesIO(b)).convert("RGB")) for b in pngs])
    print(
        f"images voc : render {num / t_render:8.0f} img/s ({t_render:.2f} s) | PNG decode "
        f"{num / t_png:8.0f} img/s ({t_png:.2f} s) | render/decode speed {t_png / t_render:.2f}x"
    )
    if (FASHION / "train-images-idx3-ubyte.gz").is_file() or (
        FASHION / "train-images-idx3-ubyte"
    ).is_file():
        fds, t_build = timed(FashionMNISTScenes, num, image_size=size)
        _, t_fr = timed(lambda: [fds.load_image(i) for i in range(num)])
        print(
            f"fashion    : build (reads 60k idx items) {t_build:.2f} s | render "
            f"{num / t_fr:8.0f} img/s ({t_fr:.2f} s)"
        )


def bench_oracles(seeds, train: int, test: int, size: int) -> None:
    print(f"\n== oracle ceilings: default configuration, {train} train / {test} test ==")
    for source in ("voc", "coco"):
        rows = {"pixels-only": [], "pixels+context": []}
        for seed in seeds:
            tr = SyntheticScenes(num_samples=train, image_size=size, source=source, seed=seed)
            te = SyntheticScenes(test, image_size=size, source=source, split="test", seed=seed)
            figures = oracle_metrics(tr, te)
            for name, f in figures.items():
                rows[name].append((f["mAP"], f["CF1"], f["OF1"]))
        for name, values in rows.items():
            v = np.array(values)  # (seeds, 3)
            print(
                f"{source:4s} {name:15s} mAP {v[:, 0].mean():5.1f} +/- {v[:, 0].std():.1f} | "
                f"CF1 {v[:, 1].mean():5.1f} | OF1 {v[:, 2].mean():5.1f}   (seeds {list(seeds)})"
            )


class PooledCNN(torch.nn.Module):
    """The notes' pooled baseline: 4 conv blocks (32 -> 128 channels), max pool, linear."""

    def __init__(self, num_classes: int):
        super().__init__()
        layers, width = [], 3
        for out, stride in ((32, 1), (64, 2), (96, 2), (128, 1)):
            layers += [
                torch.nn.Conv2d(width, out, 3, stride, 1, bias=False),
                torch.nn.BatchNorm2d(out),
                torch.nn.ReLU(inplace=True),
            ]
            width = out
        self.features = torch.nn.Sequential(*layers)
        self.fc = torch.nn.Linear(width, num_classes)

    def forward(self, x):
        return self.fc(self.features(x).amax(dim=(2, 3)))  # (B, K)


def pooled_run(seed: int, train: int, test: int, size: int, epochs: int) -> float:
    """Train the pooled CNN on the seed's train split; its test mAP."""
    torch.manual_seed(seed)
    tr = SyntheticScenes(num_samples=train, image_size=size, seed=seed)
    te = SyntheticScenes(num_samples=test, image_size=size, split="test", seed=seed)
    x_tr = torch.stack([tr.load_image(i) for i in range(train)]).float() / 255  # (N, 3, S, S)
    x_te = torch.stack([te.load_image(i) for i in range(test)]).float() / 255
    y_tr = torch.from_numpy(tr.targets).float()
    model = PooledCNN(tr.num_classes)
    steps = epochs * ((train + 63) // 64)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(train).split(64):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(b) for b in x_te.split(256)])
    return multilabel_metrics(logits, te.targets)["mAP"]


def pooled_baseline(seeds, train: int, test: int, size: int, epochs: int = 6) -> None:
    print(f"\n== pooled CNN baseline, voc, {size}px, {epochs} epochs, {train} / {test} ==")
    maps, shares = [], []
    for seed in seeds:
        (m, seconds) = timed(pooled_run, seed, train, test, size, epochs)
        tr = SyntheticScenes(num_samples=train, image_size=size, seed=seed)
        te = SyntheticScenes(num_samples=test, image_size=size, split="test", seed=seed)
        ceilings = {k: v["mAP"] for k, v in oracle_metrics(tr, te).items()}
        share = share_of_gap(m, ceilings["pixels-only"], ceilings["pixels+context"])
        maps.append(m)
        shares.append(share)
        print(
            f"seed {seed}: pooled mAP {m:.1f} (pixels-only {ceilings['pixels-only']:.1f}, "
            f"pixels+context {ceilings['pixels+context']:.1f}), share of gap {share:.2f}, "
            f"{seconds:.0f} s"
        )
    print(
        f"pooled mAP {np.mean(maps):.1f} +/- {np.std(maps):.1f}, share of gap "
        f"{np.mean(shares):.2f} +/- {np.std(shares):.2f} (seeds {list(seeds)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--train", type=int, default=5000)
    parser.add_argument("--test", type=int, default=1500)
    parser.add_argument("--oracle-size", type=int, default=48)
    parser.add_argument("--pooled-baseline", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, numpy {np.__version__}, one thread")
    bench_generation(args.num, args.size)
    bench_oracles(args.seeds, args.train, args.test, args.oracle_size)
    if args.pooled_baseline:
        pooled_baseline(args.seeds, args.train, args.test, args.oracle_size)


if __name__ == "__main__":
    main()
