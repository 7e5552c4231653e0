"""Shared fixtures. Tests run on the CPU with few threads so the default run stays fast."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "2")


def make_distribution(
    root: Path, dist: str, module: str, source: str, entry_value: str | None = None
) -> Path:
    """Write a minimal installed distribution (module + dist-info with an entry point) in root.

    Putting ``root`` on ``sys.path`` (or PYTHONPATH) makes importlib.metadata see it exactly as
    it would see a pip-installed package.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        f"[mlrkit.plugins]\n{module} = {entry_value or module}\n"
    )
    return root


@pytest.fixture(scope="session")
def write_distribution():
    """:func:`make_distribution`, for test modules (which cannot import conftest in importlib
    mode)."""
    return make_distribution


@pytest.fixture
def plugin_path(tmp_path, monkeypatch):
    """Factory: put a tiny plugin distribution on sys.path and forget it afterwards."""
    import mlrkit.plugins as plugins

    created: list[str] = []

    def factory(dist: str, module: str, source: str, entry_value: str | None = None) -> Path:
        root = make_distribution(tmp_path / dist, dist, module, source, entry_value)
        monkeypatch.syspath_prepend(str(root))
        created.append(module)
        return root

    saved_records = dict(plugins._records)
    saved_origin = dict(plugins._origin)
    yield factory
    plugins._records.clear()
    plugins._records.update(saved_records)
    plugins._origin.clear()
    plugins._origin.update(saved_origin)
    for module in created:
        sys.modules.pop(module, None)
