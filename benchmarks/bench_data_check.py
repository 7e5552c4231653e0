"""``mlrkit data check`` speed: content hashing against ``sha256sum``, Open Images CSV parsing.

1. Hashing: writes N image-sized files (random bytes behind a JPEG signature, ``--size-kb``
   each, about a COCO JPEG) to a temporary folder and measures images/s of
   :func:`mlrkit.datasets.check.check_split`'s hashing (SHA-256 in a thread pool, the path the
   command takes) against ``sha256sum`` run once over the same files (one process, what a
   user would type), and against ``hashlib.sha256`` in a Python loop. Files are read once
   before timing so that every contender reads from the page cache; each figure is the best
   of ``--repeats`` passes.
2. Open Images parsing: writes a ``*-annotations-human-imagelabels*.csv`` of ``--rows`` rows
   (default 5 million: 500,000 images x 10 labels, Confidence 1/0, four sources, 601 MIDs) and
   times :func:`mlrkit.datasets.open_images.read_image_labels` (pyarrow) against Python's
   ``csv`` module reading the same file row by row (the baseline).

Usage:
    python benchmarks/bench_data_check.py [--num-files 2000] [--size-kb 160] [--rows 5000000]
        [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from mlrkit.datasets.check import check_split, default_workers, hash_file
from mlrkit.datasets.list_dataset import ListMultiLabel
from mlrkit.datasets.open_images import read_image_labels


def best_of(run, repeats: int) -> float:
    """The shortest of ``repeats`` timed calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_hashing(num_files: int, size_kb: int, repeats: int) -> None:
    rng = np.random.default_rng(0)
    folder = Path(tempfile.mkdtemp(prefix="mlrkit_bench_hash_"))
    try:
        paths = []
        for i in range(num_files):
            path = folder / f"{i:06d}.jpg"
            path.write_bytes(b"\xff\xd8\xff\xe0" + rng.bytes(size_kb * 1024 - 4))
            paths.append(str(path))
        (folder / "list.csv").write_text(
            "image,labels\n" + "".join(f"{Path(p).name},a\n" for p in paths)
        )
        dataset = ListMultiLabel(folder / "list.csv")
        for p in paths:  # warm the page cache
            hash_file(p)

        def ours_run() -> None:
            report = check_split("bench", dataset, workers=default_workers())
            assert len(report.hashes) == num_files and not report.duplicates

        def loop_run() -> None:
            for p in paths:
                with open(p, "rb") as f:
                    hashlib.sha256(f.read()).hexdigest()

        sha = shutil.which("sha256sum")

        def tool_run() -> None:
            if sha:  # one process over all files
                subprocess.run([sha, *paths], check=True, stdout=subprocess.DEVNULL, cwd=folder)

        ours, loop, tool = (best_of(run, repeats) for run in (ours_run, loop_run, tool_run))
        mb = num_files * size_kb / 1024
        print(f"hashing {num_files} files of {size_kb} KiB ({mb:.0f} MiB), {os.cpu_count()} CPUs")
        print(
            f"  data check (SHA-256, {default_workers()} threads): {num_files / ours:8.0f} images/s"
        )
        if sha:
            print(
                f"  sha256sum (one process):          {num_files / tool:8.0f} images/s"
                f"   ratio ours/sha256sum = {tool / ours:.2f}x"
            )
        print(
            f"  hashlib.sha256 Python loop:        {num_files / loop:8.0f} images/s"
            f"   ratio ours/loop = {loop / ours:.2f}x"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_open_images_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    images = rows // 10
    ids = np.array([f"{i:016x}" for i in rng.integers(0, 2**63, images)])
    mids = np.array([f"/m/{i:05x}" for i in range(601)])
    sources = np.array(["verification", "crowdsource-verification", "machine", "human"])
    chunk = 1_000_000
    with open(path, "w", encoding="utf-8") as f:
        f.write("ImageID,Source,LabelName,Confidence\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            row = np.arange(start, start + n)
            lines = np.char.add(
                np.char.add(np.char.add(ids[row // 10], ","), sources[row % 4]),
                np.char.add(
                    np.char.add(",", mids[rng.integers(0, 601, n)]),
                    np.char.add(",", (rng.random(n) < 0.6).astype(np.int8).astype(str)),
                ),
            )
            f.write("\n".join(lines.tolist()))
            f.write("\n")


def bench_open_images(rows: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="mlrkit_bench_oi_"))
    try:
        path = folder / "train-annotations-human-imagelabels-boxable.csv"
        start = time.perf_counter()
        write_open_images_csv(path, rows)
        print(
            f"Open Images CSV: {rows:,} rows, {path.stat().st_size / 2**20:.0f} MiB "
            f"(written in {time.perf_counter() - start:.1f} s)"
        )
        import pyarrow.csv  # noqa: F401  (the import is not part of the parse)

        start = time.perf_counter()
        _, image_index, _, _, _ = read_image_labels(path)
        ours = time.perf_counter() - start
        assert len(image_index) == rows
        start = time.perf_counter()
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            parsed = [(r[0], r[2], r[3] == "1") for r in reader]
        loop = time.perf_counter() - start
        assert len(parsed) == rows
        print(f"  read_image_labels (pyarrow):     {ours:6.2f} s")
        print(f"  csv module, Python loop:         {loop:6.2f} s   loop/ours = {loop / ours:.1f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-files", type=int, default=2000)
    parser.add_argument("--size-kb", type=int, default=160)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=3, help="hashing: best of this many")
    args = parser.parse_args()
    bench_hashing(args.num_files, args.size_kb, args.repeats)
    bench_open_images(args.rows)


if __name__ == "__main__":
    main()
