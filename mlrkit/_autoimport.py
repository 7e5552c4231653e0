"""Import every module of a package, so that the registries see all its components."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable


def import_submodules(package: str, path: Iterable[str]) -> None:
    """Import ``package.<module>`` for each module and subpackage found on ``path``.

    Modules whose names start with an underscore are private helpers and are skipped.
    """
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")
