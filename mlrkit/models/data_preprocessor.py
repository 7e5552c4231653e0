"""MultiLabelDataPreprocessor: batch to device, uint8 -> float, normalised, channels_last."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from mlrkit.registry import MODELS

__all__ = ["MultiLabelDataPreprocessor"]


def _three(owner: str, name: str, values: Sequence[float] | None) -> Tensor | None:
    if values is None:
        return None
    tensor = torch.as_tensor(values, dtype=torch.float32).flatten()
    if tensor.numel() == 1:
        tensor = tensor.expand(3)
    if tensor.numel() != 3 or not torch.isfinite(tensor).all():
        raise ValueError(f"{owner}: {name} must be 3 finite numbers (R, G, B), got {values!r}.")
    if name == "std" and not (tensor > 0).all():
        raise ValueError(f"{owner}: std must be positive, got {values!r}.")
    return tensor.view(1, 3, 1, 1).clone()  # (1, 3, 1, 1)


@MODELS.register_module()
class MultiLabelDataPreprocessor(BaseDataPreprocessor):
    """Turn a collated batch into the model's input: on the device, float, normalised.

    The dataset yields uint8 images; normalisation happens here, on the device, so workers
    ship a quarter of the bytes. ``(x - mean) / std`` with mean and std on the 0-255 scale.
    Inside :class:`~mlrkit.models.multi_label_classifier.MultiLabelClassifier` they default to
    the backbone's ``pretrained_mean``/``pretrained_std`` times 255.

    Args:
        mean: per-channel mean, 0-255 scale (one number is used for all three channels).
        std: per-channel standard deviation, 0-255 scale.
        channels_last: return the images in ``torch.channels_last`` memory format.
        non_blocking: copy to the device asynchronously (pinned memory).

    Shapes:
        - data["inputs"]: (B, 3, H, W) uint8 (or float already on the 0-255 scale), or a list
          of B (3, H, W) tensors of one size
        - output["inputs"]: (B, 3, H, W) float32
        - ``data_samples`` pass through, moved to the device

    Raises:
        ValueError: for mean/std that are not 3 numbers, or images that are not (B, 3, H, W).
    """

    def __init__(
        self,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        channels_last: bool = False,
        non_blocking: bool = False,
    ) -> None:
        super().__init__(non_blocking=non_blocking)
        name = type(self).__name__
        if (mean is None) != (std is None):
            raise ValueError(f"{name}: give both mean and std, or neither.")
        self.channels_last = bool(channels_last)
        self.register_buffer("mean", _three(name, "mean", mean), persistent=False)
        self.register_buffer("std", _three(name, "std", std), persistent=False)

    def set_normalization(self, mean: Sequence[float], std: Sequence[float]) -> None:
        """Set mean and std (0-255 scale), e.g. from the backbone's pretrained config."""
        name = type(self).__name__
        device = self.mean.device if self.mean is not None else None
        self.mean = _three(name, "mean", mean).to(device)
        self.std = _three(name, "std", std).to(device)

    def forward(self, data: dict[str, Any], training: bool = False) -> dict[str, Any]:
        name = type(self).__name__
        if not isinstance(data, dict) or "inputs" not in data:
            raise ValueError(f"{name}: expected a dict with 'inputs' (and 'data_samples').")
        if self.mean is None:
            raise ValueError(
                f"{name}: mean and std are not set; give them (0-255 scale) or build the "
                "preprocessor through MultiLabelClassifier, which takes the backbone's."
            )
        data = self.cast_data(data)
        inputs = data["inputs"]
        if isinstance(inputs, (list, tuple)):
            sizes = {tuple(image.shape) for image in inputs}
            if len(sizes) != 1:
                raise ValueError(
                    f"{name}: images of different sizes {sorted(sizes)} cannot be batched; "
                    "resize them in the pipeline."
                )
            inputs = torch.stack(list(inputs))  # (B, 3, H, W)
        if inputs.ndim != 4 or inputs.shape[1] != 3:
            raise ValueError(
                f"{name}: expected images (B, 3, H, W), got shape {tuple(inputs.shape)}."
            )
        inputs = (inputs.float() - self.mean) / self.std  # (B, 3, H, W)
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        return {"inputs": inputs, "data_samples": data.get("data_samples")}

    def extra_repr(self) -> str:
        mean = None if self.mean is None else [round(v, 3) for v in self.mean.flatten().tolist()]
        std = None if self.std is None else [round(v, 3) for v in self.std.flatten().tolist()]
        return f"mean={mean}, std={std}, channels_last={self.channels_last}"
