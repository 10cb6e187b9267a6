"""spaCy's NER reads only the sentences where an entity could be kept, and the spans stay what full NER gives."""

from __future__ import annotations

import pytest

from audit.scanner import analyze as analyze_module
from audit.scanner.analyze import analyze_texts
from audit.scanner.ner_scope import ner_ranges
from tests.hostile.corpus import SLOW_SHAPES


def _read(text: str) -> list[str]:
    return [text[start:end] for start, end in ner_ranges(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Give me three taglines for a wireless speaker.",
        "Summarize this paragraph: Forward positive more exist dinner travel. Push society entire pick memory.",
        "What does the indemnification clause usually cover? I want a short answer.",
        "keep it short, and avoid jargon.",  # text without case
        "Take 5 mg twice a day with water.",  # a number that is no date
    ],
)
def test_a_text_of_ordinary_words_is_not_read_by_the_ner(text):
    assert ner_ranges(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Please write to John Smith about it.",  # a capitalised word inside a sentence
        "Smith called about the order.",  # a name starts the sentence
        "The visit is on 3/14 at the clinic.",  # a calendar date
        "She moved here in 1998 with her family.",  # a year
        "Dinner is at 7 pm tonight.",  # a time a date filter keeps
        "We met last tuesday for lunch.",  # a calendar word
        "She bought a flat in pune last year.",  # a lower-case place in prose with case
        "pls tell emma the meeting moved, thanks",  # a listed name in text without case
        "Translate to Spanish: the weather is nice.",  # "Spanish" inside the sentence (a group, NRP)
    ],
)
def test_a_sentence_with_evidence_is_read_by_the_ner(text):
    assert _read(text) == [text]


def test_runs_are_the_evidence_with_some_context_either_side_merged_when_they_meet():
    plain = "Keep the tone warm and plain for every reader of the page please."
    text = f"{plain} {plain} Please write to John Smith about it. {plain} {plain}"
    # up to 50 characters either side of the words with evidence ("John", "Smith"), cut at whitespace
    assert _read(text) == [
        "every reader of the page please. Please write to John Smith about it. Keep the tone warm and plain for every"
    ]
    apart = f"Write to John Smith. {plain} {plain} Then call Mary Jones."
    assert _read(apart) == [
        "Write to John Smith. Keep the tone warm and plain for every reader of",
        "for every reader of the page please. Then call Mary Jones.",
    ]
    near = f"Write to John Smith. {plain} Then call Mary Jones."
    assert _read(near) == [near]
    # a long sentence is read around its evidence, not whole
    long = (
        "Please write to John Smith about the invoice and ask whether the payment for the order of last month "
        "went through to the bank without any trouble at all."
    )
    assert _read(long) == ["Please write to John Smith about the invoice and ask whether the payment for"]


def test_a_run_within_its_context_of_the_text_edge_reaches_the_edge():
    # the last word is the model's to see: a run is not cut at the last space before the end
    text = "Please forward the minutes to Maria Lopez before the end of play."
    assert _read(text) == [text]


def test_every_run_starts_and_ends_at_whitespace_or_the_text_edge():
    text = "First line has Anna Lee.\nsecond line is plain enough.\n\nDate 2024-05-01 here.   Trailing words end."
    for start, end in ner_ranges(text):
        assert start == 0 or text[start - 1].isspace()
        assert end == len(text) or text[end].isspace()
        assert not text[start].isspace()


def test_the_scope_gives_the_spans_full_ner_gives_on_prompts_notes_and_letters(engine, settings, monkeypatch):
    texts = [
        "Hi, this is Dana Whitfield. My order still has not arrived at 42 Elm Street, Springfield. "
        "Please let me know whether I should wait longer. I already checked with my neighbours.",
        "Patient Omar Haddad, DOB 04/11/1962, seen at Riverside Family Clinic for follow-up of asthma. "
        "No chest pain, no shortness of breath at rest. Labs are to be repeated in three months.",
        "pt's daughter sarah spent the night. cont tube feeds. family aware of plan, will call in am.",
        "Summarize this paragraph: Forward positive more exist dinner travel. Translate to French: the "
        "invoice for Acme Corp. Please send it to our office in Denver by Friday.",
        "Give me three taglines for a lightgray wireless speaker.",
    ]
    scoped = analyze_texts(engine, settings, texts)
    monkeypatch.setattr(analyze_module, "ner_ranges", lambda text: [(0, len(text))] if text else [])
    assert scoped == analyze_texts(engine, settings, texts)
    assert any(s.entity_type == "PERSON" for s in scoped[0]) and any(s.entity_type == "LOCATION" for s in scoped[3])


def test_entities_that_do_not_align_with_the_tokens_are_refused(engine):
    from audit.scanner.ner_scope import entities_on

    nlp = engine.nlp
    doc = nlp.make_doc("Please write to John Smith about the invoice.")
    part = nlp("John Smith")
    assert entities_on(doc, [(16, part)]) and [(e.text, e.label_) for e in doc.ents] == [("John Smith", "PERSON")]
    doc = nlp.make_doc("Please write to John Smith about the invoice.")
    assert not entities_on(doc, [(17, part)])  # "ohn Smith a": no token starts there


def test_a_text_whose_runs_do_not_align_is_read_whole(engine, settings, monkeypatch):
    text = "Please write to John Smith about the invoice."
    expected = analyze_texts(engine, settings, [text])
    monkeypatch.setattr(analyze_module, "entities_on", lambda doc, pieces: False)
    assert analyze_texts(engine, settings, [text]) == expected
    assert any(s.entity_type == "PERSON" for s in expected[0])


@pytest.mark.parametrize("shape", list(SLOW_SHAPES))
def test_choosing_the_runs_is_linear(shape):
    import time

    def cpu(n):
        text = SLOW_SHAPES[shape](n)
        started = time.process_time()
        ner_ranges(text)
        return max(time.process_time() - started, 1e-3)

    assert cpu(16_000) / cpu(4_000) < 8.0
