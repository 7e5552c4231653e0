"""Loading configs and applying ``key=value`` overrides, with clear errors.

Configs are mmengine's pure-Python files (``with read_base():``, ``type=SomeClass``) or the
classic dict style; both load with :func:`load_config`, which also

* puts the config's own folder on the import path (at the end of ``sys.path``), so a module
  kept beside the config (``my_heads.py``) can be imported;
* honours ``custom_imports = dict(imports=[...])`` in every config style (mmengine honours it
  for dict-style configs only);
* lets a config anywhere reach the repository's configs as the package ``mlrkit.configs``:
  ``with read_base(): from mlrkit.configs._base_.default_runtime import *`` (mmengine looks
  the package up with ``pkg_resources``, which recent setuptools no longer ship; mlrkit gives
  it an ``importlib`` lookup instead).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmengine.config import Config, ConfigDict

__all__ = ["load_config", "apply_overrides", "check_override_keys", "import_custom_modules"]


def _installed_path(package: str) -> str:
    """The folder of an importable package (what mmengine's ``get_installed_path`` returns)."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ModuleNotFoundError(f"no installed package {package!r} to read configs from")
    if spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    return os.path.dirname(spec.origin)


def _config_folder_on_path(path: Path) -> None:
    import mmengine.config.config as mm_config

    mm_config.get_installed_path = _installed_path  # `from mlrkit.configs... import *`
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.append(folder)


def import_custom_modules(cfg: Config, path: str | Path | None = None) -> list[str]:
    """Import the modules of the config's ``custom_imports``, in every config style.

    ``custom_imports = dict(imports=["my_heads"], allow_failed_imports=False)``: each module
    is imported (from the config's folder, ``PYTHONPATH`` or the installed packages), so the
    components it registers can be named in the config.

    Returns:
        the modules imported.

    Raises:
        ImportError: a module cannot be imported (unless ``allow_failed_imports``); the
            message names the config, the module and where it was looked for.
        ValueError: ``custom_imports`` is not ``dict(imports=[names])``.
    """
    spec = cfg.get("custom_imports")
    if not spec:
        return []
    where = f"config {path}" if path else "the config"
    if not isinstance(spec, Mapping) or "imports" not in spec:
        raise ValueError(
            f"{where}: custom_imports must be dict(imports=['module', ...]), got {spec!r}"
        )
    names = spec["imports"]
    names = [names] if isinstance(names, str) else list(names)
    if not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"{where}: custom_imports.imports must be module names, got {names!r}")
    from mlrkit.plugins import import_modules

    folder = Path(path).resolve().parent if path else None
    try:
        import_modules(names, origin=where, folder=folder)
    except ImportError:
        if not spec.get("allow_failed_imports", False):
            raise
    return names


def load_config(
    path: str | Path, cfg_options: Mapping[str, Any] | None = None, strict: bool = False
) -> Config:
    """Load a config file and apply overrides.

    Args:
        path: the config file.
        cfg_options: dotted keys to values, e.g. ``{"train_cfg.max_epochs": 3}``.
        strict: if True, every overridden key must already exist in the config (the error
            names close matches), and a number or a flag must stay one.

    Raises:
        FileNotFoundError: the config file does not exist.
        KeyError: ``strict`` and an override names a key the config does not have.
        SyntaxError: the file (or one it inherits from) is not valid Python; the message names
            the file and the line.
        ImportError: a module of ``custom_imports`` cannot be imported.
    """
    path = Path(path)
    if not path.is_file():
        state = "is a folder, not a config file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"config file {path} {state}")
    _config_folder_on_path(path)
    cfg = _from_file(path)
    import_custom_modules(cfg, path)
    if cfg_options:
        apply_overrides(cfg, cfg_options, strict=strict)
    return cfg


