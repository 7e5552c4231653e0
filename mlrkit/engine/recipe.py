"""Training recipes: what a schedule file switches on besides the optimizer and the schedule.

A schedule file (``configs/_base_/schedules/*.py``) sets ``optim_wrapper``, ``param_scheduler``
and ``train_cfg`` as mmengine expects. The parts of a recipe that live elsewhere in a config
(the loss sits in ``model``, the augmentations in the train dataset's ``pipeline``, the weight
average in ``custom_hooks``) cannot be set by a file that is inherited next to the model and
dataset files, so a schedule file declares them in one top-level dict, ``recipe``, and
:func:`apply_recipe` writes them into the config when a run starts (``prepare_config``)::

    recipe = dict(
        name="modern",                      # stated under every table made with it
        loss=dict(type=AsymmetricLoss, ...),  # replaces model.loss
        ema=dict(momentum=0.0003),          # mmengine's EMAHook with these arguments
        mixed_precision="auto",             # "auto" | "bfloat16" | "float16" | "float32"
        train_augment=[dict(type=RandAugment), dict(type=RandomErasing)],  # appended to the
    )                                       # train pipeline (after crop / flip)

So inheriting one schedule file is enough for any head, encoder or dataset config to train
under the whole recipe. Every key is optional; a config without ``recipe`` trains as written.
Keys can be overridden like any other (``--cfg-options recipe.ema.momentum=0.001``), and
``recipe.loss=None`` / ``recipe.ema=None`` / ``recipe.train_augment=[]`` turn one part off.

Mixed precision ``"auto"`` means: on a GPU, bfloat16 autocast where the GPU supports it,
float16 with dynamic loss scaling elsewhere (mmengine's ``AmpOptimWrapper``); on a CPU,
bfloat16 autocast (:class:`~mlrkit.engine.optim.CPUAutocastOptimWrapper`) where the CPU has
native bfloat16 instructions (AVX512-BF16 or AMX), float32 elsewhere (emulated bfloat16 is
slower than float32 there). The precision a run used is written to ``cfg.mixed_precision``.
"""

from __future__ import annotations

from typing import Any

import torch
from mmengine.config import Config, ConfigDict

__all__ = [
    "RECIPE_KEYS",
    "MIXED_PRECISIONS",
    "apply_recipe",
    "configure_mixed_precision",
    "cpu_has_native_bfloat16",
    "recipe_name",
]

RECIPE_KEYS = ("name", "loss", "ema", "mixed_precision", "train_augment")
MIXED_PRECISIONS = ("auto", "bfloat16", "float16", "float32")


def cpu_has_native_bfloat16() -> bool:
    """Whether this CPU computes in bfloat16 natively (AVX512-BF16 or AMX tiles)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    for name in checks:
        probe = getattr(torch.cpu, name, None)
        try:
            if probe is not None and probe():
                return True
        except RuntimeError:  # pragma: no cover - a torch build without the probe
            continue
    return False


def resolve_mixed_precision(mode: str | None, cuda: bool | None = None) -> str:
    """The dtype a run computes in under ``mode`` on this machine (see module docstring).

    Args:
        mode: one of :data:`MIXED_PRECISIONS` or None (float32).
        cuda: whether the run is on a GPU (default: ``torch.cuda.is_available()``).

    Returns:
        ``"bfloat16"``, ``"float16"`` or ``"float32"``.
    """
    if mode is None:
        return "float32"
    if mode not in MIXED_PRECISIONS:
        raise ValueError(f"recipe.mixed_precision must be one of {MIXED_PRECISIONS}, got {mode!r}")
    cuda = torch.cuda.is_available() if cuda is None else cuda
    if mode == "auto":
        if cuda:
            return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        return "bfloat16" if cpu_has_native_bfloat16() else "float32"
    if mode == "float16" and not cuda:
        raise ValueError(
            "recipe.mixed_precision='float16' needs a GPU; on a CPU use 'bfloat16' or 'auto'"
        )
    return mode


def configure_mixed_precision(cfg: Config, dtype: str, cuda: bool | None = None) -> None:
    """Set ``cfg.optim_wrapper`` up to compute in ``dtype`` (in place).

    float32 leaves the wrapper as it is; on a GPU the wrapper becomes mmengine's
    ``AmpOptimWrapper`` (dynamic loss scaling for float16), on a CPU
    ``CPUAutocastOptimWrapper`` (bfloat16 only). Records ``cfg.mixed_precision``.
    """
    cuda = torch.cuda.is_available() if cuda is None else cuda
    cfg.mixed_precision = dtype
    if dtype == "float32":
        return
    optim = cfg.optim_wrapper
    if cuda:
        optim.type = "AmpOptimWrapper"
        optim.dtype = dtype
        optim.setdefault("loss_scale", "dynamic")
    else:
        if dtype != "bfloat16":
            raise ValueError(f"mixed precision {dtype!r} is not available on a CPU; use bfloat16")
        optim.type = "CPUAutocastOptimWrapper"
        optim.dtype = dtype


def _type_name(node: Any) -> str | None:
    kind = node.get("type") if isinstance(node, (dict, ConfigDict)) else None
    return kind if isinstance(kind, str) or kind is None else getattr(kind, "__name__", None)


def recipe_name(cfg: Config | dict) -> str | None:
    """The ``recipe.name`` of a config (None when it declares no recipe)."""
    recipe = cfg.get("recipe") if hasattr(cfg, "get") else None
    if not recipe:
        return None
    return recipe.get("name")


def apply_recipe(cfg: Config) -> None:
    """Write ``cfg.recipe`` into the model, the train pipeline, the hooks and the optimizer.

    Idempotent: a config it has been applied to (``cfg.recipe_applied``) is left alone.

    Raises:
        ValueError: ``recipe`` has a key outside :data:`RECIPE_KEYS`, or a bad value.
    """
    recipe = cfg.get("recipe")
    if not recipe or cfg.get("recipe_applied"):
        return
    unknown = sorted(set(recipe) - set(RECIPE_KEYS))
    if unknown:
        raise ValueError(
            f"recipe has unknown key(s) {unknown}; a recipe may set {list(RECIPE_KEYS)}"
        )
    loss = recipe.get("loss")
    if loss:
        cfg.model.loss = loss
    augment = list(recipe.get("train_augment") or [])
    if augment:
        dataset = cfg.train_dataloader.dataset
        dataset.pipeline = list(dataset.get("pipeline") or []) + augment
    ema = recipe.get("ema")
    if ema:
        hooks = list(cfg.get("custom_hooks") or [])
        if "EMAHook" not in {_type_name(h) for h in hooks}:
            # NORMAL priority: the EMA weights are swapped in before validation and before the
            # checkpoint hook (VERY_LOW) saves, so they are what is validated and saved
            hooks.append(dict(type="EMAHook", **dict(ema)))
        cfg.custom_hooks = hooks
    mode = recipe.get("mixed_precision")
    if mode is not None:
        configure_mixed_precision(cfg, resolve_mixed_precision(mode))
    cfg.recipe_applied = True
