"""Helpers for recognizer tables: run the real engine, return what one entity type matched."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def found(engine):
    """found(text, entity) -> the substrings the engine reports as `entity` at the default threshold."""

    def _found(text: str, entity: str, threshold: float = 0.4) -> list[str]:
        results = engine.analyzer.analyze(text=text, language="en", entities=[entity], score_threshold=threshold)
        return sorted(text[r.start : r.end] for r in results)

    return _found


@pytest.fixture(scope="session")
def identifiers(engine, settings):
    """identifiers(text) -> [(entity, start, end)] the full analyze path reports, after filters and overlap resolution."""
    from audit.scanner.analyze import analyze_texts

    def _identifiers(text: str) -> list[tuple[str, int, int]]:
        (spans,) = analyze_texts(engine, settings, [text])
        return [(s.entity_type, s.start, s.end) for s in spans if s.kind == "identifier"]

    return _identifiers


def span_of(text: str, value: str) -> tuple[int, int]:
    """(start, end) of the one occurrence of `value` in `text`."""
    assert text.count(value) == 1, f"{value!r} must occur exactly once in {text!r}"
    start = text.index(value)
    return start, start + len(value)
