"""build_model: one call from a model config to the model, its label graph built first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import nn

from mlrkit.graph import LabelGraph
from mlrkit.registry import ENCODERS, MODELS

from .multi_label_classifier import MultiLabelClassifier, component_config

__all__ = ["build_model", "GRAPH_KEYS"]

#: The model-config keys that describe the label graph (the :meth:`LabelGraph.build` sources).
GRAPH_KEYS = MultiLabelClassifier.build_keys


def build_model(cfg: Mapping[str, Any]) -> nn.Module:
    """The model of a config: for a :class:`MultiLabelClassifier`, the label graph first.

    The config keeps the user interface of the classifier's config: ``label_statistics``,
    ``label_embedding`` (default ``"GloVe300"``), ``adjacency`` and ``classes`` describe the
    label graph. With an encoder they become one :class:`~mlrkit.graph.LabelGraph`, built
    from them and the graph the encoder class declares
    (:meth:`~mlrkit.encoders.base.LabelEncoder.graph_for`, no encoder instance needed), and
    the classifier gets it as ``label_graph`` (a ``label_graph`` already in the config, e.g.
    from a checkpoint, is used as it is); without an encoder they are unused. Any other model
    type is built by the ``MODELS`` registry as it is.

    Args:
        cfg: the model config (``cfg.model``), with a ``type``; it is not modified.

    Returns:
        the model, in training mode.

    Raises:
        ValueError: from :meth:`LabelGraph.build` or the classifier, naming what disagrees.
    """
    cfg = dict(cfg)  # shallow: nested configs are handed on as they are
    kind = cfg.get("type")
    model_class = MODELS.get(kind) if isinstance(kind, str) else kind
    if not (isinstance(model_class, type) and issubclass(model_class, MultiLabelClassifier)):
        return MODELS.build(cfg)
    del cfg["type"]
    sources = {key: cfg.pop(key) for key in GRAPH_KEYS if key in cfg}
    encoder, num_classes = cfg.get("encoder"), cfg.get("num_classes")
    # with an invalid K the classifier says what is wrong; a given label_graph is used as it is
    valid_k = isinstance(num_classes, int) and not isinstance(num_classes, bool) and num_classes > 0
    if encoder is not None and valid_k and cfg.get("label_graph") is None:
        graph, name = _declared_graph(encoder)
        cfg["label_graph"] = LabelGraph.build(
            num_classes, graph, classes=cfg.get("classes"), encoder=name, **sources
        )
    return model_class(**cfg)


def _declared_graph(encoder: Any) -> tuple[dict[str, Any], str]:
    """The ``build_adjacency`` keywords an encoder config (or module) asks for, and its name."""
    cfg = component_config(encoder, "encoder")
    if isinstance(cfg, nn.Module):
        return dict(getattr(cfg, "graph", None) or {}), type(cfg).__name__
    kind = cfg["type"]
    encoder_class = ENCODERS.get(kind) if isinstance(kind, str) else kind
    if hasattr(encoder_class, "graph_for"):
        return encoder_class.graph_for(cfg.get("graph")), encoder_class.__name__
    return dict(getattr(encoder_class, "default_graph", None) or {}), encoder_class.__name__
