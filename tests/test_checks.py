"""The shared argument checks: what each accepts, what it refuses, and the message."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest

from mlrkit.checks import (
    integer,
    non_negative_int,
    one_of,
    positive_int,
    positive_number,
    probability,
)


@pytest.mark.parametrize(
    ("check", "good", "bad", "what"),
    [
        (integer, [-3, 0, 7], [True, 1.0, "1", None], "an int"),
        (positive_int, [1, 64], [0, -1, True, 2.0, "3", None], "a positive integer"),
        (non_negative_int, [0, 5], [-1, False, 0.0, None], "a non-negative integer"),
        (positive_number, [1, 0.5, 1e-9], [0, -0.1, True, math.nan, "1"], "a positive number"),
        (probability, [0, 0.0, 0.5, 0.999], [1, 1.0, -0.1, True, "0.1"], "a probability in [0, 1)"),
    ],
)
def test_accepts_and_refuses(check, good, bad, what):
    for value in good:
        assert check("Owner", "arg", value) == value
    for value in bad:
        message = f"Owner: arg must be {what}, got {value!r}."
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            check("Owner", "arg", value)


def test_numbers_come_back_as_float():
    assert type(positive_number("O", "lr", 2)) is float
    assert type(probability("O", "p", 0)) is float
    assert type(probability("O", "p", np.float64(0.25))) is float


def test_numpy_integers_are_refused_as_before():
    # The copies this module replaced accepted Python ints only; it keeps that.
    with pytest.raises(ValueError, match="must be a positive integer"):
        positive_int("O", "n", np.int64(3))


def test_empty_owner_leaves_out_the_prefix():
    with pytest.raises(ValueError, match=r"^--threads must be a positive integer, got 0\.$"):
        positive_int("", "--threads", 0)


def test_one_of_lists_the_choices_in_order():
    assert one_of("Head", "pool", "max", ("avg", "max")) == "max"
    assert one_of("Head", "mode", "b", {"a": 1, "b": 2}) == "b"  # a dict's keys
    message = "Head: pool must be one of ['avg', 'max'], got 'mean'."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        one_of("Head", "pool", "mean", ("avg", "max"))
    with pytest.raises(ValueError, match="must be one of"):
        one_of("Head", "pool", ["avg"], ("avg", "max"))


def test_imports_nothing_heavy():
    code = "import sys, mlrkit.checks; print(sorted({'torch', 'numpy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
