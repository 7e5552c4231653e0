"""Data pipeline throughput: mlrkit's training pipeline against an ML-GCN-style PIL pipeline.

Generates N JPEGs of S x S in a temporary folder, then measures images/s of

- ours: ``ListMultiLabel`` (torchvision JPEG decode to uint8) + ``MultiScaleCrop`` (ML-GCN's
  scales, max_distort=2, resize to S) + ``RandomHorizontalFlip``, then the float conversion and
  normalisation the model's data preprocessor does (here on the CPU, so the work compares);
- baseline: ML-GCN's loader: ``PIL.Image.open(...).convert("RGB")``, the same multi-scale crop
  on the PIL image (PIL crop + bilinear resize), torchvision's ``RandomHorizontalFlip``,
  ``ToTensor`` and ``Normalize``;

plus the evaluation pipelines (decode + warp to S x S + normalise) and decoding alone. Both
run in the same process, one thread (``torch.set_num_threads(1)``), ``num_workers=0``;
``--workers 2`` adds a persistent DataLoader (batch 16) with two worker processes for the
training pipelines; there our workers ship uint8 batches, normalised after collation (as the
data preprocessor does on the device), while the baseline's workers normalise per sample.
Each figure is the best of ``--repeats`` passes over all images.

Usage:
    python benchmarks/bench_data.py [--num-images 200] [--size 448] [--repeats 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms as T

from mlrkit.datasets._io import decode_image_file
from mlrkit.datasets.list_dataset import ListMultiLabel
from mlrkit.transforms.multi_scale_crop import MultiScaleCrop
from mlrkit.transforms.pipelines import eval_pipeline, mlgcn_train_pipeline

MEAN = (0.485, 0.456, 0.406)  # ImageNet, as the ResNet-101 backbone's pretrained config
STD = (0.229, 0.224, 0.225)
CLASSES = ("a", "b", "c", "d", "e")


def make_images(folder: Path, num: int, size: int, seed: int = 0) -> Path:
    """Write ``num`` photo-like JPEGs (smooth colour fields plus grain) and a CSV list."""
    rng = np.random.default_rng(seed)
    lines = ["image,labels"]
    for i in range(num):
        coarse = rng.integers(0, 256, (size // 32, size // 32, 3), dtype=np.uint8)
        smooth = np.asarray(Image.fromarray(coarse).resize((size, size), Image.BICUBIC))
        grain = rng.normal(0, 8, smooth.shape)
        array = np.clip(smooth + grain, 0, 255).astype(np.uint8)  # (S, S, 3)
        Image.fromarray(array).save(folder / f"{i:04d}.jpg", quality=90)
        labels = [c for c in CLASSES if rng.random() < 0.4]
        lines.append(f"{i:04d}.jpg,{'|'.join(labels)}")
    (folder / "list.csv").write_text("\n".join(lines) + "\n")
    return folder / "list.csv"


def normalize_uint8(images: torch.Tensor) -> torch.Tensor:
    """What the data preprocessor does: uint8 (..., 3, H, W) -> normalised float32."""
    mean = torch.tensor(MEAN).mul(255).view(3, 1, 1)  # (3, 1, 1)
    std = torch.tensor(STD).mul(255).view(3, 1, 1)  # (3, 1, 1)
    return images.float().sub_(mean).div_(std)


class Ours(Dataset):
    """Our dataset as (image, target) pairs, normalised per sample unless ``raw``.

    ``raw=True`` yields the uint8 image, as our DataLoader workers really do: the batch is
    normalised after collation (on the device in training; in the main process here).
    """

    def __init__(self, dataset: ListMultiLabel, raw: bool = False):
        self.dataset = dataset
        self.raw = raw

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        sample = self.dataset[index]
        image = sample["inputs"] if self.raw else normalize_uint8(sample["inputs"])
        return image, sample["data_samples"]["gt_label"]


class PILMultiScaleCrop:
    """ML-GCN's multi-scale crop on a PIL image: same crop distribution, PIL crop + resize."""

    def __init__(self, size: int):
        self.crop = MultiScaleCrop(size, max_distort=2)
        self.size = size

    def __call__(self, img: Image.Image) -> Image.Image:
        top, left, h, w = self.crop.get_params(img.height, img.width)
        cropped = img.crop((left, top, left + w, top + h))
        return cropped.resize((self.size, self.size), Image.BILINEAR)


