"""Progress of a bench: a rich display on a terminal, plain lines otherwise (logs, CI).

The rich display has one bar across runs and one per running run, fed by the progress files
the workers write (:class:`~mlrkit.bench.progress_hook.BenchProgressHook`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from mlrkit.bench.results import RunResult

__all__ = ["PlainDisplay", "RichDisplay", "make_display"]


def _summary(result: RunResult | None) -> str:
    if not result:
        return ""
    if result.ok:
        mAP = result.metric("mAP")
        return f"mAP {mAP:.1f}" if mAP is not None else "ok"
    return f"FAILED: {str(result.error or '?').splitlines()[0][:160]}"


class PlainDisplay:
    """One line per event on a text stream (stderr by default)."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr

    def message(self, text: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=self.stream, flush=True)

    def start(self, run: str, detail: str = "") -> None:
        self.message(f"start {run}" + (f" ({detail})" if detail else ""))

    def update(self, run: str, progress: Mapping[str, Any] | None) -> None:
        pass  # plain output stays short: start and finish lines only

    def finish(self, run: str, result: RunResult | None, seconds: float) -> None:
        self.done += 1
        self.message(f"[{self.done}/{self.total}] {run}: {_summary(result)} ({seconds:.0f} s)")

    def close(self) -> None:
        pass


class RichDisplay:
    """An overall bar (runs finished of runs to do) and one bar per running run."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        from rich import progress as bars
        from rich.console import Console

        self.console = Console(file=stream or sys.stderr)
        self.progress = bars.Progress(
            bars.TextColumn("{task.description}"),
            bars.BarColumn(),
            bars.MofNCompleteColumn(),
            bars.TextColumn("{task.fields[phase]}"),
            bars.TimeElapsedColumn(),
            console=self.console,
        )
        self.overall = self.progress.add_task("bench", total=total, phase="runs")
        self.tasks: dict[str, Any] = {}
        self.progress.start()

    def message(self, text: str) -> None:
        self.progress.console.print(text)

    def start(self, run: str, detail: str = "") -> None:
        self.tasks[run] = self.progress.add_task(f"  {run}", total=None, phase="starting")

    def update(self, run: str, progress: Mapping[str, Any] | None) -> None:
        task = self.tasks.get(run)
        if task is None or not progress:
            return
        phase = progress.get("phase", "")
        if phase == "done":  # the result is being written: keep the bar full
            total = next((t.total for t in self.progress.tasks if t.id == task), None)
            self.progress.update(task, completed=total or 0, phase="done")
            return
        label = phase
        if phase == "train" and progress.get("max_epochs"):
            label = f"train epoch {progress.get('epoch', 0)}/{progress['max_epochs']}"
        total, completed = progress.get("max_iters"), progress.get("iter", 0)
        self.progress.update(task, total=total, completed=completed, phase=label)

    def finish(self, run: str, result: RunResult | None, seconds: float) -> None:
        task = self.tasks.pop(run, None)
        if task is not None:
            self.progress.remove_task(task)
        self.progress.advance(self.overall)
        self.progress.console.print(f"{run}: {_summary(result)} ({seconds:.0f} s)")

    def close(self) -> None:
        self.progress.stop()


def make_display(total: int, stream: TextIO | None = None, rich: bool | None = None):
    """A :class:`RichDisplay` on a terminal, else a :class:`PlainDisplay`."""
    stream = stream or sys.stderr
    rich = stream.isatty() if rich is None else rich
    return RichDisplay(total, stream) if rich else PlainDisplay(total, stream)
