"""Checkpoints that load with ``torch.load(..., weights_only=True)``.

mmengine 0.10 saves its message hub (``HistoryBuffer`` objects holding numpy arrays and, by
default, bound methods fetched with ``getattr``) inside every checkpoint, so resuming under
torch >= 2.6 (``weights_only=True`` by default) fails. We never switch ``weights_only`` off.
Instead:

* ``HistoryBuffer`` pickles without its statistics methods (they are class-level and
  re-registered on import), and parameter schedulers save their state without callables
  (e.g. ``OneCycleLR``'s ``anneal_func``: the scheduler rebuilt from the config on resume
  already has it), so no ``getattr`` global is ever written;
* the few plain-data classes mmengine writes (``HistoryBuffer``, numpy arrays, dtypes and
  scalars, ``collections.Counter``) are allow-listed with ``torch.serialization.add_safe_globals``.

:func:`allow_mmengine_checkpoints` does both and is idempotent; importing ``mlrkit.engine``
calls it.
"""

from __future__ import annotations

import codecs
import collections
from pathlib import Path
from typing import Any

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.optim.scheduler.param_scheduler import _ParamScheduler

__all__ = ["allow_mmengine_checkpoints", "load_checkpoint_file"]

_done = False


def _history_buffer_getstate(self: HistoryBuffer) -> dict:
    # mmengine's own __getstate__ adds bound methods (pickled via getattr); leave them out.
    state = dict(self.__dict__)
    state.pop("statistics_methods", None)
    return state


def _scheduler_state_dict(self) -> dict:
    # mmengine keeps every attribute but the optimizer, bound methods included; callables are
    # configuration, rebuilt from the config on resume, so they are left out.
    return {
        key: value
        for key, value in self.__dict__.items()
        if key != "optimizer" and not callable(value)
    }


def _safe_numpy_globals() -> list[Any]:
    classes: list[Any] = [
        np.ndarray,
        np.dtype,
        np._core.multiarray._reconstruct,
        np._core.multiarray.scalar,
    ]
    classes += [getattr(np.dtypes, name) for name in dir(np.dtypes) if name.endswith("DType")]
    return classes


def allow_mmengine_checkpoints() -> None:
    """Make mmengine checkpoints (ours and the Runner's resume files) load with weights_only."""
    global _done
    if _done:
        return
    HistoryBuffer.__getstate__ = _history_buffer_getstate
    _ParamScheduler.state_dict = _scheduler_state_dict
    torch.serialization.add_safe_globals(
        [
            HistoryBuffer,
            collections.Counter,
            collections.OrderedDict,
            codecs.encode,
            *_safe_numpy_globals(),
        ]
    )
    _done = True


def load_checkpoint_file(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """``torch.load`` a checkpoint with ``weights_only=True``, with errors that say what to do.

    Raises:
        FileNotFoundError: the file does not exist.
        RuntimeError: the file holds objects outside the allow-list (e.g. a checkpoint written
            by mmengine without mlrkit loaded, which pickles bound methods).
    """
    allow_mmengine_checkpoints()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError / RuntimeError with long text
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise RuntimeError(
            f"checkpoint {path} cannot be loaded safely (weights_only=True): {first}. mlrkit "
            "only loads plain tensors and mmengine's logging state; re-save the weights with "
            "`torch.save(model.state_dict(), path)` from a trusted session."
        ) from err
