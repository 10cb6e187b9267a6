"""spaCy in a thread beside the recognizers that do not read its output (the guardrail's mode): same spans."""

from __future__ import annotations

import dataclasses

import pytest

from audit.scanner.analyze import analyze_texts
from audit.scanner.engine import WARM_UP_TEXTS

TEXTS = [
    *WARM_UP_TEXTS,
    "SSN on file is 402-19-8877. Home address follows.",
    "Maria Gonzalez from Acme Corp met Dr. Smith in Chicago last Tuesday about her asthma.",
    "nothing to see here",
    "",
    # longer than one window: several slices, spans across window boundaries
    " ".join(f"Call Peter Jones at (555) 201-{1000 + i} or peter{i}@example.com about claim {i}." for i in range(400)),
]


@pytest.fixture
def overlapping(engine):
    yield dataclasses.replace(engine, overlap_nlp=True)


def test_overlapping_nlp_gives_the_same_spans(engine, overlapping, settings):
    small = settings.model_copy(update={"max_chunk_chars": 4000})
    plain = analyze_texts(engine, small, TEXTS)
    assert any(s.recognizer == "SpacyRecognizer" for spans in plain for s in spans)  # NER results are in the check
    assert analyze_texts(overlapping, small, TEXTS) == plain


def test_recognizers_reading_the_nlp_output_wait_for_it(engine):
    ready = engine.analyzer.text_results("Maria Gonzalez lives in Chicago", None)
    by_name = {r.id: r.name for r in engine.analyzer.registry.recognizers}
    names = {by_name[i] for i in ready}
    assert "SpacyRecognizer" not in names  # reads the NER entities: run after spaCy
    assert "UsSsnRecognizer" in names  # reads the text only: run while spaCy runs
