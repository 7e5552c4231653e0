"""Images for inspection, decoded and resized as the config's test pipeline does it.

The test split's ``pipeline`` (e.g. ``[Resize(448)]``) is applied to the decoded uint8 image;
a dataset that renders its own images (``SyntheticScenes``, ``FashionMNISTScenes``) has no
pipeline but an ``image_size``, and the image is warped to that size. ``size`` overrides both.
Normalisation is the model's data preprocessor's job, as in training.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import torch
from mmengine.config import Config

from mlrkit.checks import positive_int

__all__ = ["eval_transforms", "load_image"]


def _eval_dataset_cfg(cfg: Config) -> Any:
    for loader in ("test_dataloader", "val_dataloader"):
        node = cfg.get(loader)
        if node and node.get("dataset") is not None:
            return node["dataset"]
    return None


def eval_transforms(cfg: Config | None, size: int | None = None) -> list[Callable]:
    """The transforms that bring a decoded image to the model's input, as the config tests.

    Args:
        cfg: the experiment config (its ``test_dataloader``, else ``val_dataloader``).
        size: side S to warp every image to instead (``Resize(S)``).

    Returns:
        callables uint8 (3, H, W) -> uint8 (3, H', W').

    Raises:
        ValueError: ``size`` is not positive, or the config says neither a pipeline nor an
            ``image_size`` for its test data (give ``size``).
    """
    from mlrkit.datasets.base import build_pipeline
    from mlrkit.transforms.resize import Resize

    if size is not None:
        positive_int("", "the image size", size)
        return [Resize(size)]
    dataset = _eval_dataset_cfg(cfg) if cfg is not None else None
    if dataset is not None and dataset.get("pipeline"):
        return build_pipeline(list(dataset["pipeline"]))
    if dataset is not None and dataset.get("image_size"):
        return [Resize(int(dataset["image_size"]))]
    raise ValueError(
        "cannot tell the model's input size: the config's test data has neither a pipeline "
        "nor an image_size; give the size (--size S)."
    )


def load_image(
    path: str | os.PathLike,
    cfg: Config | None = None,
    size: int | None = None,
    transforms: list[Callable] | None = None,
) -> torch.Tensor:
    """Decode an image file and resize it like the config's test pipeline.

    Args:
        path: an image file (JPEG, PNG, WebP, GIF, or anything PIL reads).
        cfg: the experiment config; see :func:`eval_transforms`.
        size: warp to S x S instead of the config's pipeline.
        transforms: :func:`eval_transforms` already built (then ``cfg`` and ``size`` are
            not read), for many images.

    Returns:
        uint8 tensor (3, S_h, S_w), ready for the model's data preprocessor.

    Raises:
        FileNotFoundError: the file does not exist.
        mlrkit.datasets._io.ImageDecodeError: the file is not a readable image (names it).
        ValueError: the input size cannot be determined (see :func:`eval_transforms`).
    """
    from mlrkit.datasets._io import decode_image_file

    if transforms is None:
        transforms = eval_transforms(cfg, size)
    image = decode_image_file(path)  # (3, H, W) uint8
    for transform in transforms:
        image = transform(image)
    if not isinstance(image, torch.Tensor) or image.dtype != torch.uint8 or image.ndim != 3:
        raise ValueError(
            f"the config's test pipeline turned {str(path)!r} into "
            f"{getattr(image, 'dtype', type(image).__name__)} of shape "
            f"{tuple(getattr(image, 'shape', ()))}; expected a uint8 (3, H, W) image."
        )
    return image
