"""Images/s of the heads on one backbone, and of eval with a cached vs uncached encoder.

Variants, all with 80 COCO labels (shipped statistics and GloVe vectors), random weights,
channels_last, SGD:

- ``pooled``: GlobalPoolHead (avg), no encoder: the baseline every ratio is taken against;
- ``mlgcn``: GCNEncoder (300 -> 1024 -> D) + MLGCNHead;
- ``deeplift``: AttentionGCNEncoder (2 layers, 1024 -> D) + DeepLIFTHead (CAM avg+max);
- ``q2l``: Query2LabelHead at its official defaults (d = D, 1 encoder + 2 decoder layers,
  4 heads, FFN 4d), no encoder;
- ``mldecoder``: MLDecoderHead at its official defaults (768-d, 80 groups, 1 layer, 8 heads);
- ``addgcn``: ADDGCNHead at its official defaults (C = D/2, static and dynamic graph).

A train step is mmengine's ``train_step`` (preprocess uint8, forward, loss, backward, SGD
step; the encoder runs every step); an eval step is ``val_step`` under ``no_grad`` (predict
mode; the encoder output is cached unless ``cache_label_features=False``). The variants are
interleaved (A B C, B C A, C A B, ...) so that a change of machine load hits them alike; the
cost of a variant is the median over rounds of its time divided by the baseline's in the same
round (and, second, the ratio of the best times).

Usage::

    python benchmarks/bench_models.py            # ResNet-18 and ResNet-101, 224 px, batch 8
    python benchmarks/bench_models.py --quick    # a smoke run: ResNet-18, 64 px, batch 2
    python benchmarks/bench_models.py --variants pooled q2l   # a subset (pooled always runs)
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import warnings
from collections.abc import Callable

import torch
from mmengine.optim import OptimWrapper

from mlrkit.models.build import build_model

VARIANTS = {
    "pooled": dict(head=dict(type="GlobalPoolHead")),
    "mlgcn": dict(head=dict(type="MLGCNHead"), encoder=dict(type="GCNEncoder")),
    "deeplift": dict(head=dict(type="DeepLIFTHead"), encoder=dict(type="AttentionGCNEncoder")),
    "q2l": dict(head=dict(type="Query2LabelHead")),
    "mldecoder": dict(head=dict(type="MLDecoderHead")),
    "addgcn": dict(head=dict(type="ADDGCNHead")),
}
#: Variants with a label encoder, whose cached eval is compared with the uncached one.
ENCODER_VARIANTS = ("mlgcn", "deeplift")


def build(backbone: str, variant: str, device: torch.device, cache: bool = True):
    torch.manual_seed(0)
    model = build_model(
        dict(
            type="MultiLabelClassifier",
            backbone=dict(type="TimmBackbone", model_name=backbone),
            num_classes=80,
            label_statistics="coco",
            label_embedding="GloVe300",
            channels_last=True,
            cache_label_features=cache,
            **VARIANTS[variant],
        )
    )
    return model.to(device)


def forward_flops(backbone: str, variants: list[str], batch: int, size: int) -> str:
    """Forward FLOPs of each variant without a label encoder against the pooled one's, counted
    on the meta device (torch's FlopCounterMode: matmuls and convolutions; nothing runs, so
    the machine's load does not enter)."""
    import timm
    from torch.utils.flop_counter import FlopCounterMode

    from mlrkit.registry import HEADS

    with torch.device("meta"):
        net = timm.create_model(backbone, num_classes=0, global_pool="")
        features = net.forward_features(torch.randn(batch, 3, size, size))  # (B, D, H, W)
    with FlopCounterMode(display=False) as counter:
        net.forward_features(torch.randn(batch, 3, size, size, device="meta"))
    base = counter.get_total_flops()
    counts = {}
    for name in (v for v in variants if "encoder" not in VARIANTS[v]):
        with torch.device("meta"):
            head = HEADS.build(
                dict(VARIANTS[name]["head"], num_classes=80, in_channels=features.shape[1])
            ).eval()
        with FlopCounterMode(display=False) as counter:
            head(torch.randn(features.shape, device="meta"))
        counts[name] = base + counter.get_total_flops()
    pooled = counts["pooled"]
    return " forward GFLOP per batch (FlopCounterMode, heads without encoder): " + ", ".join(
        f"{n} {c / 1e9:.1f}" + ("" if n == "pooled" else f" ({100 * (c / pooled - 1):+.1f} %)")
        for n, c in counts.items()
    )


def make_batch(batch: int, size: int) -> dict:
    g = torch.Generator().manual_seed(0)
    return {
        "inputs": torch.randint(0, 256, (batch, 3, size, size), dtype=torch.uint8, generator=g),
        "data_samples": {
            "gt_label": (torch.rand(batch, 80, generator=g) < 0.05).float(),
            "difficult": torch.zeros(batch, 80, dtype=torch.bool),
        },
    }


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], object], iters: int, device: torch.device) -> float:
    """Seconds per call of ``fn`` over ``iters`` calls."""
    sync(device)
    start = time.perf_counter()
    for _ in range(iters):
        fn()
    sync(device)
    return (time.perf_counter() - start) / iters


