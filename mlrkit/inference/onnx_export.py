"""Export a trained classifier to ONNX, with what a deployment needs in the model's metadata.

The exported graph is ``FrozenClassifier``: backbone and head, with the label encoder's output
L (K, D) folded in as a constant. After training the encoder's inputs (label embeddings,
adjacency) and weights are fixed, so L is too; the graph does not contain the encoder (nor
torch-geometric). The same wrapper works for every head that follows the head contract
(``forward(features, label_features) -> logits`` or a dict with ``logits``), so no head needs
export code of its own. It is exported with PyTorch's ``torch.export``-based exporter
(``dynamo=True``, onnxscript) with a dynamic batch axis.

Graph: input ``images`` float32 (B, 3, H, W), already normalised; output ``logits`` (B, K).
Metadata (``metadata_props``, strings; JSON where structured):

- ``mlrkit.classes``: the K class names, in output order;
- ``mlrkit.thresholds``: (K,) probabilities (calibrated, or 0.5 each), and
  ``mlrkit.thresholds_source``;
- ``mlrkit.mean``, ``mlrkit.std``: per channel (R, G, B), 0-255 scale: the input is
  ``(rgb - mean) / std`` of the uint8 image;
- ``mlrkit.resize``: ``{"size": [H, W], "interpolation": "bilinear"}``, the test pipeline
  (a warp to H x W);
- ``mlrkit.version``, ``mlrkit.config``, ``mlrkit.checkpoint``.

Shapes:
    - images: (B, 3, H, W) float32, normalised
    - logits: (B, K) float32
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

__all__ = ["FrozenClassifier", "resize_spec", "export_onnx", "compare_with_onnxruntime"]


class FrozenClassifier(nn.Module):
    """A trained classifier as a pure function of the images: the label features are constant.

    Args:
        model: a :class:`~mlrkit.models.multi_label_classifier.MultiLabelClassifier`.

    Shapes:
        - images: (B, 3, H, W) normalised float
        - output: logits (B, K)
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.backbone = model.backbone
        self.head = model.head
        label_features = None
        if getattr(model, "encoder", None) is not None:
            was_training = model.training
            model.eval()
            with torch.no_grad():
                label_features = model.label_features().detach().clone()  # (K, D)
            model.train(was_training)
        self.register_buffer("label_features", label_features)

    def forward(self, images: Tensor) -> Tensor:
        out = self.head(self.backbone(images), self.label_features)
        return out if isinstance(out, Tensor) else out["logits"]


def resize_spec(transforms: Sequence[Any]) -> dict[str, Any]:
    """The test pipeline as the torch-free runner replays it: one warp to H x W.

    Raises:
        ValueError: the pipeline has a transform other than one ``Resize``.
    """
    from mlrkit.transforms.resize import Resize

    if len(transforms) != 1 or not isinstance(transforms[0], Resize):
        names = ", ".join(type(t).__name__ for t in transforms) or "nothing"
        raise ValueError(
            f"the config's test pipeline is [{names}]; the exported model's runner replays one "
            "Resize (a warp to S x S) only. Give --size S to export for a plain warp."
        )
    resize = transforms[0]
    return {"size": list(resize.size), "interpolation": resize.interpolation.value}


def export_onnx(
    model: nn.Module,
    out: str | os.PathLike,
    resize: dict[str, Any],
    thresholds: Sequence[float] | None = None,
    thresholds_source: str = "0.5",
    extra_metadata: dict[str, str] | None = None,
    opset: int | None = None,
) -> Path:
    """Write ``model`` as ONNX to ``out`` with a dynamic batch axis and the metadata above.

    Args:
        model: the trained classifier (with ``classes`` and its data preprocessor).
        out: the ``.onnx`` file.
        resize: :func:`resize_spec` of the test pipeline.
        thresholds: (K,) probabilities; default 0.5 each.
        thresholds_source: where they came from (stored as ``mlrkit.thresholds_source``).
        extra_metadata: more ``metadata_props``.
        opset: ONNX opset (default: the exporter's).

    Returns:
        the path written.
    """
    import onnx

    import mlrkit

    classes = list(model.classes)
    K = len(classes)
    thresholds = [0.5] * K if thresholds is None else [float(t) for t in thresholds]
    if len(thresholds) != K:
        raise ValueError(f"export_onnx: {len(thresholds)} thresholds for {K} classes.")
    pre = model.data_preprocessor
    if pre.mean is None:
        raise ValueError("export_onnx: the model's data preprocessor has no mean/std.")
    frozen = FrozenClassifier(model).eval()
    height, width = resize["size"]
    device = next(frozen.parameters()).device
    example = torch.zeros(2, 3, height, width, device=device)  # 2: a batch of 1 would specialise
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    batch = torch.export.Dim("batch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # exporter chatter (deprecations inside torch)
        program = torch.onnx.export(
            frozen,
            (example,),
            dynamo=True,
            dynamic_shapes=({0: batch},),
            input_names=["images"],
            output_names=["logits"],
            opset_version=opset,
            verbose=False,
        )
    program.save(str(out))
    proto = onnx.load(str(out))
    metadata = {
        "mlrkit.classes": json.dumps(classes),
        "mlrkit.thresholds": json.dumps(thresholds),
        "mlrkit.thresholds_source": thresholds_source,
        "mlrkit.mean": json.dumps([float(v) for v in pre.mean.flatten().tolist()]),
        "mlrkit.std": json.dumps([float(v) for v in pre.std.flatten().tolist()]),
        "mlrkit.resize": json.dumps(resize),
        "mlrkit.input": "images: float32 (B, 3, H, W), (rgb - mean) / std of the resized image",
        "mlrkit.output": "logits: float32 (B, K); probability = sigmoid(logit)",
        "mlrkit.version": mlrkit.__version__,
        **(extra_metadata or {}),
    }
    onnx.helper.set_model_props(proto, metadata)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(out))
    return out


def compare_with_onnxruntime(
    model: nn.Module, path: str | os.PathLike, images: Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's and onnxruntime's logits for the same uint8 images.

    Shapes:
        - images: (B, 3, H, W) uint8
        - output: two (B, K) float32 arrays
    """
    import onnxruntime as ort

    with torch.no_grad():
        inputs = model.data_preprocessor({"inputs": images})["inputs"]  # (B, 3, H, W)
        reference = model(inputs, mode="tensor").float().cpu().numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    logits = session.run(["logits"], {"images": inputs.float().cpu().numpy()})[0]
    return reference, logits
