"""MultiLabelClassifier: backbone + optional label encoder + head + loss, as an mmengine model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import torch
from mmengine.model import BaseModel
from torch import Tensor, nn

from mlrkit.checks import positive_int
from mlrkit.graph import LabelGraph
from mlrkit.losses.base import TRAIN_DIFFICULT_MODES, difficult_in_training
from mlrkit.registry import BACKBONES, ENCODERS, HEADS, LOSSES, MODELS

from .data_preprocessor import MultiLabelDataPreprocessor

__all__ = ["MultiLabelClassifier"]

MODES = ("loss", "tensor", "predict")


def component_config(cfg: Any, role: str) -> dict[str, Any] | nn.Module:
    """A component (``role``) given as a config dict with a ``type``, a registered name or a
    module: the module as it is, else a new config dict (a name becomes ``dict(type=name)``).

    Raises:
        ValueError: ``cfg`` is none of these.
    """
    if isinstance(cfg, nn.Module):
        return cfg
    if isinstance(cfg, str):
        cfg = dict(type=cfg)
    if not isinstance(cfg, Mapping) or cfg.get("type") is None:
        raise ValueError(
            f"MultiLabelClassifier: {role} must be a config dict with a 'type', a registered "
            f"name or an nn.Module, got {cfg!r}."
        )
    return dict(cfg)


def _build(registry: Any, cfg: Any, role: str, **defaults: Any) -> nn.Module:
    """A module from a config dict, a registered name or a module; defaults fill missing keys."""
    cfg = component_config(cfg, role)
    if isinstance(cfg, nn.Module):
        return cfg
    for key, value in defaults.items():
        cfg.setdefault(key, value)
    return registry.build(cfg)


def _check_size(component: nn.Module, role: str, attr: str, expected: int, source: str) -> None:
    value = getattr(component, attr, None)
    if value is not None and value != expected:
        raise ValueError(
            f"MultiLabelClassifier: {role} {type(component).__name__} has {attr}={value} but "
            f"{source} is {expected}; drop {attr} from the {role} config to take it from there."
        )


@MODELS.register_module()
class MultiLabelClassifier(BaseModel):
    """Multi-label image classifier: images -> K logits, with an optional label graph branch.

    ::

        images --data_preprocessor--> x --backbone--> F (B, D, H, W)
        X (K, d), A (K, K) --encoder--> L (K, D)
        (F, L) --head--> logits (B, K) [+ lift_map, att_lift_map]
        logits, targets --loss--> scalar

    The label embeddings X and the adjacency A come in one :class:`~mlrkit.graph.LabelGraph`,
    built before the model (:func:`mlrkit.models.build.build_model` makes it from the config
    keys ``label_statistics``, ``label_embedding`` and ``adjacency`` and the graph the encoder
    class declares); the classifier registers them as the buffers ``label_embeddings`` and
    ``adjacency``, saved with the weights, and reads no file. In eval mode without
    gradients (validation, testing) the encoder's output L is computed once and reused until
    the encoder's weights change (keyed on the parameters' ``_version`` counters and storage,
    and cleared at every ``train()``/``eval()``); training recomputes it each step.

    Widths are filled in from the parts: the head gets ``num_classes`` and ``in_channels`` =
    the backbone's ``num_features``; the encoder ``in_dim`` = d and ``out_dim`` = D. Given
    explicitly, they must agree.

    Args:
        backbone: backbone config (e.g. ``dict(type="TimmBackbone", model_name="resnet101")``).
        head: head config (``GlobalPoolHead``, ``MLGCNHead``, ``DeepLIFTHead``, ...).
        num_classes: K.
        encoder: label encoder config, required by heads with ``uses_label_features``.
        loss: loss config (default ``BinaryCrossEntropyLoss``).
        classes: the K label names in the data's order; with a label graph, its names.
        label_graph: the class names, X (K, d) and A (K, K); required with an encoder, refused
            without one.
        data_preprocessor: preprocessor config or module; mean/std default to the backbone's
            ``pretrained_mean``/``pretrained_std`` x 255.
        channels_last: run the backbone in ``torch.channels_last`` memory format.
        train_difficult: how "difficult" labels enter the loss: ``"ignore"`` (default: left
            out), ``"positive"`` (ML-GCN's and the official Deep-LIFT code's engine) or
            ``"negative"``; see :func:`mlrkit.losses.base.difficult_in_training`. Unknown
            labels (partial labels, ``data_samples["unknown"]``) are always left out.
        cache_label_features: reuse the encoder output in gradient-free eval mode.
        init_cfg: mmengine initialisation config.

    Shapes:
        - inputs: (B, 3, S, S) float, preprocessed
        - data_samples: dict with ``gt_label`` (B, K), ``difficult`` and ``unknown`` (B, K) bool
        - output: see :meth:`forward`

    Raises:
        ValueError: naming the component and both sizes when K disagrees between head,
            label graph, classes or data, when the embedding width is not the encoder's, or
            when the feature map is not (B, D, H, W).
    """

    #: Config keys that ``build_model`` turns into ``label_graph`` before construction; config
    #: checks (``--cfg-options``) accept them as this class's arguments.
    build_keys: ClassVar[tuple[str, ...]] = ("label_embedding", "label_statistics", "adjacency")

    def __init__(
        self,
        backbone: dict | nn.Module,
        head: dict | nn.Module,
        num_classes: int,
        encoder: dict | nn.Module | None = None,
        loss: dict | str | nn.Module = "BinaryCrossEntropyLoss",
        classes: Sequence[str] | None = None,
        label_graph: LabelGraph | None = None,
        data_preprocessor: dict | nn.Module | None = None,
        channels_last: bool = False,
        train_difficult: str = "ignore",
        cache_label_features: bool = True,
        init_cfg: dict | None = None,
    ) -> None:
        positive_int("MultiLabelClassifier", "num_classes", num_classes)
        backbone = _build(BACKBONES, backbone, "backbone")
        super().__init__(
            data_preprocessor=self._preprocessor(data_preprocessor, backbone, channels_last),
            init_cfg=init_cfg,
        )
        self.num_classes = num_classes
        self.backbone = backbone
        self.num_features = int(getattr(backbone, "num_features", 0))
        if self.num_features <= 0:
            raise ValueError(
                f"MultiLabelClassifier: backbone {type(backbone).__name__} has no positive "
                "num_features (its channel count D)."
            )
        self.head = _build(
            HEADS, head, "head", num_classes=num_classes, in_channels=self.num_features
        )
        _check_size(self.head, "head", "num_classes", num_classes, "num_classes")
        _check_size(self.head, "head", "in_channels", self.num_features, "the backbone's D")
        uses_label_features = bool(getattr(self.head, "uses_label_features", False))
        head_name = type(self.head).__name__
        if uses_label_features and encoder is None:
            raise ValueError(
                f"MultiLabelClassifier: head {head_name} needs label features; give an "
                "encoder, e.g. encoder=dict(type='GCNEncoder')."
            )
        if encoder is not None and not uses_label_features:
            raise ValueError(
                f"MultiLabelClassifier: head {head_name} does not use label features, so the "
                "encoder would be unused; drop it or choose a head that uses label features "
                "(MLGCNHead, DeepLIFTHead, MLDecoderHead with queries='label_features')."
            )

        self.encoder: nn.Module | None = None
        self.classes: tuple[str, ...] | None = None if classes is None else tuple(classes)
        if label_graph is not None:
            if self.classes is not None and self.classes != label_graph.classes:
                raise ValueError(
                    "MultiLabelClassifier: classes and the label graph's classes differ; give "
                    "one of them."
                )
            self.classes = label_graph.classes
        if self.classes is not None and len(self.classes) != num_classes:
            raise ValueError(
                f"MultiLabelClassifier: {len(self.classes)} classes were given but "
                f"num_classes={num_classes}."
            )
        if (encoder is None) != (label_graph is None):
            raise ValueError(
                "MultiLabelClassifier: an encoder and a label_graph go together; build the "
                "model with mlrkit.models.build.build_model(cfg), which makes the LabelGraph "
                "from label_statistics / label_embedding / adjacency."
            )
        if encoder is not None:
            d = label_graph.dim
            self.encoder = _build(ENCODERS, encoder, "encoder", in_dim=d, out_dim=self.num_features)
            _check_size(self.encoder, "encoder", "in_dim", d, "the label-embedding width d")
            _check_size(self.encoder, "encoder", "out_dim", self.num_features, "the backbone's D")
            self.register_buffer("label_embeddings", label_graph.embeddings.clone())  # (K, d)
            self.register_buffer("adjacency", label_graph.adjacency.clone())  # (K, K)
        else:
            self.register_buffer("label_embeddings", None)
            self.register_buffer("adjacency", None)

        self.loss_module = _build(LOSSES, loss, "loss")
        if train_difficult not in TRAIN_DIFFICULT_MODES:
            raise ValueError(
                f"MultiLabelClassifier: train_difficult must be one of "
                f"{list(TRAIN_DIFFICULT_MODES)}, got {train_difficult!r}."
            )
        self.train_difficult = train_difficult
        self.cache_label_features = cache_label_features
        self._cached_label_features: Tensor | None = None
        self._cache_key: tuple | None = None
        self.channels_last = channels_last
        if channels_last:
            self.backbone.to(memory_format=torch.channels_last)

    # -- construction -----------------------------------------------------------------------

    @staticmethod
    def _preprocessor(cfg: Any, backbone: nn.Module, channels_last: bool) -> nn.Module:
        mean = [255.0 * m for m in getattr(backbone, "pretrained_mean", (0.485, 0.456, 0.406))]
        std = [255.0 * s for s in getattr(backbone, "pretrained_std", (0.229, 0.224, 0.225))]
        if isinstance(cfg, MultiLabelDataPreprocessor):
            if cfg.mean is None:
                cfg.set_normalization(mean, std)
            return cfg
        if isinstance(cfg, nn.Module):
            return cfg
        cfg = dict(type="MultiLabelDataPreprocessor") if cfg is None else dict(cfg)
        if cfg.get("type") in ("MultiLabelDataPreprocessor", MultiLabelDataPreprocessor):
            if cfg.get("mean") is None and cfg.get("std") is None:
                cfg.update(mean=mean, std=std)
            cfg.setdefault("channels_last", channels_last)
        return MODELS.build(cfg)

    # -- label features and their cache -----------------------------------------------------

    def train(self, mode: bool = True) -> MultiLabelClassifier:
        self.invalidate_label_features()  # e.g. an EMA hook swaps weights around eval()
        return super().train(mode)

    def invalidate_label_features(self) -> None:
        """Forget the cached encoder output (after writing weights through ``.data``)."""
        self._cached_label_features = None
        self._cache_key = None

    def _label_feature_key(self) -> tuple:
        tensors = [*self.encoder.parameters(), *self.encoder.buffers()]
        tensors += [self.label_embeddings, self.adjacency]
        return tuple((t.data_ptr(), t._version, t.dtype, t.device) for t in tensors)

    def label_features(self) -> Tensor | None:
        """The encoder's output L, cached in gradient-free eval mode.

        Shapes:
            - output: (K, D), or None without an encoder
        """
        if self.encoder is None:
            return None
        cacheable = self.cache_label_features and not self.training
        if not cacheable or torch.is_grad_enabled():
            return self.encoder(self.label_embeddings, self.adjacency)
        key = self._label_feature_key()
        if self._cached_label_features is None or key != self._cache_key:
            self._cached_label_features = self.encoder(self.label_embeddings, self.adjacency)
            self._cache_key = key
        return self._cached_label_features

    # -- forward ----------------------------------------------------------------------------

    def forward_with_maps(self, inputs: Tensor) -> dict[str, Tensor | None]:
        """Logits and the maps Grad-CAM needs, from one pass (autograd graph kept).

        Args:
            inputs: preprocessed images (``model.data_preprocessor(batch)["inputs"]``).

        Shapes:
            - inputs: (B, 3, S, S)
            - output: ``logits`` (B, K), ``features`` (B, D, H, W), ``lift_map`` and
              ``att_lift_map`` (B, K, H, W) or None for heads without them
        """
        if not torch.is_floating_point(inputs):
            raise ValueError(
                f"MultiLabelClassifier: inputs are {inputs.dtype}; run them through "
                "model.data_preprocessor (uint8 -> normalised float) first."
            )
        features = self.backbone(inputs)
        backbone_name = type(self.backbone).__name__
        if features.ndim != 4:
            raise ValueError(
                f"MultiLabelClassifier: backbone {backbone_name} returned a feature map of rank "
                f"{features.ndim} (shape {tuple(features.shape)}); expected rank 4, "
                f"(B, {self.num_features}, H, W)."
            )
        if features.shape[1] != self.num_features:
            raise ValueError(
                f"MultiLabelClassifier: backbone {backbone_name} returned {features.shape[1]} "
                f"channels but declares num_features={self.num_features}."
            )
        out = self.head(features, self.label_features())
        out = {"logits": out} if isinstance(out, Tensor) else dict(out)
        logits = out["logits"]
        if logits.shape != (features.shape[0], self.num_classes):
            raise ValueError(
                f"MultiLabelClassifier: head {type(self.head).__name__} returned logits of "
                f"shape {tuple(logits.shape)}, expected ({features.shape[0]}, "
                f"{self.num_classes})."
            )
        return {
            "logits": logits,
            "features": features,
            "lift_map": out.get("lift_map"),
            "att_lift_map": out.get("att_lift_map"),
        }

    def forward(
        self,
        inputs: Tensor,
        data_samples: dict | Sequence[dict] | None = None,
        mode: str = "tensor",
    ) -> dict[str, Tensor] | Tensor | list[dict[str, Tensor]]:
        """Run the model in one of mmengine's modes.

        Args:
            inputs: preprocessed images.
            data_samples: the collated ``data_samples`` (``gt_label``, ``difficult``), needed
                by ``"loss"``.
            mode: ``"loss"`` -> ``{"loss": scalar}`` (unknown labels ignored; difficult labels
                as ``train_difficult`` says); ``"tensor"`` -> logits (B, K); ``"predict"`` ->
                a list of B dicts ``{"scores": logits (K,), "gt_label": (K,),
                "difficult": (K,), "unknown": (K,)}`` (labels only when given).

        Shapes:
            - inputs: (B, 3, S, S)
            - data_samples["gt_label"], data_samples["difficult"]: (B, K)
        """
        if mode not in MODES:
            raise ValueError(
                f"MultiLabelClassifier: mode must be one of {list(MODES)}, got {mode!r}."
            )
        logits = self.forward_with_maps(inputs)["logits"]
        if mode == "tensor":
            return logits
        targets, difficult, unknown = self._labels(data_samples, logits.shape[0])
        if mode == "loss":
            if targets is None:
                raise ValueError(
                    "MultiLabelClassifier: mode='loss' needs data_samples with 'gt_label' (B, K)."
                )
            loss_targets, ignore = difficult_in_training(targets, difficult, self.train_difficult)
            ignore = unknown if ignore is None else ignore | unknown  # (B, K)
            return {"loss": self.loss_module(logits, loss_targets, ignore)}
        logits = logits.detach()
        predictions = []
        for i in range(logits.shape[0]):
            sample = {"scores": logits[i]}
            if targets is not None:
                sample["gt_label"] = targets[i]
                sample["difficult"] = difficult[i]
                sample["unknown"] = unknown[i]
            predictions.append(sample)
        return predictions

    def _labels(
        self, data_samples: Any, batch: int
    ) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        """``gt_label`` (B, K) float, ``difficult`` and ``unknown`` (B, K) bool from the data
        samples (a missing mask is all False)."""
        if data_samples is None:
            return None, None, None
        if isinstance(data_samples, (list, tuple)):  # not collated: one dict per sample
            keys = set.intersection(*(set(s) for s in data_samples)) if data_samples else set()
            data_samples = {
                k: torch.stack([torch.as_tensor(s[k]) for s in data_samples])
                for k in ("gt_label", "difficult", "unknown")
                if k in keys
            }
        if "gt_label" not in data_samples:
            return None, None, None
        targets = torch.as_tensor(data_samples["gt_label"]).float()
        K = self.num_classes
        if targets.ndim != 2 or targets.shape != (batch, K):
            raise ValueError(
                f"MultiLabelClassifier: data gt_label has shape {tuple(targets.shape)}, expected "
                f"({batch}, {K}): the data has {targets.shape[-1]} labels, the model {K}."
            )
        masks = []
        for key in ("difficult", "unknown"):
            mask = data_samples.get(key)
            if mask is None:
                mask = torch.zeros_like(targets, dtype=torch.bool)
            mask = torch.as_tensor(mask).bool().to(targets.device)
            if mask.shape != targets.shape:
                raise ValueError(
                    f"MultiLabelClassifier: data {key} has shape {tuple(mask.shape)}, "
                    f"expected {tuple(targets.shape)} like gt_label."
                )
            masks.append(mask)
        return targets, masks[0], masks[1]
