"""A trained model from its config and checkpoint, scoring image files or a dataset split.

``TorchPredictor.load`` decodes a file and applies the config's test pipeline (the transforms of
:func:`~mlrkit.inference.image_loader.eval_transforms`); ``infer`` batches the images through the
model's data preprocessor (normalisation) and returns the logits. ``dataset_scores`` runs a
configured split (e.g. the val split, for calibration) and returns scores with their labels.

Shapes:
    - ``load`` output: uint8 (3, S, S)
    - ``infer`` input: B images of one shape; output: (B, K) float32 logits (numpy)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from mmengine.config import Config

from mlrkit.inference.image_loader import eval_transforms, load_image
from mlrkit.inference.model_loader import load_model

__all__ = ["TorchPredictor", "dataset_scores", "default_device"]


def default_device(device: str | None) -> str:
    """``device`` as given, else ``cuda`` when available, else ``cpu``."""
    return device or ("cuda" if torch.cuda.is_available() else "cpu")


class TorchPredictor:
    """The config's model with the checkpoint's weights, in eval mode, for image files.

    Args:
        cfg: the config the checkpoint was trained with.
        checkpoint: a checkpoint written by ``mlrkit train``.
        device: ``cpu``, ``cuda``, ``cuda:1``, ... (default: cuda if available).
        size: warp images to S x S instead of the config's test pipeline.
    """

    def __init__(
        self,
        cfg: Config,
        checkpoint: str | os.PathLike,
        device: str | None = None,
        size: int | None = None,
    ) -> None:
        self.transforms = eval_transforms(cfg, size)  # before the model: fails fast
        self.device = default_device(device)
        self.model = load_model(cfg, checkpoint, device=self.device)
        self.classes = list(self.model.classes)

    def load(self, path: str) -> torch.Tensor:
        """Decode ``path`` and apply the test pipeline; uint8 (3, S, S)."""
        return load_image(path, transforms=self.transforms)

    @torch.inference_mode()
    def infer(self, images: list[torch.Tensor]) -> np.ndarray:
        """Logits (B, K) of B images of one shape."""
        batch = torch.stack(images)  # (B, 3, S, S) uint8
        inputs = self.model.data_preprocessor({"inputs": batch})["inputs"]
        return self.model(inputs, mode="tensor").float().cpu().numpy()


@torch.inference_mode()
def dataset_scores(
    model: torch.nn.Module, dataset_cfg: Any, batch_size: int = 64, num_workers: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """Score every sample of a configured dataset.

    Args:
        model: a :class:`~mlrkit.models.multi_label_classifier.MultiLabelClassifier` in eval
            mode.
        dataset_cfg: the dataset's config (e.g. ``cfg.val_dataloader.dataset``).
        batch_size: samples per forward pass.
        num_workers: DataLoader workers.

    Returns:
        logits (N, K) float32, targets (N, K) uint8, the entries to leave out of the counts
        (N, K) bool (difficult or, with partial labels, unknown), and the dataset.

    Raises:
        ValueError: the dataset's classes are not the model's.
    """
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader

    from mlrkit.registry import DATASETS

    dataset = DATASETS.build(dataset_cfg)
    if list(dataset.classes) != list(model.classes):
        raise ValueError(
            f"dataset {type(dataset).__name__} has classes {list(dataset.classes)[:5]}... but "
            f"the checkpoint's model has {list(model.classes)[:5]}...: not the same labels."
        )
    loader = DataLoader(
        dataset, batch_size=batch_size, num_workers=num_workers, collate_fn=default_collate
    )
    scores, targets, difficult = [], [], []
    for batch in loader:
        data = model.data_preprocessor(batch)
        scores.append(model(data["inputs"], mode="tensor").float().cpu())
        samples = batch["data_samples"]
        targets.append(torch.as_tensor(samples["gt_label"]).to(torch.uint8))
        left_out = torch.as_tensor(samples["difficult"]).bool()  # (B, K)
        if samples.get("unknown") is not None:  # partial labels: unknown entries left out too
            left_out |= torch.as_tensor(samples["unknown"]).bool()
        difficult.append(left_out)
    return (
        torch.cat(scores).numpy(),  # (N, K)
        torch.cat(targets).numpy(),
        torch.cat(difficult).numpy(),
        dataset,
    )
