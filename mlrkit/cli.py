"""The ``mlrkit`` command line: ``mlrkit list [KIND]``, ``mlrkit --version``.

Each verb lives in a module of its own that provides ``add_parser(subparsers)``; this file
only wires them together, loads plugins and turns expected errors into one-line messages.
"""

from __future__ import annotations

import argparse
import importlib
import sys

import mlrkit

# Modules that each add one verb. A verb is listed here only once it works end to end.
VERBS = ["mlrkit.commands.list", "mlrkit.commands.train", "mlrkit.commands.test"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlrkit",
        description="Multi-label image recognition research toolkit.",
    )
    parser.add_argument("--version", action="version", version=f"mlrkit {mlrkit.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in VERBS:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
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
    except (FileNotFoundError, ValueError, KeyError) as err:
        if getattr(args, "debug", False):
            raise
        print(f"mlrkit {args.command}: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
