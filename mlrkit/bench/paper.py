"""The paper's printed tables, shipped inside the package (``mlrkit/data/paper``)."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

__all__ = ["paper_note", "paper_table", "paper_tables", "table_keys"]


@functools.cache
def paper_tables() -> dict[str, Any]:
    """All of ``paper_tables.json``: ``{table key: {"columns": [...], "rows": {...}}, ...}``."""
    text = resources.files("mlrkit").joinpath("data/paper/paper_tables.json").read_text()
    return json.loads(text)


def table_keys() -> list[str]:
    """The keys of the tables that have printed rows (``table_I_coco_comparison``, ...)."""
    return [k for k, v in paper_tables().items() if isinstance(v, dict) and "rows" in v]


def paper_table(key: str) -> dict[str, Any]:
    """One printed table, ``{"columns": [...], "rows": {row: {column: value}}}``.

    Raises:
        ValueError: ``key`` is not a table of the paper; the message lists the keys.
    """
    table = paper_tables().get(key)
    if not isinstance(table, dict) or "rows" not in table:
        raise ValueError(
            f"no paper table {key!r}; the shipped tables are: {', '.join(table_keys())}"
        )
    return table


def paper_note(key: str) -> str | None:
    """The note of an entry without printed rows (``figure_6_tau``), if any."""
    entry = paper_tables().get(key)
    return entry.get("note") if isinstance(entry, dict) else None