def train_fn(model, data):
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9))

    def step():
        model.train()
        model.train_step(data, wrapper)

    return step


def eval_fn(model, data):
    """An eval step; the model must already be in eval mode (``eval()`` clears the cache)."""

    def step():
        with torch.no_grad():
            model.val_step(data)

    return step


def interleaved(fns: dict[str, Callable], repeats: int, iters: int, device) -> dict[str, list]:
    """Seconds per step of each fn over ``repeats`` rounds, after one warm-up each.

    Round r runs the variants in the order rotated by r (A B C, B C A, C A B, ...), so no
    variant always runs first or right after the same neighbour.
    """
    for fn in fns.values():
        fn()
    names = list(fns)
    times: dict[str, list] = {name: [] for name in fns}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(timed(fns[name], iters, device))
    return times


def row(label: str, seconds: list[float], batch: int, base: list[float] | None = None) -> str:
    """Median and best images/s; against ``base`` (its seconds, measured in the same rounds),
    the median over rounds of the paired time ratio, so a load change between rounds cancels."""
    ips = [batch / s for s in seconds]
    text = f"  {label:<18} {statistics.median(ips):7.2f} img/s median, {max(ips):7.2f} best"
    if base is not None:
        paired = statistics.median(s / b for s, b in zip(seconds, base))
        best = min(seconds) / min(base)
        text += (
            f" | time vs base {100 * (paired - 1):+6.1f} % paired, {100 * (best - 1):+6.1f} % best"
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="ResNet-18, 64 px, batch 2")
    parser.add_argument("--backbones", nargs="+", default=["resnet18", "resnet101"])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=9, help="rounds of A B C")
    parser.add_argument("--iters", type=int, default=1, help="steps per timed block")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=list(VARIANTS),
        default=list(VARIANTS),
        help="variants to time (the pooled baseline is always included)",
    )
    args = parser.parse_args()
    if args.quick:
        args.backbones, args.size, args.batch, args.repeats, args.iters = ["resnet18"], 64, 2, 2, 1
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    warnings.filterwarnings("ignore", category=FutureWarning)

    print(
        f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
        f"device {device}, {torch.get_num_threads()} threads; batch {args.batch}, "
        f"{args.size} px, 80 labels, channels_last, random weights; median of {args.repeats} "
        f"interleaved rounds of {args.iters} step(s)"
    )
    data = make_batch(args.batch, args.size)
    variants = ["pooled"] + [v for v in args.variants if v != "pooled"]
    for backbone in args.backbones:
        models = {name: build(backbone, name, device) for name in variants}
        params = {n: sum(p.numel() for p in m.parameters()) / 1e6 for n, m in models.items()}
        print(f"\n{backbone}: parameters " + ", ".join(f"{n} {v:.2f} M" for n, v in params.items()))
        print(forward_flops(backbone, variants, args.batch, args.size))

        train = interleaved(
            {n: train_fn(m, data) for n, m in models.items()}, args.repeats, args.iters, device
        )
        print(" train (train_step: forward + loss + backward + SGD step); base: pooled")
        for name, seconds in train.items():
            print(row(name, seconds, args.batch, None if name == "pooled" else train["pooled"]))

        for model in models.values():
            model.eval()
        evals = interleaved(
            {n: eval_fn(m, data) for n, m in models.items()}, args.repeats, args.iters, device
        )
        print(" eval (val_step under no_grad, encoder output cached); base: pooled")
        for name, seconds in evals.items():
            print(row(name, seconds, args.batch, None if name == "pooled" else evals["pooled"]))

        if any(v in models for v in ENCODER_VARIANTS):
            print(" eval, encoder output cached vs recomputed every batch; base: uncached")
        for name in (v for v in ENCODER_VARIANTS if v in models):
            uncached = build(backbone, name, device, cache=False)
            uncached.load_state_dict(models[name].state_dict())
            uncached.eval()
            timing = interleaved(
                {
                    "uncached": eval_fn(uncached, data),
                    "cached": eval_fn(models[name], data),
                },
                args.repeats,
                args.iters,
                device,
            )
            print(row(f"{name} uncached", timing["uncached"], args.batch))
            print(row(f"{name} cached", timing["cached"], args.batch, timing["uncached"]))
            del uncached
        del models


if __name__ == "__main__":
    main()
