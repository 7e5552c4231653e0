"""File helpers shared by the file-based datasets: image decoding and annotation checks.

Images are decoded with ``torchvision.io.decode_image`` (libjpeg-turbo / libpng / libwebp /
giflib, straight to a uint8 CHW tensor, converted to RGB by the decoder: grayscale is
replicated, CMYK JPEGs are converted, an alpha channel is dropped as PIL's ``convert("RGB")``
drops it). Formats torchvision does not read (BMP, TIFF, ...) go through PIL. 16-bit PNGs are
scaled to 8 bits. EXIF orientation is not applied, as in ML-GCN's ``Image.open(...).convert``.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

try:  # torchvision deprecated its decoders in 0.29 (in favour of TorchCodec); PIL is the fallback
    from torchvision.io import ImageReadMode, decode_image
except ImportError:  # pragma: no cover - depends on the installed torchvision
    decode_image = None
    ImageReadMode = None

__all__ = [
    "ImageDecodeError",
    "decode_image_file",
    "encode_paths",
    "require_dir",
    "require_file",
    "read_json",
]

# torchvision >= 0.29 warns on every decode call; the decoders work, and the fallback is PIL.
_TV_DEPRECATION = "The image decoding and encoding capabilities of TorchVision are deprecated"
# torchvision's C++ errors start with "decode_jpeg, /path/to/decode_jpeg.cpp:171, ".
_CPP_PREFIX = re.compile(r"^.*?\.cpp:\d+,\s*")


class ImageDecodeError(OSError):
    """An image file exists but cannot be decoded (corrupt, truncated, empty, unknown format).

    An :class:`OSError`, like PIL's ``UnidentifiedImageError``, so that one ``except OSError``
    covers missing and unreadable images.

    Args:
        path: the image file.
        reason: what the decoder reported.
    """

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"cannot decode image {str(path)!r}: {reason}")
        self.path = str(path)
        self.reason = reason


def decode_image_file(path: str | Path, regular_only: bool = True) -> torch.Tensor:
    """Read and decode one image file to RGB.

    Args:
        path: an image file (JPEG, PNG, WebP, GIF through torchvision; anything else PIL reads).
        regular_only: refuse anything but a regular file (a FIFO would block the loader for
            good, a device would be read without end).

    Returns:
        uint8 tensor (3, H, W).

    Raises:
        FileNotFoundError: the file does not exist.
        ImageDecodeError: the file cannot be decoded, or is not a regular file; the message
            names the file.
    """
    if regular_only:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise FileNotFoundError(f"image file not found: {str(path)!r}") from None
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise ImageDecodeError(
                path, "it is not a regular file (a FIFO, socket or device); images must be files"
            )
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except FileNotFoundError:
        raise FileNotFoundError(f"image file not found: {str(path)!r}") from None
    except IsADirectoryError:
        raise ImageDecodeError(path, "it is a directory, not an image file") from None
    if data.size == 0:
        raise ImageDecodeError(path, "the file is empty")
    if decode_image is None:  # pragma: no cover - torchvision without image decoders
        return _decode_with_pil(data, path)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_TV_DEPRECATION, category=DeprecationWarning)
            image = decode_image(torch.from_numpy(data), mode=ImageReadMode.RGB)
    except RuntimeError as err:
        message = _CPP_PREFIX.sub("", str(err)).strip()
        if message.startswith("Unsupported image file"):
            return _decode_with_pil(data, path)
        raise ImageDecodeError(path, message) from err
    if image.dtype != torch.uint8:  # 16-bit PNG: keep the 8 most significant bits
        image = (image.to(torch.int32) >> 8).to(torch.uint8)
    return image


def _decode_with_pil(data: np.ndarray, path: str | Path) -> torch.Tensor:
    """Decode with PIL, for formats torchvision does not read. Returns uint8 (3, H, W)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data.tobytes())) as img:
            rgb = np.asarray(img.convert("RGB"))  # (H, W, 3)
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        raise ImageDecodeError(path, f"{type(err).__name__}: {err}") from err
    return torch.from_numpy(rgb.copy()).permute(2, 0, 1).contiguous()  # (3, H, W)


def encode_paths(paths: list[str]) -> np.ndarray:
    """Store paths as one numpy bytes array (UTF-8).

    A list of Python strings is copied page by page into every forked DataLoader worker as its
    reference counts are touched; one numpy array is not. Read back with ``arr[i].decode()``.
    """
    return np.array([p.encode("utf-8") for p in paths], dtype=np.bytes_)


def require_file(path: str | Path, what: str) -> Path:
    """Return ``path`` as a Path, or raise FileNotFoundError naming it and what it should be."""
    path = Path(path).expanduser()
    if not path.is_file():
        state = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"{what} {str(path)!r} {state}")
    return path


def require_dir(path: str | Path, what: str) -> Path:
    """Return ``path`` as a Path, or raise FileNotFoundError naming it and what it should be."""
    path = Path(path).expanduser()
    if not path.is_dir():
        state = "is a file, not a folder" if path.is_file() else "does not exist"
        raise FileNotFoundError(f"{what} {str(path)!r} {state}")
    return path


def read_json(path: Path) -> Any:
    """Parse a JSON file; a syntax error names the file, the line and the column.

    Raises:
        ValueError: malformed JSON, not UTF-8, or nested too deeply (a ``RecursionError``).
    """
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"malformed JSON in {str(path)!r}: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{str(path)!r} is not UTF-8 text ({err.reason} at byte {err.start})"
        ) from None
    except RecursionError:
        raise ValueError(
            f"{str(path)!r} nests JSON arrays or objects too deeply to parse; it is not an "
            "annotation file"
        ) from None
