"""The command-line options several ``mlrkit`` verbs share, defined once.

Each ``add_*`` function adds one option to a verb's parser with the name, type, default and
metavar every verb uses; a verb passes its own ``help`` where its wording differs (the
``--cfg-options`` example of ``train`` is not that of ``test``). The module is imported when
the parser is built, so it stays light: no torch (``mlrkit --help`` and ``mlrkit list`` must
not load it).
"""

from __future__ import annotations

import argparse

from mmengine.config import DictAction

__all__ = [
    "LAUNCHERS",
    "add_cfg_options",
    "add_checkpoint",
    "add_debug",
    "add_device",
    "add_launcher",
    "add_trained_config",
    "add_work_dir",
]

#: ``--launcher`` values: no launcher, ``torchrun``, ``srun``.
LAUNCHERS = ("none", "pytorch", "slurm")


def add_trained_config(parser: argparse.ArgumentParser) -> None:
    """The positional ``config`` of a verb that loads a trained checkpoint with it."""
    parser.add_argument("config", help="the config the checkpoint was trained with")


def add_checkpoint(
    parser: argparse.ArgumentParser, help: str = "a checkpoint written by `mlrkit train`"
) -> None:
    """The positional ``checkpoint``."""
    parser.add_argument("checkpoint", help=help)


def add_work_dir(parser: argparse.ArgumentParser, help: str) -> None:
    """``--work-dir``: where the verb writes; ``help`` says what goes there and the default."""
    parser.add_argument("--work-dir", help=help)


def add_launcher(
    parser: argparse.ArgumentParser, help: str = "'pytorch' under torchrun, 'slurm' under srun"
) -> None:
    """``--launcher none|pytorch|slurm`` (default ``none``)."""
    parser.add_argument("--launcher", choices=list(LAUNCHERS), default="none", help=help)


def add_cfg_options(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """``--cfg-options KEY=VAL ...``: config overrides, parsed into a dict (default ``{}``)."""
    parser.add_argument(
        "--cfg-options", nargs="+", action=DictAction, default={}, metavar="KEY=VAL", help=help
    )


def add_device(parser: argparse.ArgumentParser) -> None:
    """``--device``: the torch device to run on (default: cuda if available)."""
    parser.add_argument("--device", help="cpu, cuda, cuda:1, ... (default: cuda if available)")


def add_debug(parser: argparse.ArgumentParser, help: str = "show full tracebacks") -> None:
    """``--debug``: re-raise expected errors with their traceback (see :func:`mlrkit.cli.main`)."""
    parser.add_argument("--debug", action="store_true", help=help)
