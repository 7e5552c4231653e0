"""Loading configs and applying ``key=value`` overrides, with clear errors.

Configs are mmengine's pure-Python files (``with read_base():``, ``type=SomeClass``) or the
classic dict style; both load with :func:`load_config`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmengine.config import Config, ConfigDict

__all__ = ["load_config", "apply_overrides", "check_override_keys"]


def load_config(
    path: str | Path, cfg_options: Mapping[str, Any] | None = None, strict: bool = False
) -> Config:
    """Load a config file and apply overrides.

    Args:
        path: the config file.
        cfg_options: dotted keys to values, e.g. ``{"train_cfg.max_epochs": 3}``.
        strict: if True, every overridden key must already exist in the config.

    Raises:
        FileNotFoundError: the config file does not exist.
        KeyError: ``strict`` and an override names a key the config does not have.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file {path} does not exist")
    cfg = Config.fromfile(str(path))
    if cfg_options:
        apply_overrides(cfg, cfg_options, strict=strict)
    return cfg


def _children(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        return [str(k) for k in node.keys()]
    if isinstance(node, (list, tuple)):
        return [str(i) for i in range(len(node))]
    return []


def check_override_keys(cfg: Config | Mapping, options: Mapping[str, Any]) -> None:
    """Raise KeyError for the first dotted key that does not exist in ``cfg``."""
    for dotted in options:
        node: Any = cfg._cfg_dict if isinstance(cfg, Config) else cfg
        walked: list[str] = []
        for part in str(dotted).split("."):
            names = _children(node)
            if part not in names:
                where = ".".join(walked) or "the top level"
                close = difflib.get_close_matches(part, names, n=3)
                hint = (
                    f" Did you mean: {', '.join('.'.join([*walked, c]) for c in close)}?"
                    if close
                    else ""
                )
                raise KeyError(
                    f"override {dotted!r}: the config has no key {part!r} at {where}.{hint} "
                    f"Keys there: {', '.join(names) if names else '(not a dict or list)'}."
                )
            node = node[int(part)] if isinstance(node, (list, tuple)) else node[part]
            walked.append(part)


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
