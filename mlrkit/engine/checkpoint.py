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
  scalars, ``collections.Counter``) are allow-listed with ``torch.serialization.add_safe_globals``;
* every checkpoint the Runner reads (``load_from``, ``--resume``) goes through
  :func:`load_checkpoint_file`, which passes ``weights_only=True`` explicitly, so
  ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` cannot switch it off (mmengine's own local loader calls
  ``torch.load`` without the argument); remote schemes (``http://``, ``s3://``, ...) are refused;
* checkpoints are saved atomically (a temporary file, then a rename): a full disk leaves the
  checkpoints written before intact and gives :class:`CheckpointSaveError`, one line; a new
  best checkpoint is written before the previous best is removed
  (:func:`~mlrkit.engine.best_checkpoint.save_best_first`, installed in mmengine's
  ``CheckpointHook``), so a full disk keeps the previous best;
* the ``last_checkpoint`` pointer holds a path relative to the work dir, so a moved or copied
  work dir resumes from its own checkpoints (:func:`resolve_last_checkpoint`).

:func:`allow_mmengine_checkpoints` does all of it and is idempotent; importing
``mlrkit.engine`` calls it.
"""

from __future__ import annotations

import codecs
import collections
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.optim.scheduler.param_scheduler import _ParamScheduler

__all__ = [
    "CheckpointLoadError",
    "CheckpointSaveError",
    "allow_mmengine_checkpoints",
    "check_state_dict",
    "checkpoint_state",
    "load_checkpoint_file",
    "resolve_last_checkpoint",
    "relativize_last_checkpoint",
]

POINTER = "last_checkpoint"
REMOTE_SCHEMES = (
    "http://",
    "https://",
    "pavi://",
    "modelzoo://",
    "torchvision://",
    "open-mmlab://",
    "openmmlab://",
    "mmcls://",
    r"(\S+\:)?s3://",
    r"(\S+\:)?petrel://",
)


class CheckpointLoadError(ValueError):
    """A checkpoint cannot be loaded: unsafe (not weights-only), damaged, or remote."""


class CheckpointSaveError(OSError):
    """A checkpoint could not be written (e.g. the disk is full); earlier ones are intact."""


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


def _local_loader(filename: str, map_location=None) -> dict:
    return load_checkpoint_file(filename, map_location=map_location or "cpu")


def _remote_loader(filename: str, map_location=None) -> dict:
    raise CheckpointLoadError(
        f"checkpoint {filename}: mlrkit loads checkpoints from local files only (nothing is "
        "downloaded at run time); download it yourself and pass its path."
    )


def _save_checkpoint(checkpoint: dict, filename, file_client_args=None, backend_args=None):
    """mmengine's ``save_checkpoint`` for local files, atomic and with a one-line error."""
    path = Path(filename)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            torch.save(checkpoint, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        last = resolve_last_checkpoint(path.parent)
        kept = f"the last good checkpoint is {last}" if last else "no earlier checkpoint exists"
        raise CheckpointSaveError(
            err.errno,
            f"could not write checkpoint {path}: {err.strerror or err}; {kept} (nothing already "
            "written was lost). Free space (or fix the folder) and resume with "
            "`mlrkit train CONFIG --resume`",
        ) from err


def _find_latest_checkpoint(path: str) -> str | None:
    found = resolve_last_checkpoint(path)
    return None if found is None else str(found)


def allow_mmengine_checkpoints() -> None:
    """Make mmengine checkpoints load with weights_only, save atomically (the best one before
    the previous best goes), resume from moved work dirs (see the module docstring)."""
    global _done
    if _done:
        return
    import mmengine.runner.runner as mm_runner
    from mmengine.hooks import CheckpointHook
    from mmengine.runner.checkpoint import CheckpointLoader

    from mlrkit.engine.best_checkpoint import save_best_first

    CheckpointLoader.register_scheme(prefixes="", loader=_local_loader, force=True)
    CheckpointLoader.register_scheme(prefixes=REMOTE_SCHEMES, loader=_remote_loader, force=True)
    mm_runner.save_checkpoint = _save_checkpoint
    mm_runner.find_latest_checkpoint = _find_latest_checkpoint
    CheckpointHook._save_best_checkpoint = save_best_first
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

    ``weights_only=True`` is passed explicitly, so ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` has no
    effect here.

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointLoadError: the file holds objects outside the allow-list (a pickle payload, or
            a checkpoint written by mmengine without mlrkit loaded, which pickles bound
            methods), or it is damaged (truncated, not a checkpoint).
    """
    allow_mmengine_checkpoints()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:  # the weights-only unpickler refused something
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointLoadError(
            f"checkpoint {path} cannot be loaded safely (weights_only=True): {first}. mlrkit "
            "only loads plain tensors and mmengine's logging state; re-save the weights with "
            "`torch.save(model.state_dict(), path)` from a trusted session."
        ) from err
    except Exception as err:  # torch raises RuntimeError / EOFError / ... with long text
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointLoadError(
            f"checkpoint {path} is damaged (truncated or not a checkpoint; {first}). Use an "
            f"earlier checkpoint of the run, e.g. `--resume {path.parent}/epoch_N.pth`."
        ) from err


def checkpoint_state(checkpoint: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict]:
    """The state dict and the ``meta`` dict of a checkpoint, loaded with ``weights_only=True``.

    Args:
        checkpoint: an mmengine checkpoint (``{"meta", "state_dict", ...}``) or a bare state
            dict.

    Returns:
        (state dict, meta); meta is empty for a bare state dict.

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointLoadError: the file cannot be loaded safely or holds no tensors.
    """
    payload = load_checkpoint_file(checkpoint)
    if not isinstance(payload, dict):
        raise CheckpointLoadError(
            f"checkpoint {str(checkpoint)!r} holds a {type(payload).__name__}, not a state dict "
            "or an mmengine checkpoint."
        )
    state = payload.get("state_dict", payload)
    meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
    if not isinstance(state, dict) or not any(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointLoadError(
            f"checkpoint {str(checkpoint)!r} holds no model weights (no tensors)."
        )
    return state, meta


def check_state_dict(
    model: torch.nn.Module, state: dict[str, torch.Tensor], checkpoint: str, config: str
) -> None:
    """Raise a ValueError listing what differs when ``state`` does not fit ``model`` exactly.

    Used by every command that loads a checkpoint into a model (``mlrkit test``, ``cam``).

    Raises:
        ValueError: naming missing keys, unexpected keys and shape mismatches (a few each).
    """
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    mismatched = [
        f"{k} {tuple(state[k].shape)} vs {tuple(own[k].shape)}"
        for k in own
        if k in state and tuple(state[k].shape) != tuple(own[k].shape)
    ]
    if not (missing or unexpected or mismatched):
        return
    parts = []
    for what, keys in (
        ("missing from the checkpoint", missing),
        ("in the checkpoint but not in the model", unexpected),
        ("of different shape (checkpoint vs model)", mismatched),
    ):
        if keys:
            more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
            parts.append(f"{len(keys)} {what}: {', '.join(keys[:3])}{more}")
    raise ValueError(
        f"checkpoint {checkpoint!r} does not match the model of config {config!r}: "
        f"{'; '.join(parts)}. Pass the config the checkpoint was trained with (its work dir "
        "holds a copy)."
    )


def resolve_last_checkpoint(work_dir: str | os.PathLike) -> Path | None:
    """The checkpoint ``work_dir/last_checkpoint`` points to, as a path inside ``work_dir``.

    The pointer holds a name relative to the work dir (see
    :func:`relativize_last_checkpoint`). An absolute pointer (written by mmengine, or by an
    older mlrkit) is read by its file name inside ``work_dir``: a moved work dir finds its
    checkpoints, and a copied one never resumes from the original's.

    Returns:
        the checkpoint path, or None when there is no pointer.

    Raises:
        FileNotFoundError: the pointer names a checkpoint that is not in ``work_dir``.
    """
    work_dir = Path(work_dir)
    pointer = work_dir / POINTER
    if not pointer.is_file():
        return None
    text = pointer.read_text().strip()
    if not text:
        return None
    named = Path(text)
    inside = work_dir / named.name if named.is_absolute() else work_dir / named
    if inside.is_file():
        return inside
    raise FileNotFoundError(
        f"{pointer} names checkpoint {text}, which is not in {work_dir}; resume from a "
        f"checkpoint of this work dir with `--resume {work_dir}/epoch_N.pth`, or delete "
        f"{pointer} to train from scratch"
    )


def relativize_last_checkpoint(work_dir: str | os.PathLike) -> None:
    """Rewrite an absolute ``last_checkpoint`` pointer inside ``work_dir`` as a relative one."""
    pointer = Path(work_dir) / POINTER
    try:
        text = pointer.read_text().strip()
    except OSError:
        return
    named = Path(text)
    if not text or not named.is_absolute():
        return
    try:
        relative = named.resolve().relative_to(Path(work_dir).resolve())
    except ValueError:  # outside the work dir: leave it, resolve_last_checkpoint refuses it
        return
    tmp = pointer.with_name(f".{POINTER}.{os.getpid()}.tmp")
    tmp.write_text(str(relative))
    os.replace(tmp, pointer)