class PILBaseline(Dataset):
    """ML-GCN's loading: PIL open + convert("RGB"), a PIL transform chain, target vector."""

    def __init__(self, dataset: ListMultiLabel, transform: Callable):
        self.paths = [dataset.image_path(i) for i in range(len(dataset))]
        self.targets = torch.from_numpy(dataset.targets.astype(np.float32))
        self.transform = transform

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        img = Image.open(self.paths[index]).convert("RGB")
        return self.transform(img), self.targets[index]


def images_per_second(
    dataset: Dataset,
    repeats: int,
    workers: int = 0,
    on_batch: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> float:
    """Best-of-``repeats`` throughput of reading every sample once.

    With ``workers`` > 0 the samples come through a persistent DataLoader (batch 16) that has
    done one warm-up epoch, so worker start-up is not timed; ``on_batch`` then runs on each
    batch of images in the main process (our normalisation, as the preprocessor does it).
    """
    if workers == 0:
        for i in range(min(10, len(dataset))):  # warm-up
            dataset[i]

        def one_pass() -> None:
            for i in range(len(dataset)):
                dataset[i]

    else:
        loader = DataLoader(dataset, batch_size=16, num_workers=workers, persistent_workers=True)

        def one_pass() -> None:
            for images, _ in loader:
                if on_batch is not None:
                    on_batch(images)

        one_pass()  # warm-up: starts the workers
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        one_pass()
        best = max(best, len(dataset) / (time.perf_counter() - start))
    return best


def decode_only(paths: list[str], ours: bool) -> Callable[[int], object]:
    if ours:
        return lambda i: decode_image_file(paths[i])
    return lambda i: Image.open(paths[i]).convert("RGB")


class Indexed(Dataset):
    def __init__(self, fn: Callable[[int], object], num: int):
        self.fn, self.num = fn, num

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, index: int):
        return self.fn(index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-images", type=int, default=200)
    parser.add_argument("--size", type=int, default=448)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="also time a DataLoader with N")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    size = args.size
    normalize = T.Normalize(MEAN, STD)

    with tempfile.TemporaryDirectory() as tmp:
        ann = make_images(Path(tmp), args.num_images, size)
        train = ListMultiLabel(ann, pipeline=mlgcn_train_pipeline(size))
        val = ListMultiLabel(ann, pipeline=eval_pipeline(size))
        paths = [train.image_path(i) for i in range(len(train))]
        pil_train = T.Compose(
            [PILMultiScaleCrop(size), T.RandomHorizontalFlip(), T.ToTensor(), normalize]
        )
        pil_eval = T.Compose(
            [T.Lambda(lambda im: im.resize((size, size), Image.BILINEAR)), T.ToTensor(), normalize]
        )
        rows = [
            ("decode only", Indexed(decode_only(paths, False), len(paths)),
             Indexed(decode_only(paths, True), len(paths)), 0),
            ("train pipeline", PILBaseline(train, pil_train), Ours(train), 0),
            ("eval pipeline", PILBaseline(val, pil_eval), Ours(val), 0),
        ]  # fmt: skip
        if args.workers:
            rows.append(
                (f"train, {args.workers} workers", PILBaseline(train, pil_train),
                 Ours(train, raw=True), args.workers)
            )  # fmt: skip

        print(
            f"{args.num_images} JPEGs of {size}x{size}, output {size}x{size}, "
            f"best of {args.repeats}; torch {torch.__version__}, 1 thread per process"
        )
        print(f"{'':26s} {'PIL (ML-GCN) img/s':>19s} {'mlrkit img/s':>13s} {'ratio':>7s}")
        for name, baseline, ours, workers in rows:
            base_ips = images_per_second(baseline, args.repeats, workers)
            ours_ips = images_per_second(ours, args.repeats, workers, normalize_uint8)
            print(f"{name:26s} {base_ips:19.1f} {ours_ips:13.1f} {ours_ips / base_ips:6.2f}x")


if __name__ == "__main__":
    main()
