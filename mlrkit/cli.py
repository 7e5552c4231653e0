"""The ``mlrkit`` command line: ``mlrkit list [KIND]``, ``mlrkit --version``.

Each verb lives in a module of its own in :mod:`mlrkit.commands` that provides
``add_parser(subparsers)``; this file finds them, loads plugins and turns expected errors into
one-line messages.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

import mlrkit


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

    # torch-geometric calls torch.jit.script at import (deprecated since torch 2.10): not ours
    warnings.filterwarnings(
        "ignore", message="`torch.jit.script` is deprecated", category=FutureWarning
    )
    from mlrkit.plugins import load_plugins

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    load_plugins()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("mlrkit: interrupted", file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError, KeyError, FloatingPointError) as err:
        if getattr(args, "debug", False) or os.environ.get("MLRKIT_DEBUG"):
            raise
        print(f"mlrkit {args.command}: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
