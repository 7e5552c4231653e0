"""Key conversions for weight files that were not written by timm.

A converter maps a foreign state dict onto the key names of a freshly built timm model; the
backbone then loads the result strictly, so a wrong mapping fails loudly instead of leaving
random weights behind. ``"timm"`` (no conversion) is timm's own format.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn

__all__ = ["CHECKPOINT_FORMATS", "convert_state_dict", "efficientnet_pytorch_to_timm"]

# lukemelas/EfficientNet-PyTorch block modules -> timm names, by block type.
_EXPANDED = {  # InvertedResidual: expand 1x1, depthwise, (SE), project 1x1
    "_expand_conv": "conv_pw",
    "_bn0": "bn1",
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn2",
    "_se_reduce": "se.conv_reduce",
    "_se_expand": "se.conv_expand",
    "_project_conv": "conv_pwl",
    "_bn2": "bn3",
}
_NOT_EXPANDED = {  # DepthwiseSeparableConv (expansion ratio 1): depthwise, (SE), pointwise
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn1",
    "_se_reduce": "se.conv_reduce",
    "_se_expand": "se.conv_expand",
    "_project_conv": "conv_pw",
    "_bn2": "bn2",
}
_TOP_LEVEL = {
    "_conv_stem": "conv_stem",
    "_bn0": "bn1",
    "_conv_head": "conv_head",
    "_bn1": "bn2",
    "_fc": "classifier",
}


def efficientnet_pytorch_to_timm(state_dict: dict[str, Tensor], model: nn.Module) -> dict:
    """Rename an EfficientNet-PyTorch (lukemelas) state dict to timm's EfficientNet keys.

    The foreign file numbers its blocks flatly (``_blocks.7``); timm groups them by stage
    (``blocks.3.1``), so the stage lengths come from ``model.blocks``.

    Args:
        state_dict: the file's tensors, e.g. ``_blocks.1._expand_conv.weight``.
        model: the timm EfficientNet the weights are for (only its layout is read).

    Returns:
        The same tensors under timm's names.

    Raises:
        ValueError: if the model is not an EfficientNet or a key has no timm counterpart.
    """
    if not hasattr(model, "blocks"):
        raise ValueError(
            f"checkpoint_format='efficientnet_pytorch' needs a timm EfficientNet, got "
            f"{type(model).__name__}."
        )
    layout = [(s, i) for s, stage in enumerate(model.blocks) for i in range(len(stage))]
    converted = {}
    for key, value in state_dict.items():
        module, _, param = key.rpartition(".")
        if module.startswith("_blocks."):
            _, number, name = module.split(".", 2)
            if int(number) >= len(layout):
                raise ValueError(
                    f"efficientnet_pytorch checkpoint: block {number} does not exist in the "
                    f"model ({len(layout)} blocks); is the file for another variant?"
                )
            stage, index = layout[int(number)]
            expanded = f"_blocks.{number}._expand_conv.weight" in state_dict
            table = _EXPANDED if expanded else _NOT_EXPANDED
            prefix = f"blocks.{stage}.{index}."
        else:
            name, table, prefix = module, _TOP_LEVEL, ""
        if name not in table:
            raise ValueError(
                f"efficientnet_pytorch checkpoint: no timm counterpart for key {key!r}."
            )
        converted[f"{prefix}{table[name]}.{param}"] = value
    return converted


#: Known weight-file formats -> converter (None: the file is already in timm's format).
CHECKPOINT_FORMATS: dict[str, Callable[[dict, nn.Module], dict] | None] = {
    "timm": None,
    "efficientnet_pytorch": efficientnet_pytorch_to_timm,
}


def convert_state_dict(state_dict: dict[str, Tensor], fmt: str, model: nn.Module) -> dict:
    """Convert ``state_dict`` from format ``fmt`` to ``model``'s timm keys."""
    if fmt not in CHECKPOINT_FORMATS:
        raise ValueError(f"unknown checkpoint_format {fmt!r}; known: {sorted(CHECKPOINT_FORMATS)}.")
    converter = CHECKPOINT_FORMATS[fmt]
    return dict(state_dict) if converter is None else converter(state_dict, model)
