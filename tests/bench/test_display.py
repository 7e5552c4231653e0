"""Progress output: rich bars on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from mlrkit.bench.display import PlainDisplay, RichDisplay, make_display


def events(display) -> None:
    display.message("bench t: 2 run(s) to do")
    display.start("a__seed0", "slot 0")
    display.update("a__seed0", {"phase": "train", "epoch": 1, "max_epochs": 2, "iter": 3,
                                "max_iters": 6})  # fmt: skip
    display.update("a__seed0", {"phase": "test", "iter": 1, "max_iters": 2})
    display.update("a__seed0", None)  # no progress file yet
    display.finish("a__seed0", {"status": "ok", "metrics": {"mAP": 81.25}}, 12.0)
    display.start("b__seed0")
    display.finish("b__seed0", {"status": "failed", "error": "ValueError: bad\nmore"}, 3.0)
    display.close()


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
    task = display.progress.tasks[display.tasks["a__seed0"]]
    assert (task.completed, task.total, task.fields["phase"]) == (3, 6, "train epoch 1/2")
    display.update("a__seed0", {"phase": "done"})
    task = display.progress.tasks[display.tasks["a__seed0"]]
    assert (task.completed, task.total, task.fields["phase"]) == (6, 6, "done")
    display.finish("a__seed0", {"status": "ok", "metrics": {"mAP": 81.25}}, 12.0)
    assert "a__seed0" not in display.tasks
    assert display.progress.tasks[display.overall].completed == 1
    events(display)
    assert "a__seed0: mAP 81.2 (12 s)" in stream.getvalue()
