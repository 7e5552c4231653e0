"""Progress output: rich bars on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from mlrkit.bench.display import PlainDisplay, RichDisplay, make_display
from mlrkit.bench.results import RunResult


def events(display) -> None:
    display.message("bench t: 2 run(s) to do")
    display.start("a__seed0", "slot 0")
    display.update("a__seed0", {"phase": "train", "epoch": 1, "max_epochs": 2, "iter": 3,
                                "max_iters": 6})  # fmt: skip
    display.update("a__seed0", {"phase": "test", "iter": 1, "max_iters": 2})
    display.update("a__seed0", None)  # no progress file yet
    display.finish("a__seed0", RunResult("ok", metrics={"mAP": 81.25}), 12.0)
    display.start("b__seed0")
    display.finish("b__seed0", RunResult("failed", error="ValueError: bad\nmore"), 3.0)
    display.close()


def bar(display, run):
    return next(t for t in display.progress.tasks if t.id == display.tasks[run])


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    display = make_display(2, stream)
    assert isinstance(display, PlainDisplay)
    events(display)
    lines = [line.split("] ", 1)[1] for line in stream.getvalue().splitlines()]
    assert lines == [
        "bench t: 2 run(s) to do",
        "start a__seed0 (slot 0)",
        "[1/2] a__seed0: mAP 81.2 (12 s)",
        "start b__seed0",
        "[2/2] b__seed0: FAILED: ValueError: bad (3 s)",
    ]


def test_rich_bars_follow_the_runs():
    stream = io.StringIO()
    display = make_display(2, stream, rich=True)
    assert isinstance(display, RichDisplay)
    display.start("a__seed0")
    display.update("a__seed0", {"phase": "train", "epoch": 1, "max_epochs": 2, "iter": 3,
                                "max_iters": 6})  # fmt: skip
    task = bar(display, "a__seed0")
    assert (task.completed, task.total, task.fields["phase"]) == (3, 6, "train epoch 1/2")
    display.update("a__seed0", {"phase": "done"})
    task = bar(display, "a__seed0")
    assert (task.completed, task.total, task.fields["phase"]) == (6, 6, "done")
    display.finish("a__seed0", RunResult("ok", metrics={"mAP": 81.25}), 12.0)
    assert "a__seed0" not in display.tasks
    assert next(t for t in display.progress.tasks if t.id == display.overall).completed == 1
    display.start("b__seed0")  # a bar added after one was removed
    display.update("b__seed0", {"phase": "train", "iter": 1, "max_iters": 4})
    display.update("b__seed0", {"phase": "done"})
    assert (bar(display, "b__seed0").completed, bar(display, "b__seed0").total) == (4, 4)
    display.finish("b__seed0", None, 1.0)
    events(display)
    assert "a__seed0: mAP 81.2 (12 s)" in stream.getvalue()
