"""What ``mlrkit data check`` computes: split statistics, bad images, duplicates and leaks.

Each image gets a content hash (SHA-256, which OpenSSL computes with the CPU's SHA
instructions where there are any): of the file's bytes for file-based datasets, of
the decoded uint8 pixels and their shape for datasets rendered in memory (the built-in data).
Two images with the same hash are exact duplicates; one hash in the train split and in a
val/test split is a **leak**. Files are hashed in a thread pool (hashlib and file reads
release the GIL), with a progress bar.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["SplitReport", "hash_file", "check_split", "find_leaks"]

_CHUNK = 1 << 20
# The first bytes of the image formats the decoders read.
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF", b"BM", b"II*\x00", b"MM\x00*")


def hash_file(path: str) -> tuple[str | None, str | None]:
    """Content hash of a file and what is wrong with it (None when nothing is).

    Returns:
        (hex digest or None when unreadable, problem or None)
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            head = f.read(_CHUNK)
            if not head:
                return None, "zero-byte file"
            if not head.startswith(_MAGIC):
                problem = "not an image (unknown file signature)"
            else:
                problem = None
            while head:
                digest.update(head)
                head = f.read(_CHUNK)
    except OSError as err:
        return None, f"unreadable: {err.strerror or err}"
    return digest.hexdigest(), problem


def _hash_pixels(dataset, index: int) -> tuple[str | None, str | None]:
    try:
        image = dataset.load_image(index).numpy()  # (3, H, W) uint8
    except OSError as err:
        return None, f"unreadable: {err}"
    digest = hashlib.sha256(np.ascontiguousarray(image).tobytes())
    digest.update(repr(image.shape).encode())
    return digest.hexdigest(), None


@dataclass
class SplitReport:
    """What the check found in one split.

    Shapes:
        - class_counts: (K,) positives per class; hashes: (N,) hex digests or None
    """

    name: str
    num_images: int
    classes: tuple[str, ...]
    class_counts: np.ndarray
    labels_per_image: tuple[float, int, int]  # mean, min, max
    num_unknown: int
    hashes: list[str | None]
    paths: list[str]
    bad: list[tuple[str, str]] = field(default_factory=list)  # (path, problem)
    duplicates: list[list[str]] = field(default_factory=list)  # groups of paths

    @property
    def empty_classes(self) -> list[str]:
        return [c for c, n in zip(self.classes, self.class_counts) if n == 0]


def _hash_and_decode(path: str) -> tuple[str | None, str | None]:
    """:func:`hash_file`, then a full decode of a file that looked fine."""
    from mlrkit.datasets._io import decode_image_file

    digest, problem = hash_file(path)
    if digest is not None and problem is None:
        try:
            decode_image_file(path)
        except OSError as err:
            problem = f"unreadable: {err}"
    return digest, problem


def check_split(
    name: str,
    dataset,
    workers: int = 8,
    progress: Callable[[int], None] | None = None,
    decode: bool = False,
) -> SplitReport:
    """Statistics, bad images and duplicates of one split.

    Args:
        name: the split's name in the report.
        dataset: a :class:`~mlrkit.datasets.base.MultiLabelDataset`.
        workers: hashing threads.
        progress: called with the number of images done since the last call.
        decode: also decode every image file (finds corrupt files whose signature looks
            right; several times slower than hashing). Datasets rendered in memory are always
            decoded, since their pixels are what is hashed.
    """
    from mlrkit.datasets.base import FileMultiLabelDataset

    targets = np.asarray(dataset.targets)  # (N, K)
    num = len(dataset)
    per_image = targets.sum(axis=1)  # (N,)
    paths = [dataset.image_path(i) for i in range(num)]
    if isinstance(dataset, FileMultiLabelDataset):
        check_file = _hash_and_decode if decode else hash_file
        work: Callable[[int], tuple[str | None, str | None]] = lambda i: check_file(paths[i])  # noqa: E731
    else:
        work = lambda i: _hash_pixels(dataset, i)  # noqa: E731
    results: list[tuple[str | None, str | None]] = [(None, None)] * num
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for i, result in enumerate(pool.map(work, range(num), chunksize=64)):
            results[i] = result
            if progress is not None:
                progress(1)
    hashes = [h for h, _ in results]
    bad = [(paths[i], problem) for i, (_, problem) in enumerate(results) if problem]
    groups: dict[str, list[str]] = defaultdict(list)
    for path, digest in zip(paths, hashes):
        if digest is not None:
            groups[digest].append(path)
    return SplitReport(
        name=name,
        num_images=num,
        classes=tuple(dataset.classes),
        class_counts=targets.sum(axis=0).astype(np.int64),
        labels_per_image=(
            float(per_image.mean()) if num else 0.0,
            int(per_image.min()) if num else 0,
            int(per_image.max()) if num else 0,
        ),
        num_unknown=int(np.asarray(dataset.unknown).sum()),
        hashes=hashes,
        paths=paths,
        bad=bad,
        duplicates=[g for g in groups.values() if len(g) > 1],
    )


def find_leaks(first_split: SplitReport, other: SplitReport) -> list[tuple[str, str]]:
    """(path in ``first_split``, path in ``other``) pairs of images with the same content; a
    leak when ``first_split`` is the training split."""
    first = {}
    for path, digest in zip(first_split.paths, first_split.hashes):
        if digest is not None:
            first.setdefault(digest, path)
    return [
        (first[digest], path)
        for path, digest in zip(other.paths, other.hashes)
        if digest is not None and digest in first
    ]


def plot_class_frequencies(reports: Sequence[SplitReport], path: Path) -> Path:
    """A bar chart of positives per class, one bar group per split, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    classes = reports[0].classes
    width = 0.8 / len(reports)
    x = np.arange(len(classes))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.3 * len(classes) + 2), 4))
    for s, report in enumerate(reports):
        ax.bar(x + s * width, report.class_counts, width, label=report.name)
    ax.set_xticks(x + width * (len(reports) - 1) / 2, classes, rotation=90, fontsize=7)
    ax.set_ylabel("positive images")
    ax.set_title("class frequencies per split")
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def default_workers() -> int:
    return min(32, (os.cpu_count() or 1) * 4)
