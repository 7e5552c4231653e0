"""The plugin's tests run against the installed distribution (entry point included)."""

from __future__ import annotations

import importlib.util
import os

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "2")


def pytest_sessionstart(session: pytest.Session) -> None:
    if importlib.util.find_spec("mlrkit_csra") is None:
        raise pytest.UsageError(
            "mlrkit_csra is not installed; these tests check the installed plugin (its entry "
            "point too): `pip install -e plugins/mlrkit-csra` first."
        )
