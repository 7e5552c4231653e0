"""Plugin discovery: installed distributions that extend mlrkit's registries.

A plugin is any installed distribution that declares an entry point in the group
``mlrkit.plugins``::

    [project.entry-points."mlrkit.plugins"]
    csra = "mlrkit_csra"              # a module: importing it registers its components
    # or "mlrkit_csra:register"       # a callable: called once after import

Plugins are imported once per process, lazily: when the CLI starts and when a registry lookup
misses. ``MLRKIT_DISABLE_PLUGIN_AUTOLOAD=1`` turns discovery off (``custom_imports`` in a config
still works). A plugin that fails to import (any exception, ``sys.exit()`` or
``KeyboardInterrupt`` included) gives a :class:`PluginWarning` naming the plugin and the error;
everything else keeps working.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import types
import warnings
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

GROUP = "mlrkit.plugins"
DISABLE_ENV = "MLRKIT_DISABLE_PLUGIN_AUTOLOAD"

__all__ = [
    "GROUP",
    "DISABLE_ENV",
    "PluginWarning",
    "PluginRecord",
    "load_plugins",
    "loaded",
    "origin_of",
]


class PluginWarning(UserWarning):
    """A plugin could not be imported; mlrkit continues without it."""


@dataclass
class PluginRecord:
    """What one entry point did when it was loaded."""

    name: str
    value: str
    distribution: str
    error: str | None = None
    registered: dict[str, list[str]] = field(default_factory=dict)  # registry -> names


_records: dict[str, PluginRecord] = {}  # entry-point value -> record
_origin: dict[tuple[str, str], str] = {}  # (registry name, component name) -> distribution


def autoload_disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _snapshot() -> dict[str, set[str]]:
    from mlrkit.registry import ALL_REGISTRIES

    return {kind: set(reg._module_dict) for kind, reg in ALL_REGISTRIES.items()}


def _load_one(ep: EntryPoint) -> PluginRecord:
    dist = ep.dist.name if ep.dist is not None else ep.value.split(":")[0].split(".")[0]
    record = PluginRecord(name=ep.name, value=ep.value, distribution=dist)
    before = _snapshot()
    try:
        obj = ep.load()
        if callable(obj) and not isinstance(obj, types.ModuleType) and not inspect.isclass(obj):
            obj()
    except (Exception, SystemExit, KeyboardInterrupt) as err:  # noqa: BLE001
        # a broken plugin must not take mlrkit down, not even by calling sys.exit() or by
        # raising KeyboardInterrupt while it is imported
        record.error = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        warnings.warn(
            f"mlrkit plugin {ep.name!r} ({ep.value}, distribution {dist!r}) failed to import "
            f"and was skipped: {record.error}. Fix or uninstall it, or set {DISABLE_ENV}=1 "
            "to skip plugin discovery.",
            PluginWarning,
            stacklevel=2,
        )
    from mlrkit.registry import ALL_REGISTRIES

    after = _snapshot()
    for kind, names in after.items():
        # a plugin that imports mlrkit's own packages (e.g. mlrkit.heads for a base class)
        # registers their components as a side effect: those stay mlrkit's
        module_dict = ALL_REGISTRIES[kind]._module_dict
        new = sorted(
            name
            for name in names - before.get(kind, set())
            if getattr(module_dict[name], "__module__", "").split(".")[0] != "mlrkit"
        )
        if new:
            record.registered[kind] = new
            for name in new:
                _origin[(kind, name)] = dist
    return record


def load_plugins(force: bool = False) -> list[PluginRecord]:
    """Import every ``mlrkit.plugins`` entry point not imported yet.

    Args:
        force: load even when ``MLRKIT_DISABLE_PLUGIN_AUTOLOAD`` is set.

    Returns:
        The records of the entry points loaded by this call (empty when nothing was new).
    """
    if autoload_disabled() and not force:
        return []
    new = []
    for ep in entry_points(group=GROUP):
        if ep.value in _records:
            continue
        _records[ep.value] = record = _load_one(ep)
        new.append(record)
    return new


def loaded() -> list[PluginRecord]:
    """Records of all plugins loaded so far in this process."""
    return list(_records.values())


def origin_of(kind: str, name: str, obj: object) -> str:
    """Where a registered component came from: a plugin distribution or a top-level package."""
    if (kind, name) in _origin:
        return _origin[(kind, name)]
    module = getattr(obj, "__module__", None) or ""
    top = module.split(".")[0]
    if top and top != "mlrkit" and top in sys.modules:
        return top
    return top or "?"


_custom_imported: list[str] = []


def custom_imported() -> list[str]:
    """Modules imported through a config's ``custom_imports`` in this process."""
    return list(_custom_imported)


def import_modules(
    names: list[str], origin: str = "custom_imports", folder: os.PathLike | None = None
) -> None:
    """Import modules by name (what mmengine's ``custom_imports`` does), with a clear error.

    Args:
        names: module names.
        origin: what asked for them, for the error (e.g. ``config path/to/cfg.py``).
        folder: the config's folder, named in the error as a place searched.
    """
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as err:
            beside = f" (a {name.replace('.', '/')}.py in {folder})" if folder else ""
            raise ImportError(
                f"{origin}: custom_imports could not import {name!r}: {err}. mlrkit looks for "
                f"it beside the config{beside}, on PYTHONPATH and in the installed packages."
            ) from err
        if name not in _custom_imported:
            _custom_imported.append(name)
