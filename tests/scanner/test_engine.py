"""The engine runs spaCy's NER alone, and Presidio's context words still work without the lemmatizer."""

from __future__ import annotations

from audit.scanner.analyze import analyze_texts


def test_only_ner_runs(engine):
    assert engine.nlp.pipe_names == ["ner"]
    assert not {"parser", "lemmatizer", "tagger"} & set(engine.nlp.component_names)  # never loaded


def test_context_keywords_come_from_the_tokens(engine):
    [(_, artifacts)] = list(engine.nlp_engine.process_batch(["Her SSN numbers are on file"], language="en"))
    assert "ssn" in artifacts.keywords and "numbers" in artifacts.keywords


def test_a_context_word_lifts_a_presidio_recognizer_above_a_weaker_reading(engine, settings):
    # Without keywords Presidio's SSN score stays at 0.5 and the phone reading (0.6) wins the overlap.
    text = "SSN on file is 402-19-8877. Home address follows."
    types = {s.entity_type for s in analyze_texts(engine, settings, [text])[0] if s.kind == "identifier"}
    assert "US_SSN" in types and "PHONE_NUMBER" not in types
