r"""Grad-CAM (Selvaraju et al., ICCV 2017) of a classifier's maps, all from one forward pass.

For label k and a map A with C channels (the backbone's feature map, C = D, or a LIFT map
treated as a K-channel map, C = K):

.. math::

    w^k_c = \frac{1}{HW} \sum_{h,w} \frac{\partial y_k}{\partial A_{c,h,w}}, \qquad
    \mathrm{CAM}^k = \mathrm{ReLU}\Big(\sum_c w^k_c A_c\Big),

upsampled bilinearly to the image and min-max normalised to [0, 1]
(https://arxiv.org/abs/1610.02391). The paper's Figure 7 shows it for three maps: the
backbone's last stage ("conv5_x"), the LIFT map and the attention LIFT map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mlrkit.checks import positive_int

__all__ = ["MAP_NAMES", "CAMResult", "grad_cam", "grad_cam_from_maps", "normalize_maps"]

#: The maps ``MultiLabelClassifier.forward_with_maps`` returns, in the order they are shown.
MAP_NAMES: tuple[str, ...] = ("features", "lift_map", "att_lift_map")


@dataclass
class CAMResult:
    """Grad-CAM maps of B images for L labels each, with the model's scores.

    Attributes:
        labels: the label indices each row of ``maps`` is for.
        logits: the model's logits (detached).
        scores: ``sigmoid(logits)``.
        maps: map name (one of :data:`MAP_NAMES` the head returned) -> Grad-CAM maps.

    Shapes:
        - labels: (B, L) int64
        - logits, scores: (B, K)
        - maps[name]: (B, L, S_h, S_w), the input images' size, values in [0, 1]
    """

    labels: Tensor
    logits: Tensor
    scores: Tensor
    maps: dict[str, Tensor]


def normalize_maps(cams: Tensor) -> Tensor:
    """Min-max normalise each map to [0, 1]; a constant map becomes all zeros.

    Shapes:
        - cams: (..., H, W)
        - output: same shape
    """
    flat = cams.flatten(-2)  # (..., H*W)
    low = flat.amin(dim=-1, keepdim=True)
    span = flat.amax(dim=-1, keepdim=True) - low
    scaled = torch.where(span > 0, (flat - low) / span.clamp_min(torch.finfo(flat.dtype).tiny), 0)
    return scaled.view_as(cams)


def _label_matrix(labels: Tensor | Sequence[int], batch: int, num_classes: int) -> Tensor:
    labels = torch.as_tensor(labels, dtype=torch.long)
    if labels.ndim == 1:
        labels = labels.unsqueeze(0).expand(batch, -1)  # (B, L): the same labels for all
    if labels.ndim != 2 or labels.shape[0] != batch or labels.shape[1] == 0:
        raise ValueError(
            f"grad_cam: labels must be (L,) or ({batch}, L) label indices with L >= 1, got "
            f"shape {tuple(labels.shape)}."
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"grad_cam: label indices must be in [0, {num_classes - 1}] (the model has "
            f"{num_classes} labels), got {labels.unique().tolist()}."
        )
    return labels


def grad_cam_from_maps(
    logits: Tensor,
    maps: Mapping[str, Tensor],
    labels: Tensor | Sequence[int],
    size: tuple[int, int] | None = None,
    normalize: bool = True,
) -> dict[str, Tensor]:
    """Grad-CAM of each map for each requested label, one backward pass per label.

    The samples of a batch must not interact (a model in eval mode), so the gradient of
    ``sum_b logits[b, labels[b, j]]`` holds each sample's own gradient: L backward passes
    serve the whole batch. ``torch.autograd.grad`` is used, so no parameter's ``.grad`` is
    touched. A map the logit does not depend on gives all-zero maps.

    Args:
        logits: the logits, inside the autograd graph that produced ``maps``.
        maps: name -> map, each inside the graph (e.g. ``forward_with_maps``'s outputs).
        labels: label indices, the same for every sample (L,) or per sample (B, L).
        size: (height, width) to upsample the maps to (bilinear); None keeps (H, W).
        normalize: min-max normalise each map to [0, 1] (after upsampling).

    Returns:
        name -> Grad-CAM maps, detached.

    Shapes:
        - logits: (B, K)
        - maps[name]: (B, C, H, W), C = D for the backbone map, K for the LIFT maps
        - labels: (L,) or (B, L)
        - output[name]: (B, L, H, W), or (B, L, *size)

    Raises:
        ValueError: for labels out of range, maps that are not (B, C, H, W) or logits that do
            not require a gradient.
    """
    if logits.ndim != 2:
        raise ValueError(f"grad_cam: logits must be (B, K), got shape {tuple(logits.shape)}.")
    if not logits.requires_grad:
        raise ValueError(
            "grad_cam: the logits are not part of an autograd graph; compute them with "
            "gradients enabled (torch.enable_grad()), from maps that require a gradient."
        )
    batch, num_classes = logits.shape
    labels = _label_matrix(labels, batch, num_classes).to(logits.device)  # (B, L)
    names = list(maps)
    tensors = [maps[name] for name in names]
    for name, tensor in zip(names, tensors):
        if tensor.ndim != 4 or tensor.shape[0] != batch:
            raise ValueError(
                f"grad_cam: map {name!r} must be (B={batch}, C, H, W), got shape "
                f"{tuple(tensor.shape)}."
            )
    per_label: dict[str, list[Tensor]] = {name: [] for name in names}
    for j in range(labels.shape[1]):
        target = logits.gather(1, labels[:, j : j + 1]).sum()  # sum_b logits[b, labels[b, j]]
        grads = torch.autograd.grad(target, tensors, retain_graph=True, allow_unused=True)
        for name, tensor, grad in zip(names, tensors, grads):
            if grad is None:  # this map does not feed the logit
                cam = tensor.new_zeros(batch, *tensor.shape[2:])  # (B, H, W)
            else:
                weights = grad.float().mean(dim=(2, 3), keepdim=True)  # (B, C, 1, 1)
                cam = F.relu((weights * tensor.detach().float()).sum(dim=1))  # (B, H, W)
            per_label[name].append(cam)
    out = {}
    for name in names:
        cams = torch.stack(per_label[name], dim=1)  # (B, L, H, W)
        if size is not None and tuple(cams.shape[-2:]) != tuple(size):
            cams = F.interpolate(cams, size=tuple(size), mode="bilinear", align_corners=False)
        out[name] = normalize_maps(cams) if normalize else cams
    return out


def grad_cam(
    model: nn.Module,
    images: Tensor,
    labels: Tensor | Sequence[int] | None = None,
    top_k: int = 3,
    normalize: bool = True,
) -> CAMResult:
    """Grad-CAM of a classifier's backbone map and (where the head has them) LIFT maps.

    One forward pass (``model.forward_with_maps``) gives the logits and every map; one
    backward pass per label gives all the maps' gradients. The model is put in eval mode.

    Args:
        model: a :class:`~mlrkit.models.multi_label_classifier.MultiLabelClassifier` (or any
            module with ``data_preprocessor`` and ``forward_with_maps``).
        images: uint8 images at the model's input size, as the test pipeline yields them;
            the model's data preprocessor normalises them and moves them to its device.
        labels: label indices to explain, (L,) for all images or (B, L); None: each image's
            ``top_k`` highest-scoring labels, best first.
        top_k: how many labels when ``labels`` is None.
        normalize: min-max normalise each map to [0, 1].

    Returns:
        the labels, logits, sigmoid scores and the maps, upsampled to the image size.

    Shapes:
        - images: (3, S_h, S_w) or (B, 3, S_h, S_w) uint8
        - output.maps[name]: (B, L, S_h, S_w)

    Raises:
        ValueError: for ``top_k`` outside [1, K] or label indices out of range.
    """
    if images.ndim == 3:
        images = images.unsqueeze(0)  # (1, 3, S_h, S_w)
    model.eval()
    with torch.enable_grad():
        inputs = model.data_preprocessor({"inputs": images})["inputs"]  # (B, 3, S_h, S_w)
        inputs = inputs.detach().requires_grad_()  # the graph reaches the maps even if frozen
        out = model.forward_with_maps(inputs)
        logits = out["logits"]  # (B, K)
        num_classes = logits.shape[1]
        if labels is None:
            positive_int("grad_cam", "top_k", top_k)
            if top_k > num_classes:
                raise ValueError(
                    f"grad_cam: top_k={top_k} is more than the model's {num_classes} labels; "
                    f"use a top_k of at most {num_classes}."
                )
            labels = logits.detach().topk(top_k, dim=1).indices  # (B, L)
        maps = {name: out[name] for name in MAP_NAMES if out.get(name) is not None}
        cams = grad_cam_from_maps(
            logits, maps, labels, size=tuple(images.shape[-2:]), normalize=normalize
        )
    labels = _label_matrix(labels, logits.shape[0], num_classes)
    logits = logits.detach()
    return CAMResult(labels=labels.cpu(), logits=logits, scores=logits.sigmoid(), maps=cams)