def _from_file(path: Path) -> Config:
    """``Config.fromfile`` with a syntax error named by file and line (mmengine loses both)."""
    import ast

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"config file {path} is not UTF-8 text ({err.reason})") from None
    if path.suffix == ".py":
        try:
            ast.parse(text, filename=str(path))
        except SyntaxError as err:
            raise SyntaxError(
                f"config file {path}, line {err.lineno}: {err.msg}; fix the Python syntax there"
            ) from None
    try:
        return Config.fromfile(str(path), import_custom_modules=False)  # imported by us
    except SyntaxError as err:  # in a file the config inherits from (a _base_ piece)
        raise SyntaxError(
            f"config file {path}: a file it inherits from has a syntax error at line "
            f"{err.lineno}: {err.msg}"
        ) from None


def _children(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        return [str(k) for k in node.keys()]
    if isinstance(node, (list, tuple)):
        return [str(i) for i in range(len(node))]
    return []


def _arguments(node: Any) -> tuple[list[str], bool]:
    """The constructor arguments of a component dict's ``type`` (and whether it takes ``**kw``).

    A key the config leaves at its default is still a valid override
    (``model.adjacency=graph.npy``); only the names the constructor accepts are.
    """
    import inspect

    kind = node.get("type") if isinstance(node, Mapping) else None
    if isinstance(kind, str):
        from mlrkit.registry import ALL_REGISTRIES, SCOPE_ONLY_REGISTRIES

        for registry in (*ALL_REGISTRIES.values(), *SCOPE_ONLY_REGISTRIES.values()):
            try:
                found = registry.get(kind)
            except KeyError:
                continue
            if found is not None:
                kind = found
                break
    if not callable(kind):
        return [], False
    try:
        params = inspect.signature(kind).parameters.values()
    except (TypeError, ValueError):
        return [], False
    names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    names += [key for key in getattr(kind, "build_keys", ()) if key not in names]
    return names, any(p.kind == p.VAR_KEYWORD for p in params)


def check_override_keys(cfg: Config | Mapping, options: Mapping[str, Any]) -> None:
    """Raise KeyError for the first dotted key that does not exist in ``cfg``.

    A key that a component dict (one with a ``type``) leaves out is accepted when the
    component's constructor takes an argument of that name. Also raises ValueError when a
    string replaces a number or a flag (``max_epochs=two``).
    """
    for dotted in options:
        node: Any = cfg._cfg_dict if isinstance(cfg, Config) else cfg
        walked: list[str] = []
        parts = str(dotted).split(".")
        for depth, part in enumerate(parts):
            names = _children(node)
            if part not in names:
                arguments, takes_any = _arguments(node)
                if depth == len(parts) - 1 and (part in arguments or takes_any):
                    node = None  # a constructor argument the config does not set
                    break
                where = ".".join(walked) or "the top level"
                candidates = list(dict.fromkeys([*names, *arguments]))
                close = difflib.get_close_matches(part, candidates, n=3)
                hint = (
                    f" Did you mean: {', '.join('.'.join([*walked, c]) for c in close)}?"
                    if close
                    else ""
                )
                known = ", ".join(candidates) if candidates else "(not a dict or list)"
                raise KeyError(
                    f"override {dotted!r}: the config has no key {part!r} at {where}.{hint} "
                    f"Keys there: {known}."
                )
            node = node[int(part)] if isinstance(node, (list, tuple)) else node[part]
            walked.append(part)
        _check_value_type(str(dotted), node, options[dotted])


def _check_value_type(dotted: str, current: Any, value: Any) -> None:
    """A number or a flag in the config must stay one (``max_epochs=two`` is refused)."""
    if not isinstance(value, str) or current is None:
        return
    if isinstance(current, bool):
        expected = "True or False"
    elif isinstance(current, int):
        expected = "an integer"
    elif isinstance(current, float):
        expected = "a number"
    else:
        return
    raise ValueError(
        f"override {dotted}={value}: expected {expected}, as the config's value {current!r} is"
    )


def apply_overrides(cfg: Config, options: Mapping[str, Any], strict: bool = False) -> Config:
    """Merge dotted-key overrides into ``cfg`` (in place) and return it."""
    if strict:
        check_override_keys(cfg, options)
    cfg.merge_from_dict(dict(options))
    return cfg


def to_plain(value: Any) -> Any:
    """A ConfigDict tree as plain dicts and lists (for JSON)."""
    if isinstance(value, (ConfigDict, dict)):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, type):
        return value.__name__
    return repr(value)
