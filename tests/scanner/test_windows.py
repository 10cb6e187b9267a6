"""Long texts in overlapping windows: the windows cover the text, and an entity on a boundary is found once."""

from __future__ import annotations

import pytest

from audit.model import Span
from audit.scanner.analyze import analyze_texts
from audit.scanner.windows import MAX_PUNCT, MAX_TOKEN, spacy_view, windows
from audit.settings import Settings

FILLER = "We went over the build logs and the test plan for the next release together. "
ENTITY = "Please call Mary Jones about SSN 123-45-6789 today. "


@pytest.mark.parametrize("size", [600, 1_000, 2_500])
def test_every_character_belongs_to_exactly_one_window(size):
    text = (FILLER * 80)[:-7] + "x" * 3000 + FILLER * 5
    parts = windows(0, text, size, overlap=200)
    assert len(parts) > 2
    owners = [0] * len(text)
    for w in parts:
        assert text[w.offset : w.offset + len(w.text)] == w.text and len(w.text) <= size
        for p in range(w.offset + w.keep_from, min(len(text), w.offset + w.keep_to)):
            owners[p] += 1
    assert owners == [1] * len(text)


def test_a_short_text_is_one_window():
    (w,) = windows(3, "short", 100)
    assert (w.index, w.offset, w.text) == (3, 0, "short")
    assert w.owns(Span(0, 5, "PERSON", 0.9, "r"))


def test_entities_on_window_boundaries_are_found_once_and_whole(engine):
    """Every shift of the entity across a boundary: windowed spans are those of one big window.

    (Which recognizer found a name may differ: spaCy reads less context in a small window.)
    """
    texts = [FILLER * 20 + FILLER[:shift] + ENTITY + FILLER * 20 for shift in range(0, len(FILLER), 7)]
    whole = analyze_texts(engine, Settings(max_chunk_chars=100_000), texts)
    windowed = analyze_texts(engine, Settings(max_chunk_chars=700), texts)
    assert [_where(spans) for spans in windowed] == [_where(spans) for spans in whole]
    for text, spans in zip(texts, windowed, strict=True):
        ssn = [s for s in spans if s.entity_type == "US_SSN"]
        assert [text[s.start : s.end] for s in ssn] == ["123-45-6789"]
        assert [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"] == ["Mary Jones"]


def test_spacy_reads_the_same_offsets_without_long_runs():
    text = 'Hi "' + '"' * 5000 + " Bob " + "x" * 1000 + "\U0001f600" * 100 + " end"
    view = spacy_view(text)
    assert len(view) == len(text)
    assert view[:4] == text[:4] and view.endswith(" end") and " Bob " in view
    assert max(len(token) for token in view.split()) < MAX_TOKEN
    assert '"' * (MAX_PUNCT + 1) not in view
    assert spacy_view(FILLER) == FILLER


def _where(spans) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.entity_type) for s in spans]
