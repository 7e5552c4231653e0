"""The best checkpoint: the new one is written before the previous one is removed.

mmengine's ``CheckpointHook._save_best_checkpoint`` removes the previous best checkpoint and
only then writes the new one (a new file: ``best_<metric>_epoch_<N>.pth``). When that write
fails (a full disk), the run is left with no best checkpoint at all, although the selected
epoch had been saved. :func:`save_best_first` keeps mmengine's logic (which epoch is better,
the file names, the message hub's ``best_score`` / ``best_ckpt``, the re-save of the epoch
checkpoint) and changes the order only: the new best is written first (mlrkit writes every
checkpoint to a temporary file and renames it, :mod:`mlrkit.engine.checkpoint`), and the
previous best is removed once the new one is in place. A failed write leaves the previous best,
and the hook's and the message hub's record of it, as they were, and raises
:class:`~mlrkit.engine.checkpoint.CheckpointSaveError` in one line naming the file that could
not be written and the best checkpoint that was kept.

:func:`~mlrkit.engine.checkpoint.allow_mmengine_checkpoints` (called by every Runner mlrkit
builds) installs it as ``CheckpointHook._save_best_checkpoint``, so every config's checkpoint
hook gets it with the config unchanged (a subclass would change every resolved config, and so
every bench fingerprint, without changing any result).
"""

from __future__ import annotations

from pathlib import Path

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from mlrkit.engine.checkpoint import CheckpointSaveError, resolve_last_checkpoint

__all__ = ["MMENGINE_SAVE_BEST", "save_best_first"]

#: mmengine's own method (removes the previous best, then writes the new one).
MMENGINE_SAVE_BEST = CheckpointHook._save_best_checkpoint


def save_best_first(hook: CheckpointHook, runner, metrics: dict) -> None:
    """``CheckpointHook._save_best_checkpoint`` writing the new best before removing the old.

    Args:
        hook: the checkpoint hook (``save_best`` set, or nothing happens).
        runner: the Runner.
        metrics: the validation's figures.

    Raises:
        CheckpointSaveError: the new best checkpoint could not be written; the previous best is
            kept and named in the message (one line).
    """
    if not hook.save_best:
        return
    previous = _best_paths(hook)
    hub = runner.message_hub
    recorded = {k: v for k, v in hub.runtime_info.items() if k.startswith("best_")}
    _set_best_paths(hook, {})  # mmengine's method now finds no previous best to remove
    try:
        MMENGINE_SAVE_BEST(hook, runner, metrics)
    except OSError as err:
        written = {k: p for k, p in _best_paths(hook).items() if p != previous.get(k)}
        if any(Path(p).exists() for p in written.values()):
            raise  # the new best is in place; it is the epoch checkpoint's re-save that failed
        _set_best_paths(hook, previous)
        for key in [k for k in hub.runtime_info if k.startswith("best_")]:
            if key not in recorded:
                hub.runtime_info.pop(key)
        for key, value in recorded.items():
            hub.update_info(key, value)
        raise _save_error(err, written, previous, runner.work_dir) from err
    current = _best_paths(hook)
    for key, old in previous.items():
        new = current.get(key)
        if new is None:  # not better this time: the previous best stays the best
            _set_best_paths(hook, {**_best_paths(hook), key: old})
        elif new != old and is_main_process():
            if hook.file_backend.isfile(old):
                hook.file_backend.remove(old)
            elif hook.file_backend.isdir(old):  # checkpoints saved by deepspeed
                hook.file_backend.rmtree(old)
            else:
                continue
            runner.logger.info(f"The previous best checkpoint {old} is removed")


def _best_paths(hook: CheckpointHook) -> dict[str, str]:
    """{key indicator: its best checkpoint path} ("" is the key of a single indicator)."""
    if len(hook.key_indicators) == 1:
        path = getattr(hook, "best_ckpt_path", None)
        return {"": path} if path else {}
    return {k: p for k, p in (getattr(hook, "best_ckpt_path_dict", None) or {}).items() if p}


def _set_best_paths(hook: CheckpointHook, paths: dict[str, str]) -> None:
    if len(hook.key_indicators) == 1:
        hook.best_ckpt_path = paths.get("")
    else:
        hook.best_ckpt_path_dict = {k: paths.get(k) for k in hook.key_indicators}


def _save_error(
    err: OSError, written: dict[str, str], previous: dict[str, str], work_dir
) -> CheckpointSaveError:
    """One line: the best checkpoint not written, why, and what was kept."""
    cause = err.__cause__ if isinstance(err, CheckpointSaveError) and err.__cause__ else err
    reason = getattr(cause, "strerror", None) or str(cause)
    new = ", ".join(written.values()) or "(unknown)"
    if previous:
        kept = f"the previous best checkpoint {', '.join(previous.values())} is kept"
    else:
        try:
            last = resolve_last_checkpoint(work_dir)
        except OSError:
            last = None
        kept = "there was no best checkpoint yet" + (
            f"; the last good checkpoint is {last}" if last else ""
        )
    return CheckpointSaveError(
        err.errno,
        f"could not write the new best checkpoint {new}: {reason}; {kept} (nothing already "
        "written was lost). Free space (or fix the folder) and resume with "
        "`mlrkit train CONFIG --resume`",
    )
