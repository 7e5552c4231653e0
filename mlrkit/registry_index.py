"""The names mlrkit's own modules register, read from their source without importing them.

A registry fills as its package is imported (``@HEADS.register_module()`` runs at import), and
importing the packages pulls in torch, timm and torch-geometric: seconds, for ``mlrkit list``,
which only prints names. This module reads the same names from the source: every class or
function of a registry's location packages decorated with ``@<REGISTRY>.register_module()``
(optionally ``name="..."``), where ``<REGISTRY>`` is that registry's name in
:mod:`mlrkit.registry`. ``tests/test_registry.py`` checks that the index equals what importing
registers, so a registration this reader cannot see fails a test instead of going missing.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import cache
from pathlib import Path

__all__ = ["declared_names"]


def _registry_variables(kind: str) -> set[str]:
    """The names under which :mod:`mlrkit.registry` holds the registry ``kind``."""
    import mlrkit.registry as registry

    target = registry.ALL_REGISTRIES[kind]
    return {name for name, value in vars(registry).items() if value is target}


def _package_files(package: str) -> list[Path]:
    """The public modules of ``package`` (as ``import_submodules`` imports them), recursively."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return []
    root = Path(spec.origin).parent
    if spec.submodule_search_locations is None:  # a plain module
        return [Path(spec.origin)]
    return sorted(
        path
        for path in root.rglob("*.py")
        if not any(part.startswith("_") for part in path.relative_to(root).parts[:-1])
        and (path.name == "__init__.py" or not path.name.startswith("_"))
    )


def _decorated_names(path: Path, variables: set[str]) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return []
    names = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            continue
        for deco in node.decorator_list:
            if not (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Attribute)
                and deco.func.attr == "register_module"
                and isinstance(deco.func.value, ast.Name)
                and deco.func.value.id in variables
            ):
                continue
            given = [k.value for k in deco.keywords if k.arg == "name"]
            if given and isinstance(given[0], ast.Constant) and isinstance(given[0].value, str):
                names.append(given[0].value)
            else:
                names.append(node.name)
    return names


@cache
def declared_names(kind: str) -> tuple[str, ...]:
    """The names mlrkit's modules register in the registry ``kind`` (sorted), unimported.

    Args:
        kind: a key of :data:`mlrkit.registry.ALL_REGISTRIES` (``"heads"``, ``"datasets"``...).
    """
    import mlrkit.registry as registry

    variables = _registry_variables(kind)
    names: set[str] = set()
    for package in registry.ALL_REGISTRIES[kind]._locations:
        for path in _package_files(package):
            names.update(_decorated_names(path, variables))
    return tuple(sorted(names))
