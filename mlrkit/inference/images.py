"""The image files a prediction runs on: files as given, folders searched recursively.

Imports nothing beyond the standard library (the torch-free ONNX path uses it too).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["IMAGE_EXTENSIONS", "find_images"]

#: Suffixes (lower case) a folder search picks up. A file named explicitly is always taken.
IMAGE_EXTENSIONS = (
    ".jpg",
    ".jpeg",
    ".png",
    ".bmp",
    ".gif",
    ".webp",
    ".tif",
    ".tiff",
    ".ppm",
    ".pgm",
)


def find_images(paths: list[str | os.PathLike]) -> list[str]:
    """Expand image files and folders into a list of files, in a stable order.

    A folder contributes every file below it (recursively) whose suffix is one of
    :data:`IMAGE_EXTENSIONS` (any case), sorted by path; a file is taken as given, whatever its
    suffix, and so is a path that does not exist (it becomes an error record when read).
    Duplicates are kept once, at their first place.

    Args:
        paths: files and folders, as given on the command line.

    Returns:
        the image paths as strings.
    """
    out: list[str] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                str(p)
                for p in path.rglob("*")
                if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()
            )
        else:
            found = [str(path)]
        for item in found:
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out
