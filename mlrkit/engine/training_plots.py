"""Pictures of a training run: ``curves.png`` and ``per_class_ap.png`` in the work dir.

``TrainingPlotsHook`` (added to every ``mlrkit train`` run) records per epoch the mean training
loss, the learning rate at the end of the epoch (the first parameter group's) and the
validation mAP, and the per-class AP of the latest validation. After every validation and at
the end of training it writes, on the main process:

- ``curves.json``: the numbers (``epochs``: one dict per epoch; ``per_class_ap``);
- ``curves.png``: train loss, lr and val mAP against the epoch (matplotlib);
- ``per_class_ap.png``: the latest per-class AP as a bar chart, sorted from best to worst.

A resumed run keeps the epochs of ``curves.json`` up to the one it resumes from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from mlrkit.registry import HOOKS

__all__ = ["TrainingPlotsHook", "new_figure", "plot_curves", "plot_per_class_ap"]


def new_figure(width: float, height: float):
    """``(pyplot, figure)`` of that size in inches, on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt, plt.figure(figsize=(width, height))


def plot_curves(epochs: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Train loss, lr and val mAP against the epoch, side by side, as a PNG.

    Args:
        epochs: one dict per epoch with ``epoch`` and any of ``loss``, ``lr``, ``mAP``.
        path: the PNG to write.
    """
    from matplotlib.ticker import MaxNLocator

    plt, fig = new_figure(12, 3.4)
    panels = (
        ("loss", "train loss", False),
        ("lr", "learning rate", True),
        ("mAP", "val mAP", False),
    )
    for i, (key, title, log) in enumerate(panels, start=1):
        ax = fig.add_subplot(1, 3, i)
        points = [(e["epoch"], e[key]) for e in epochs if e.get(key) is not None]
        if points:
            xs, ys = zip(*points)
            ax.plot(xs, ys, marker="o", markersize=3)
            if log and all(y > 0 for y in ys):
                ax.set_yscale("log")
        else:
            ax.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_per_class_ap(ap: Mapping[str, float], path: str | Path, title: str = "") -> Path:
    """Per-class AP as a horizontal bar chart, best class on top, as a PNG.

    Args:
        ap: class name -> AP in percent.
        path: the PNG to write.
        title: the chart's title.
    """
    ranked = sorted(ap.items(), key=lambda item: item[1], reverse=True)
    plt, fig = new_figure(7, max(2.5, 0.22 * len(ranked) + 1))
    ax = fig.add_subplot(1, 1, 1)
    names = [name for name, _ in ranked][::-1]
    values = [value for _, value in ranked][::-1]
    ax.barh(range(len(values)), values, color="tab:blue")
    ax.set_yticks(range(len(values)), names, fontsize=8 if len(values) <= 40 else 5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("AP (%)")
    ax.set_title(title or "per-class AP")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _metric(metrics: Mapping[str, Any], name: str) -> float | None:
    for key, value in metrics.items():
        if key == name or key.endswith("/" + name):
            return float(value)
    return None


@HOOKS.register_module()
class TrainingPlotsHook(Hook):
    """Write ``curves.json``, ``curves.png`` and ``per_class_ap.png`` into the work dir.

    Args:
        out_dir: where to write them (default: the run's work dir).
    """

    priority = "LOW"

    def __init__(self, out_dir: str | None = None) -> None:
        self.out_dir = out_dir
        self.epochs: list[dict[str, Any]] = []
        self.per_class_ap: dict[str, float] = {}
        self._loss_sum = 0.0
        self._loss_count = 0
        self._written: str | None = None  # curves.json as last written

    def _dir(self, runner) -> Path:
        return Path(self.out_dir or runner.work_dir)

    def _entry(self, epoch: int) -> dict[str, Any]:
        for entry in self.epochs:
            if entry["epoch"] == epoch:
                return entry
        self.epochs.append({"epoch": epoch})
        self.epochs.sort(key=lambda e: e["epoch"])
        return self._entry(epoch)

    def before_train(self, runner) -> None:
        saved = self._dir(runner) / "curves.json"
        if runner.epoch > 0 and saved.is_file():  # resumed: keep the history up to here
            try:
                data = json.loads(saved.read_text())
                self.epochs = [e for e in data.get("epochs", []) if e["epoch"] <= runner.epoch]
            except (ValueError, KeyError, TypeError):
                self.epochs = []

    def before_train_epoch(self, runner) -> None:
        self._loss_sum, self._loss_count = 0.0, 0

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        loss = (outputs or {}).get("loss")
        if loss is None:
            return
        value = float(loss.detach()) if hasattr(loss, "detach") else float(loss)
        if math.isfinite(value):
            self._loss_sum += value
            self._loss_count += 1

    def after_train_epoch(self, runner) -> None:
        entry = self._entry(runner.epoch + 1)  # runner.epoch counts finished epochs after this
        if self._loss_count:
            entry["loss"] = self._loss_sum / self._loss_count
        lrs = runner.optim_wrapper.get_lr()
        first = next(iter(lrs.values()), None) if isinstance(lrs, dict) else None
        if first:
            entry["lr"] = float(first[0])

    def after_val_epoch(self, runner, metrics: Mapping[str, Any] | None = None) -> None:
        metrics = metrics or {}
        value = _metric(metrics, "mAP")
        if value is not None:
            self._entry(runner.epoch)["mAP"] = value
        per_class = {
            key.split("/AP/", 1)[1]: float(v) for key, v in metrics.items() if "/AP/" in key
        }
        if per_class:
            self.per_class_ap = per_class
            self._per_class_epoch = runner.epoch
        self._write(runner)

    def after_train(self, runner) -> None:
        self._write(runner)

    def _write(self, runner) -> None:
        if not is_main_process() or not self.epochs:
            return
        text = json.dumps({"epochs": self.epochs, "per_class_ap": self.per_class_ap}, indent=2)
        out = self._dir(runner)
        if text == self._written and (out / "curves.png").is_file():
            return  # nothing new since the last write (after_train after the last validation)
        out.mkdir(parents=True, exist_ok=True)
        (out / "curves.json").write_text(text)
        plot_curves(self.epochs, out / "curves.png")
        if self.per_class_ap:
            mean = sum(self.per_class_ap.values()) / len(self.per_class_ap)
            title = f"per-class AP, epoch {getattr(self, '_per_class_epoch', '?')} (mAP {mean:.1f})"
            plot_per_class_ap(self.per_class_ap, out / "per_class_ap.png", title)
        self._written = text
