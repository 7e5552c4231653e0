"""``mlrkit list [KIND]``: the names in each registry and where they came from."""

from __future__ import annotations

import argparse

from mlrkit.plugins import loaded, origin_of
from mlrkit.registry import ALL_REGISTRIES, UnknownComponentError

# Shown by a bare `mlrkit list`; the Runner-side registries are listed by name on request.
DEFAULT_KINDS = [
    "backbones",
    "encoders",
    "heads",
    "losses",
    "embeddings",
    "models",
    "datasets",
    "transforms",
    "metrics",
    "hooks",
]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list registered components (and the plugins they came from)")
    p.add_argument("kind", nargs="?", help=f"one of: {', '.join(ALL_REGISTRIES)}")
    p.add_argument(
        "--all",
        action="store_true",
        help="also list the parent (mmengine) entries that our registries inherit",
    )
    p.set_defaults(func=run)


def resolve_kind(kind: str) -> str:
    key = kind.lower().replace("-", "_")
    for candidate in (key, key + "s", key + "es"):
        if candidate in ALL_REGISTRIES:
            return candidate
    for name, reg in ALL_REGISTRIES.items():
        if reg.name.replace(" ", "_") == key:
            return name
    import difflib

    from mlrkit.registry import SCOPE_ONLY_REGISTRIES

    for candidate in (key, key + "s", key + "es"):
        if candidate in SCOPE_ONLY_REGISTRIES:
            raise UnknownComponentError(
                f"mlrkit registers nothing in {candidate!r}: a config names mmengine's entries "
                f"there as in mmengine. Known: {', '.join(ALL_REGISTRIES)}."
            )
    close = difflib.get_close_matches(key, ALL_REGISTRIES, n=3)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UnknownComponentError(
        f"no registry named {kind!r}.{hint} Known: {', '.join(ALL_REGISTRIES)}."
    )


def rows(kind: str, include_parents: bool = False) -> list[tuple[str, str]]:
    """``(name, origin)`` of each name in registry ``kind``.

    Without ``include_parents`` nothing is imported for it: mlrkit's own names are read from
    the source (:func:`mlrkit.registry_index.declared_names`), merged with what is already
    registered (plugins, and anything imported so far). With it, the registry's packages are
    imported and mmengine's entries are listed too.
    """
    from mlrkit.registry_index import declared_names

    reg = ALL_REGISTRIES[kind]
    if include_parents:
        reg.import_from_location()
    own = set(reg._module_dict) | set(declared_names(kind))
    names = set(own)
    parent = reg.parent
    while include_parents and parent is not None:
        names |= set(parent._module_dict)
        parent = parent.parent
    out = []
    for name in sorted(names):
        obj = reg._module_dict.get(name)
        if obj is None and name not in own:  # inherited from mmengine
            out.append((name, "mmengine"))
        elif obj is None:  # declared in mlrkit's source, not imported
            out.append((name, "mlrkit"))
        else:
            out.append((name, origin_of(kind, name, obj)))
    return out


def run(args: argparse.Namespace) -> int:
    kinds = [resolve_kind(args.kind)] if args.kind else DEFAULT_KINDS
    for kind in kinds:
        entries = rows(kind, include_parents=args.all)
        print(f"{kind} ({len(entries)}):")
        if not entries:
            print("  (none)")
        width = max((len(n) for n, _ in entries), default=0)
        for name, origin in entries:
            print(f"  {name:<{width}}  [{origin}]")
    broken = [r for r in loaded() if r.error]
    for record in broken:
        print(f"plugin {record.name!r} ({record.distribution}) failed to load: {record.error}")
    return 0
