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
