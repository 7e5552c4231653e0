"""The ``mlrkit`` command line: ``mlrkit list [KIND]``, ``mlrkit --version``.

Each verb lives in a module of its own in :mod:`mlrkit.commands` that provides
``add_parser(subparsers)``; this file finds them, loads plugins and turns expected errors into
one-line messages.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

import mlrkit

# Errors that bad input raises (with a message naming the thing and the fix): printed as one
# line, with the traceback only under --debug (or MLRKIT_DEBUG=1). Anything else is a bug and
# keeps its traceback.
EXPECTED_ERRORS = (
    OSError,  # missing, unreadable or undecodable files, a full disk, permissions
    ValueError,
    KeyError,
    ImportError,
    SyntaxError,
    RecursionError,
    FloatingPointError,
)


def one_line(err: BaseException) -> str:
    """An exception's message on one line.

    A ``KeyError`` keeps its text unquoted; an error re-raised from a DataLoader worker keeps
    the original error's last line (not the worker's traceback).
    """
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    if "Original Traceback" in text:
        lines = [line for line in text.splitlines() if line.strip()]
        text = lines[-1] if lines else text
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return text or type(err).__name__


def _one_line_warnings(*categories: type[Warning]) -> None:
    """Show warnings of these categories as one ``mlrkit: warning: ...`` line on stderr."""
    import warnings

    default = warnings.showwarning
    if getattr(default, "mlrkit_one_line", False):
        return  # already installed in this process

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, categories):
            print(f"mlrkit: warning: {message}", file=file or sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    show.mlrkit_one_line = True
    warnings.showwarning = show


def verb_modules() -> list[str]:
    """The modules of :mod:`mlrkit.commands`, one verb each (``mlrkit <verb>``)."""
    import pkgutil

    import mlrkit.commands

    return [
        f"mlrkit.commands.{m.name}"
        for m in pkgutil.iter_modules(mlrkit.commands.__path__)
        if not m.name.startswith("_")
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlrkit",
        description="Multi-label image recognition research toolkit.",
    )
    parser.add_argument("--version", action="version", version=f"mlrkit {mlrkit.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in verb_modules():
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    import warnings

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["predict"] and any(a == "--onnx" or a.startswith("--onnx=") for a in argv):
        # the exported model runs without torch: go there before any verb imports it
        from mlrkit.inference.onnx_predictor import main as onnx_predict

        return onnx_predict(argv[1:], prog="mlrkit predict")

    # torch-geometric calls torch.jit.script at import (deprecated since torch 2.10): not ours
    warnings.filterwarnings(
        "ignore", message="`torch.jit.script` is deprecated", category=FutureWarning
    )

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if getattr(args, "before_plugins", None) is not None:
        args.before_plugins(args)
    from mlrkit.bench import BenchResultWarning
    from mlrkit.plugins import PluginWarning, load_plugins

    _one_line_warnings(PluginWarning, BenchResultWarning)
    load_plugins()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("mlrkit: interrupted", file=sys.stderr)
        return 130
    except EXPECTED_ERRORS as err:
        if getattr(args, "debug", False) or os.environ.get("MLRKIT_DEBUG"):
            raise
        print(f"mlrkit {args.command}: error: {one_line(err)}", file=sys.stderr)
        return 1


def run() -> None:
    """The ``mlrkit`` command: :func:`main`, then exit without the interpreter's last garbage
    collection (0.5-4 s over the objects torch, mmengine and matplotlib made; everything of
    ours is written and closed by then)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
