"""Optimizer wrappers mmengine lacks: mixed precision on the CPU."""

from __future__ import annotations

from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from mlrkit.registry import OPTIM_WRAPPERS

__all__ = ["CPUAutocastOptimWrapper"]


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward passes run under ``torch.autocast("cpu", bfloat16)``.

    mmengine's ``AmpOptimWrapper`` requires CUDA; ``mlrkit train --amp`` uses this wrapper on
    CPU-only machines. bfloat16 has float32's range, so no loss scaling is needed.
    """

    def __init__(self, *args, dtype: str = "bfloat16", **kwargs):
        super().__init__(*args, **kwargs)
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model), torch.autocast("cpu", dtype=self.cast_dtype):
            yield
