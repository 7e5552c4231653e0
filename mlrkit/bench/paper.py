"""The paper's printed tables and published results of other methods, shipped inside the package.

``mlrkit/data/paper/paper_tables.json`` holds the Deep-LIFT paper's tables as printed;
``mlrkit/data/paper/literature.json`` holds published results of other methods, one source per
row (a table's ``sources``). Bench tables name either by key; the keys must not collide.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

__all__ = ["FILES", "paper_note", "paper_sources", "paper_table", "paper_tables"]


FILES = ("paper_tables.json", "literature.json")


@functools.cache
def paper_tables() -> dict[str, Any]:
    """All tables of :data:`FILES`: ``{table key: {"columns": [...], "rows": {...}}, ...}``.

    The ``source`` entry is the first file's; each other file's is left out.
    """
    tables: dict[str, Any] = {}
    for name in FILES:
        entries = json.loads(resources.files("mlrkit").joinpath(f"data/paper/{name}").read_text())
        if tables:
            entries.pop("source", None)
        clash = sorted(set(entries) & set(tables))
        if clash:
            raise ValueError(f"mlrkit/data/paper/{name} repeats the table keys {clash}.")
        tables.update(entries)
    return tables


def paper_sources(key: str) -> dict[str, str]:
    """The source of each row of a literature table (empty for the paper's own tables)."""
    return dict(paper_table(key).get("sources", {}))


def paper_table(key: str) -> dict[str, Any]:
    """One printed table, ``{"columns": [...], "rows": {row: {column: value}}}``.

    Raises:
        ValueError: ``key`` is not a table of the paper; the message lists the keys.
    """
    tables = {k: v for k, v in paper_tables().items() if isinstance(v, dict) and "rows" in v}
    if key not in tables:
        raise ValueError(f"no paper table {key!r}; the shipped tables are: {', '.join(tables)}")
    return tables[key]


def paper_note(key: str) -> str | None:
    """The note of an entry without printed rows (``figure_6_tau``), if any."""
    entry = paper_tables().get(key)
    return entry.get("note") if isinstance(entry, dict) else None
