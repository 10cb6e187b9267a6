"""The README's table of supported sources is the reader registry's own."""

from __future__ import annotations

from pathlib import Path

from audit.readers import CONTAINERS, JSON_FORMATS
from audit.readers.sources_doc import BEGIN, END, rewrite, sources_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_is_generated_from_the_registry():
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert rewrite(text) == text, "run: python -m audit.readers.sources_doc --write README.md"


def test_every_format_and_container_says_where_it_comes_from():
    table = sources_table()
    for item in [*JSON_FORMATS.values(), *CONTAINERS]:
        assert item.source, f"{item.name}: set source= (it feeds the README table)"
        assert f"`{item.name}`" in table
