"""Argument checks shared across mlrkit: one wording for every ``ValueError``.

Each check takes the ``owner`` (the class or function that received the argument,
e.g. ``"MLGCNHead"``), the argument's ``name`` and its ``value``; it returns the value
when it is valid and otherwise raises::

    ValueError: MLGCNHead: num_classes must be a positive integer, got 0.

An empty ``owner`` leaves the prefix out (``"--threads must be ..."``). ``bool`` is
refused wherever a number is expected, although Python counts it as an ``int``: a
``True`` in a config is almost always a misplaced flag. The module imports nothing
heavy, so command-line code may use it before torch is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

__all__ = [
    "integer",
    "non_negative_int",
    "one_of",
    "positive_int",
    "positive_number",
    "probability",
]

T = TypeVar("T")


def _fail(owner: str, name: str, what: str, value: Any) -> ValueError:
    prefix = f"{owner}: " if owner else ""
    return ValueError(f"{prefix}{name} must be {what}, got {value!r}.")


def _is_int(value: Any) -> bool:
    """A Python ``int``, but not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    """A Python ``int`` or ``float`` (numpy's float64 is one), but not a ``bool``."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def integer(owner: str, name: str, value: Any) -> int:
    """``value`` if it is an integer, of any sign."""
    if not _is_int(value):
        raise _fail(owner, name, "an int", value)
    return value


def positive_int(owner: str, name: str, value: Any) -> int:
    """``value`` if it is an integer ``>= 1``."""
    if not _is_int(value) or value <= 0:
        raise _fail(owner, name, "a positive integer", value)
    return value


def non_negative_int(owner: str, name: str, value: Any) -> int:
    """``value`` if it is an integer ``>= 0``."""
    if not _is_int(value) or value < 0:
        raise _fail(owner, name, "a non-negative integer", value)
    return value


def positive_number(owner: str, name: str, value: Any) -> float:
    """``value`` as a float if it is a real number ``> 0`` (NaN is refused)."""
    if not _is_number(value) or not value > 0:
        raise _fail(owner, name, "a positive number", value)
    return float(value)


def probability(owner: str, name: str, value: Any) -> float:
    """``value`` as a float if it lies in ``[0, 1)`` (a drop or dropout rate)."""
    if not _is_number(value) or not 0.0 <= value < 1.0:
        raise _fail(owner, name, "a probability in [0, 1)", value)
    return float(value)


def one_of(owner: str, name: str, value: T, choices: Iterable[Any]) -> T:
    """``value`` if it is one of ``choices``; the message lists them in their order."""
    choices = list(choices)
    if value not in choices:
        raise _fail(owner, name, f"one of {choices}", value)
    return value
