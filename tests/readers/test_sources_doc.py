"""The table of supported sources in docs/sources.md is the reader registry's own."""

from __future__ import annotations

from pathlib import Path

from audit.readers import CONTAINERS, JSON_FORMATS
from audit.readers.sources_doc import BEGIN, END, rewrite, sources_table

SOURCES_DOC = Path(__file__).resolve().parents[2] / "docs" / "sources.md"


def test_the_docs_table_is_generated_from_the_registry():
    text = SOURCES_DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert rewrite(text) == text, "run: python -m audit.readers.sources_doc --write docs/sources.md"


def test_every_format_and_container_says_where_it_comes_from():
    table = sources_table()
    for item in [*JSON_FORMATS.values(), *CONTAINERS]:
        assert item.source, f"{item.name}: set source= (it feeds the table in docs/sources.md)"
        assert f"`{item.name}`" in table
