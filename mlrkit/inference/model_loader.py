"""A trained classifier from its config and checkpoint, without the training data if possible.

A checkpoint written by ``mlrkit train`` holds everything the model needs beyond the config:
the class names (``meta.dataset_meta.classes``) and, for models with a label encoder, the label
embeddings and the adjacency (buffers in the state dict), from which the model's
:class:`~mlrkit.graph.LabelGraph` is made. So a checkpoint can be inspected on a machine
without the dataset. A bare ``state_dict`` file (``torch.save(model.state_dict())``)
has no class names; then the config's datasets are built to get them, as ``mlrkit test`` does.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from mmengine.config import Config
from torch import nn

from mlrkit.engine.checkpoint import check_state_dict, checkpoint_state

__all__ = ["load_model", "checkpoint_state", "check_state_dict"]


def _classes_from_data(cfg: Config) -> list[str]:
    from mlrkit.engine.experiment import prepare_config

    probe = copy.deepcopy(cfg)
    with tempfile.TemporaryDirectory(prefix="mlrkit-classes-") as work_dir:
        try:
            prepare_config(probe, work_dir=work_dir)
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f"the checkpoint names no classes (a bare state dict), so they are read from "
                f"the config's training data, which is missing: {err}. Use a checkpoint "
                "written by `mlrkit train`, which records them."
            ) from err
    return list(probe.model.classes)


def load_model(
    cfg: Config | str | os.PathLike,
    checkpoint: str | os.PathLike,
    device: str | torch.device = "cpu",
) -> nn.Module:
    """Build the config's model with the checkpoint's weights, in eval mode on ``device``.

    The class names come from the checkpoint's ``meta.dataset_meta`` (else from the config's
    training data); for models with an encoder, the label graph is the checkpoint's
    ``label_embeddings`` and ``adjacency`` buffers (:meth:`LabelGraph.from_buffers`), so no
    label statistics or embedding files are read. A backbone ``pretrained_file`` is not
    read: the checkpoint's weights replace it.

    Args:
        cfg: the config (object or file) the checkpoint was trained with.
        checkpoint: the checkpoint file.
        device: where to put the model.

    Returns:
        the :class:`~mlrkit.models.multi_label_classifier.MultiLabelClassifier`, with its
        ``classes`` set.

    Raises:
        FileNotFoundError: the config, the checkpoint (or, for a bare state dict, the data) is
            missing.
        ValueError: the checkpoint does not fit the config's model (a different head,
            backbone, encoder or number of labels), or cannot be loaded safely.
    """
    from mlrkit.engine.config import load_config
    from mlrkit.graph import LabelGraph
    from mlrkit.models.build import GRAPH_KEYS, build_model

    if not isinstance(cfg, Config):
        cfg = load_config(cfg)
    config_name = cfg.filename or "<config>"
    checkpoint = str(checkpoint)
    if not Path(checkpoint).is_file():
        raise FileNotFoundError(f"checkpoint {checkpoint!r} does not exist")
    state, meta = checkpoint_state(checkpoint)
    if "model" not in cfg:
        raise ValueError(f"config {config_name!r} has no `model`.")
    classes = (meta.get("dataset_meta") or {}).get("classes")
    classes = list(classes) if classes else _classes_from_data(cfg)

    model_cfg: dict[str, Any] = copy.deepcopy(cfg.model.to_dict())
    k_cfg = model_cfg.get("num_classes")
    if k_cfg is not None and int(k_cfg) != len(classes):
        raise ValueError(
            f"checkpoint {checkpoint!r} has {len(classes)} classes but config {config_name!r} "
            f"sets model.num_classes={k_cfg}."
        )
    model_cfg.update(num_classes=len(classes), classes=classes)
    backbone = model_cfg.get("backbone")
    if isinstance(backbone, dict) and backbone.get("pretrained_file"):
        backbone["pretrained_file"] = None  # replaced by the checkpoint's weights anyway
    if model_cfg.get("encoder") is not None:
        if state.get("adjacency") is None or state.get("label_embeddings") is None:
            raise ValueError(
                f"checkpoint {checkpoint!r} has no label graph (adjacency, label_embeddings) but "
                f"the model of config {config_name!r} has an encoder: it was trained with "
                "another config."
            )
        model_cfg["label_graph"] = LabelGraph.from_buffers(
            classes, state["label_embeddings"], state["adjacency"], source=checkpoint
        )
    for key in GRAPH_KEYS:  # the checkpoint's label graph replaces them
        model_cfg.pop(key, None)
    model = build_model(model_cfg)
    check_state_dict(model, state, checkpoint, config_name)
    model.load_state_dict(state, strict=True)
    return model.to(device).eval()
