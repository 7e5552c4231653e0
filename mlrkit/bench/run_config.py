"""A run's resolved config as a file, ``runs/<run>/config.py``: written by the bench, read by
its worker, so the config the plan checked and fingerprinted is the one that runs.

A component given as a class (``type=GCNEncoder``, the pure-Python config style) is written
by the name it is registered under, as a string config names it, so that every check that reads
``type`` by name sees what it saw before; a class no registry knows by its name is written as
its import path, which mmengine resolves.
"""

from __future__ import annotations

import copy
import inspect
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmengine.config import Config

__all__ = ["read_run_config", "write_run_config"]


def _registered_name(kind: Any) -> str | None:
    """The name under which a registry of mlrkit or mmengine holds ``kind``, or None."""
    from mmengine import registry as mm
    from mmengine.registry import Registry

    from mlrkit import registry

    name = getattr(kind, "__name__", None)
    if not isinstance(name, str):
        return None
    registries = [r for m in (registry, mm) for r in vars(m).values() if isinstance(r, Registry)]
    for reg in registries:  # each registry's own entries: a miss must not scan for plugins
        reg.import_from_location()
        if reg.module_dict.get(name) is kind:
            return name
    return None


def _by_name(node: Any) -> Any:
    """``node`` with each class or function under a ``type`` key replaced by its name."""
    if isinstance(node, Mapping):
        out = {k: _by_name(v) for k, v in node.items()}
        kind = out.get("type")
        if kind is not None and not isinstance(kind, str):
            path = f"{getattr(kind, '__module__', '')}.{getattr(kind, '__qualname__', '')}"
            out["type"] = _registered_name(kind) or path
        return out
    if isinstance(node, (list, tuple)):
        return type(node)(_by_name(v) for v in node)
    return node


def write_run_config(cfg: Config, path: Path) -> Path:
    """Write ``cfg`` (left unchanged) to ``path`` as a config file the worker loads.

    Top-level names a pure-Python config imports (``read_base``, the classes it names) are
    not settings and are left out.
    """
    entries = copy.deepcopy(cfg._cfg_dict)  # (to_dict() would write classes as import paths)
    settings = {k: v for k, v in entries.items() if not (callable(v) or inspect.ismodule(v))}
    named = Config(_by_name(settings), filename=cfg.filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")  # dump reads the format from it
    named.dump(str(tmp))
    tmp.replace(path)
    return path


def read_run_config(path: Path, base: str | Path) -> Config:
    """Load a run's config file; modules beside its ``base`` config stay importable.

    ``custom_imports`` of the base config name modules kept in the base config's folder, which
    is put on the import path (as loading the base config itself does).
    """
    from mlrkit.engine.config import load_config

    folder = str(Path(base).resolve().parent)
    if folder not in sys.path:
        sys.path.append(folder)
    return load_config(path)
