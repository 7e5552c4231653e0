"""Model selection records: every validation's figures, and which checkpoint was selected.

:class:`ValHistoryHook` (added to every run) appends each validation's figures to
``<work dir>/val_history.json``; :func:`selection_record` reads which epoch the checkpoint
hook kept as best (``best_<metric>_epoch_<N>.pth``) and that epoch's val figures, so a result
can say what was selected, on which split, and with what val score.
:func:`selected_checkpoint` and :func:`last_checkpoint` find the two checkpoints of a work dir
that a run reports, and :func:`same_weights` tells whether they hold the same weights.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from mlrkit.engine.checkpoint import load_checkpoint_file, resolve_last_checkpoint
from mlrkit.registry import HOOKS

__all__ = [
    "ValHistoryHook",
    "checkpoint_epoch",
    "last_checkpoint",
    "read_val_history",
    "same_weights",
    "selected_checkpoint",
    "selection_record",
]

HISTORY_FILE = "val_history.json"
_EPOCH = re.compile(r"epoch_(\d+)\.pth$")
_ITER = re.compile(r"iter_(\d+)\.pth$")


def read_val_history(work_dir: str | Path) -> list[dict[str, Any]]:
    """The validations recorded in a work dir, oldest first ([] when none)."""
    try:
        return list(json.loads((Path(work_dir) / HISTORY_FILE).read_text()))
    except (OSError, ValueError):
        return []


@HOOKS.register_module()
class ValHistoryHook(Hook):
    """Append every validation's figures to ``<work dir>/val_history.json`` (main process).

    Each entry: ``{"epoch": e, "iter": i, "metrics": {name: value}}`` with the evaluator's
    names (``"multilabel/mAP"``, ...). A resumed run keeps the entries of the epochs before it.
    """

    priority = "LOW"

    def before_train(self, runner) -> None:
        if not is_main_process():
            return
        # a resumed run drops entries of epochs it is about to run again
        kept = [e for e in read_val_history(runner.work_dir) if e["iter"] <= runner.iter]
        self._write(runner, kept)

    def after_val_epoch(self, runner, metrics: dict[str, float] | None = None) -> None:
        if not is_main_process() or not metrics:
            return
        history = read_val_history(runner.work_dir)
        history.append(
            {
                "epoch": int(runner.epoch),
                "iter": int(runner.iter),
                "metrics": {k: float(v) for k, v in metrics.items()},
            }
        )
        self._write(runner, history)

    @staticmethod
    def _write(runner, history: list[dict[str, Any]]) -> None:
        from mlrkit.engine.experiment import write_json_atomic

        write_json_atomic(Path(runner.work_dir) / HISTORY_FILE, history)


def checkpoint_epoch(path: str | Path) -> tuple[str, int] | None:
    """``("epoch", N)`` or ``("iter", N)`` from a checkpoint's file name, None if neither."""
    name = Path(path).name
    for unit, pattern in (("epoch", _EPOCH), ("iter", _ITER)):
        match = pattern.search(name)
        if match:
            return unit, int(match.group(1))
    return None


def selection_record(
    work_dir: str | Path, checkpoint: str | Path, metric: str = "mAP"
) -> dict[str, Any]:
    """What was selected: the checkpoint's epoch (or iteration) and its val figure.

    Returns:
        ``{"checkpoint": name, "epoch": N or None, "iter": N or None, "val_<metric>": value
        or None}``; the val figure is the validation recorded at that epoch (iteration).
    """
    where = checkpoint_epoch(checkpoint)
    record: dict[str, Any] = {"checkpoint": Path(checkpoint).name, "epoch": None, "iter": None}
    value = None
    if where is not None:
        unit, number = where
        record[unit] = number
        for entry in read_val_history(work_dir):
            if entry.get(unit) == number:
                for key, figure in entry["metrics"].items():
                    if key.split("/", 1)[-1] == metric:
                        value = figure
    record[f"val_{metric}"] = value
    return record


def selected_checkpoint(work_dir: str | Path) -> Path:
    """The checkpoint the checkpoint hook kept as best (the newest), else the last one written.

    Raises:
        FileNotFoundError: the work dir holds no checkpoint (the config dropped
            ``default_hooks.checkpoint``).
    """
    work_dir = Path(work_dir)
    best = sorted(work_dir.glob("best_*.pth"), key=lambda p: p.stat().st_mtime)
    if best:
        return best[-1]
    last = resolve_last_checkpoint(work_dir)
    if last is not None:
        return last
    raise FileNotFoundError(
        f"training finished but {work_dir} holds no checkpoint; the config must keep "
        "default_hooks.checkpoint"
    )


def last_checkpoint(work_dir: str | Path) -> Path | None:
    """The checkpoint of the last epoch trained (the work dir's ``last_checkpoint`` pointer).

    Returns:
        its path, or None when there is no pointer or it names no checkpoint of the work dir.
    """
    try:
        last = resolve_last_checkpoint(work_dir)
    except FileNotFoundError:
        return None
    return last if last is not None and last.is_file() else None


def same_weights(first: str | Path, second: str | Path) -> bool:
    """Whether two checkpoints of a run hold the same epoch's weights (and EMA weights).

    The best checkpoint of the last epoch and that epoch's ``epoch_N.pth`` are written from
    the same weights (one after the validation, one before it): testing both would repeat a
    pass and give the same figures. Compared tensor by tensor, not trusted from the names.

    Raises:
        FileNotFoundError, CheckpointLoadError: from
            :func:`~mlrkit.engine.checkpoint.load_checkpoint_file`, for a checkpoint of that
            epoch that is missing or cannot be loaded.
    """
    first, second = Path(first), Path(second)
    if first.resolve() == second.resolve():
        return True
    where = checkpoint_epoch(first)
    if where is None or where != checkpoint_epoch(second):
        return False
    a, b = load_checkpoint_file(first), load_checkpoint_file(second)

    def equal(x: dict, y: dict) -> bool:  # state dicts: names -> tensors
        return x.keys() == y.keys() and all(
            x[k].shape == y[k].shape and x[k].dtype == y[k].dtype and x[k].equal(y[k]) for k in x
        )

    return all(equal(a.get(k) or {}, b.get(k) or {}) for k in ("state_dict", "ema_state_dict"))
