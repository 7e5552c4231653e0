"""TimmBackbone: any timm model by name, cut at one feature stage, weights from a local file."""

from __future__ import annotations

import difflib
import os
import pickle
from pathlib import Path
from typing import Any

import timm
from timm.models import load_state_dict
from torch import Tensor, nn

from mlrkit.checks import integer
from mlrkit.registry import BACKBONES

from .checkpoint_formats import CHECKPOINT_FORMATS, convert_state_dict

__all__ = ["TimmBackbone"]

# Arguments TimmBackbone sets itself; passing them through timm_kwargs would fight it.
_RESERVED = ("pretrained", "pretrained_cfg_overlay", "features_only", "out_indices", "num_classes")


@BACKBONES.register_module()
class TimmBackbone(nn.Module):
    """A timm model returning the feature map of one stage (default: the last).

    Built with ``timm.create_model(model_name)``; the feature map comes from timm's unified
    ``forward_intermediates`` after ``prune_intermediate_layers`` has removed every layer
    after the chosen stage (and the classifier), so a network cut early also loses the
    parameters it does not use. Models without that API fall back to
    ``features_only=True, out_indices=(out_index,)``.

    Weights come only from a local file, never from a hub: ``pretrained_file=None`` builds
    random weights; a path is loaded with ``pretrained=True,
    pretrained_cfg_overlay=dict(file=path)`` into the full model, strictly (a file whose keys
    do not match fails instead of loading nothing), before pruning. A file in another
    layout is converted first (``checkpoint_format``, see
    :data:`~mlrkit.backbones.checkpoint_formats.CHECKPOINT_FORMATS`) and loaded strictly with
    ``load_state_dict``.

    Args:
        model_name: any name of ``timm.list_models()``, e.g. ``"resnet101"``.
        pretrained_file: a local weight file (.pth, .bin or .safetensors), or None.
        out_index: which entry of the model's ``feature_info`` (its stages, stem first) to
            return; negative counts from the end. E.g. ``resnet18`` with ``out_index=2``
            returns ``layer2`` (128 channels, stride 8), a cheap CPU backbone for 64 px inputs.
        frozen_stages: freeze the stem and the first stages up to ``feature_info[n - 1]``
            (parameters without gradient, BatchNorm statistics kept): 0 freezes nothing.
        checkpoint_format: layout of ``pretrained_file``: ``"timm"`` or
            ``"efficientnet_pytorch"`` (lukemelas/EfficientNet-PyTorch keys).
        **timm_kwargs: passed to ``timm.create_model`` (e.g. ``drop_path_rate``).

    Attributes:
        num_features: channels D of the returned map.
        pretrained_mean, pretrained_std: the normalisation the weights expect (0-1 scale),
            from the model's ``pretrained_cfg``.

    Shapes:
        - x: (B, 3, S, S)
        - output: (B, D, S / r, S / r), r the stage's reduction (32 for ResNet's last stage)

    Raises:
        ValueError: an unknown model name, an ``out_index`` or ``frozen_stages`` out of range,
            or a reserved timm argument.
        FileNotFoundError: ``pretrained_file`` does not exist (there is no hub fallback).
    """

    def __init__(
        self,
        model_name: str,
        pretrained_file: str | os.PathLike | None = None,
        out_index: int = -1,
        frozen_stages: int = 0,
        checkpoint_format: str = "timm",
        **timm_kwargs: Any,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(model_name, str) or not timm.is_model(model_name):
            close = (
                difflib.get_close_matches(model_name, timm.list_models(), n=5, cutoff=0.7)
                if isinstance(model_name, str)
                else []
            )
            hint = f" Close names: {', '.join(close)}." if close else ""
            raise ValueError(
                f"{name}: {model_name!r} is not a timm model.{hint} "
                "`timm.list_models('*pattern*')` lists them."
            )
        reserved = sorted(set(timm_kwargs) & set(_RESERVED))
        if reserved:
            raise ValueError(
                f"{name}: {reserved} are set by {name} itself; use pretrained_file for weights "
                "and out_index for the stage."
            )
        if checkpoint_format not in CHECKPOINT_FORMATS:
            raise ValueError(
                f"{name}: checkpoint_format must be one of {sorted(CHECKPOINT_FORMATS)}, got "
                f"{checkpoint_format!r}."
            )
        path = None
        if pretrained_file is not None:
            path = Path(pretrained_file).expanduser()
            if not path.is_file():
                raise FileNotFoundError(
                    f"{name}: pretrained_file {str(path)!r} does not exist. Weights are only "
                    "read from a local file (no hub download); give the path of a .pth/.bin/"
                    ".safetensors file, or pretrained_file=None for random weights."
                )
        self.model_name = model_name
        self.model = self._create_checked(model_name, path, checkpoint_format, timm_kwargs)

        info = self._feature_info()
        integer(name, "out_index", out_index)
        if not -len(info) <= out_index < len(info):
            stages = ", ".join(
                f"{i}: {f['module']} ({f['num_chs']} ch)" for i, f in enumerate(info)
            )
            raise ValueError(
                f"{name}: out_index {out_index} is out of range for {model_name}, whose "
                f"{len(info)} stages are {stages}."
            )
        self.out_index = out_index % len(info)
        self.num_features: int = int(info[self.out_index]["num_chs"])
        self.reduction: int = int(info[self.out_index].get("reduction", 0))
        self._stage_modules = [f["module"] for f in info]
        if hasattr(self.model, "forward_intermediates"):
            self.model.prune_intermediate_layers([self.out_index], prune_norm=True)
            self._features_only = False
        else:  # an older timm model: its features_only wrapper, rebuilt at the chosen stage
            self.model = self._create_checked(
                model_name, path, checkpoint_format, timm_kwargs, features=self.out_index
            )
            self._features_only = True

        cfg = getattr(self.model, "pretrained_cfg", None) or {}
        self.pretrained_mean: tuple[float, ...] = tuple(cfg.get("mean", (0.485, 0.456, 0.406)))
        self.pretrained_std: tuple[float, ...] = tuple(cfg.get("std", (0.229, 0.224, 0.225)))

        integer(name, "frozen_stages", frozen_stages)
        if not 0 <= frozen_stages <= self.out_index + 1:
            raise ValueError(
                f"{name}: frozen_stages must be in [0, {self.out_index + 1}] (stages up to "
                f"out_index {self.out_index}), got {frozen_stages}."
            )
        self.frozen_stages = frozen_stages
        self._frozen: list[nn.Module] = self._freeze(frozen_stages)

    @classmethod
    def _create_checked(cls, model_name, path, fmt, timm_kwargs, features=None) -> nn.Module:
        """:meth:`_create`, with a refused or damaged weight file named in one line."""
        try:
            return cls._create(model_name, path, fmt, timm_kwargs, features=features)
        except (pickle.UnpicklingError, RuntimeError) as err:  # timm: weights_only=True
            refused = next(
                (e for e in (err, err.__cause__) if isinstance(e, pickle.UnpicklingError)), None
            )
            if refused is None:
                raise
            first = str(refused).strip().splitlines()[0].rstrip(".") if str(refused) else ""
            raise ValueError(
                f"TimmBackbone: pretrained_file {path} cannot be loaded safely "
                f"(weights_only=True): {first or 'refused'}. Re-save the weights with "
                "`torch.save(model.state_dict(), path)` from a trusted session, or use a "
                ".safetensors file."
            ) from err

    @staticmethod
    def _create(
        model_name: str,
        path: Path | None,
        fmt: str,
        timm_kwargs: dict[str, Any],
        features: int | None = None,
    ) -> nn.Module:
        extra: dict[str, Any] = {}
        if features is not None:
            extra = dict(features_only=True, out_indices=(features,))
        if path is None:
            return timm.create_model(model_name, pretrained=False, **extra, **timm_kwargs)
        if fmt == "timm":
            return timm.create_model(
                model_name,
                pretrained=True,
                pretrained_cfg_overlay=dict(file=str(path)),
                **extra,
                **timm_kwargs,
            )
        if features is not None:
            raise ValueError(
                f"TimmBackbone: checkpoint_format={fmt!r} needs a timm model with "
                f"forward_intermediates; {model_name} has none. Convert the file to timm's keys."
            )
        model = timm.create_model(model_name, pretrained=False, **timm_kwargs)
        state_dict = load_state_dict(str(path), weights_only=True)
        model.load_state_dict(convert_state_dict(state_dict, fmt, model), strict=True)
        return model

    def _feature_info(self) -> list[dict[str, Any]]:
        info = getattr(self.model, "feature_info", None)
        if hasattr(info, "info"):  # a FeatureInfo object of a features_only wrapper
            info = info.info
        if not info:
            raise ValueError(
                f"{type(self).__name__}: timm model {self.model_name!r} declares no "
                "feature_info, so its stages are unknown."
            )
        return list(info)

    def _freeze(self, stages: int) -> list[nn.Module]:
        """Freeze every module up to the end of stage ``stages - 1``; return them."""
        if stages == 0:
            return []
        boundary = self._stage_modules[stages - 1]
        names = [n for n, _ in self.model.named_modules()]
        candidates = (boundary, boundary.replace(".", "_"))  # features_only flattens names
        inside = [
            i
            for i, n in enumerate(names)
            if any(n == c or n.startswith(c + ".") for c in candidates)
        ]
        if not inside:
            raise ValueError(
                f"{type(self).__name__}: cannot find stage module {boundary!r} in "
                f"{self.model_name}, so frozen_stages is not supported for it."
            )
        frozen = [self.model.get_submodule(n) for n in names[1 : inside[-1] + 1]]
        for module in frozen:
            for param in module.parameters(recurse=False):
                param.requires_grad_(False)
        return frozen

    def train(self, mode: bool = True) -> TimmBackbone:
        super().train(mode)
        for module in self._frozen:  # frozen stages keep their normalisation statistics
            module.eval()
        return self

    def forward(self, x: Tensor) -> Tensor:
        if self._features_only:
            return self.model(x)[0]
        return self.model.forward_intermediates(
            x, indices=[self.out_index], intermediates_only=True, stop_early=True
        )[0]

    def extra_repr(self) -> str:
        return (
            f"model_name={self.model_name!r}, out_index={self.out_index}, "
            f"num_features={self.num_features}, frozen_stages={self.frozen_stages}"
        )
