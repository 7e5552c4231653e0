"""The published results of other methods (literature.json): every number has its source."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from mlrkit.bench import paper
from mlrkit.bench.paper import paper_sources, paper_table, paper_tables


def literature() -> dict:
    text = resources.files("mlrkit").joinpath("data/paper/literature.json").read_text()
    return json.loads(text)


def test_every_literature_row_has_a_source_and_every_value_is_a_percentage():
    tables = {k: v for k, v in literature().items() if k != "source"}
    assert tables
    for key, table in tables.items():
        assert paper_table(key) == table  # reachable like the paper's own tables
        assert set(table["sources"]) == set(table["rows"]), key
        for row, values in table["rows"].items():
            assert set(values) <= set(table["columns"]), (key, row)
            assert all(0.0 < v <= 100.0 for v in values.values()), (key, row)
            assert "github.com/" in table["sources"][row] or "Table" in table["sources"][row]


def test_the_papers_own_tables_have_no_sources_and_keys_do_not_clash():
    assert paper_sources("table_I_coco_comparison") == {}
    assert paper_sources("literature_coco_map")["Query2Label"].startswith("Query2Label")
    assert paper_tables()["source"].startswith("Deep-LIFT")


def test_a_repeated_key_is_refused(monkeypatch):
    files = paper.FILES
    monkeypatch.setattr(paper, "FILES", files + files[-1:])
    paper.paper_tables.cache_clear()
    try:
        with pytest.raises(ValueError, match="literature.json repeats the table keys"):
            paper.paper_tables()
    finally:
        monkeypatch.setattr(paper, "FILES", files)
        paper.paper_tables.cache_clear()
