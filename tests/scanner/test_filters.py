"""False-positive filters and overlap resolution: predicate tables, then the real engine end to end."""

from __future__ import annotations

import pytest

from audit.model import Span
from audit.scanner import filters
from audit.scanner.analyze import analyze_texts
from audit.settings import Settings


def ner(text: str, value: str, entity: str) -> Span:
    start = text.index(value)
    return Span(start, start + len(value), entity, 0.85, "SpacyRecognizer")


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("call parse_user_id now", "parse_user_id", "PERSON"),
        ("see getUserName for it", "getUserName", "PERSON"),
        ("open src/app/main.py", "src/app/main.py", "PERSON"),
        ("level=WARN user=Bob", "level=WARN", "PERSON"),
        ("CV normal, O2 sat ok", "CV", "PERSON"),
        ("CV normal, O2 sat ok", "O2", "PERSON"),
        ("NEURO: intact", "NEURO", "PERSON"),
        ("ref 4471", "4471", "PERSON"),
        ("my SSN is", "SSN", "ORGANIZATION"),
        ("the IBAN field", "IBAN", "ORGANIZATION"),
    ],
)
def test_ner_names_that_are_not_names_are_dropped(text, value, entity):
    assert filters.ner_name_not_a_name(text, ner(text, value, entity))


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("a history of Crohn disease", "Crohn", "PERSON"),
        ("a high Framingham risk score", "Framingham", "LOCATION"),
        ("enrolled in the ALLHAT trial", "ALLHAT", "ORGANIZATION"),
        ("the Mini-Mental State Examination", "Mini-Mental State Examination", "ORGANIZATION"),
    ],
)
def test_names_inside_medical_terms_are_dropped(text, value, entity):
    assert filters.medical_term(text, ner(text, value, entity))


def test_a_person_with_a_disease_is_kept():
    text = "Maria Gonzalez has a disease of the liver"
    assert not filters.medical_term(text, ner(text, "Maria Gonzalez", "PERSON"))


@pytest.mark.parametrize(
    ("text", "value", "dropped"),
    [
        ("Translate to Spanish: good morning", "Spanish", True),
        ("Please answer in French", "French", True),
        ("in African American patients", "African American", True),
        ("She is Icelandic and lives abroad", "Icelandic", False),
    ],
)
def test_nrp_filter(text, value, dropped):
    assert filters.nrp_not_about_a_person(text, ner(text, value, "NRP")) is dropped


@pytest.mark.parametrize(
    ("text", "dropped"),
    [("per the 2023 ADA guidelines", True), ("the KDIGO guidelines from 2019.", True), ("founded in 1977.", False)],
)
def test_publication_years(text, dropped):
    year = next(w.strip(".") for w in text.split() if w.strip(".").isdigit())
    assert filters.publication_year(text, ner(text, year, "DATE_TIME")) is dropped


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("Maria Gonzalez called", "Maria Gonzalez", "PERSON"),
        ("works at Acme Corp", "Acme Corp", "ORGANIZATION"),
        ("flew to Boston", "Boston", "LOCATION"),
        ("lives in O'Fallon", "O'Fallon", "LOCATION"),
    ],
)
def test_real_names_are_kept(text, value, entity):
    assert not filters.ner_name_not_a_name(text, ner(text, value, entity))


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("Write an email to a client named Jeff, who never showed up.", "Jeff", "PERSON"),
        ("How about I take you and Mark out for dinner?", "Mark", "PERSON"),
        ("At present, China is the largest exporter of steel.", "China", "LOCATION"),
        ("write a sale deed agreement for an apartment in pune", "pune", "LOCATION"),
        ("a list of programs: BIDA from CMU, Machine Learning from Coursera", "CMU", "ORGANIZATION"),
        ("1. USA (executive) 2. China (render) 3. Russia (offer)", "Russia", "LOCATION"),
    ],
)
def test_names_in_real_prompts_are_kept(text, value, entity):
    span = ner(text, value, entity)
    assert not filters.ner_name_not_a_name(text, span)
    assert not filters.ner_name_without_evidence(text, span)


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("Mark the invoice as paid and send it.", "Mark", "PERSON"),  # a verb opening its sentence
        ("the vent was weaned to CPAP overnight", "CPAP", "ORGANIZATION"),
        ("Export it as CSV please.", "CSV", "ORGANIZATION"),
        ("with concurrent use of NSAIDs and anticoagulants", "NSAIDs", "ORGANIZATION"),
        ("following the KDIGO guidelines from 2012", "KDIGO", "ORGANIZATION"),
        ("Give me three taglines for a peru wireless speaker.", "peru", "LOCATION"),
    ],
)
def test_words_in_real_prompts_are_still_dropped(text, value, entity):
    span = ner(text, value, entity)
    assert filters.ner_name_not_a_name(text, span) or filters.ner_name_without_evidence(text, span)


def test_only_spacy_names_are_filtered():
    text = "CV normal"
    span = Span(0, 2, "PERSON", 1.0, "DenyList_PERSON")
    assert not filters.ner_name_not_a_name(text, span)


@pytest.mark.parametrize(
    "value",
    ["3 days", "for two weeks", "8+ years", "a couple of months", "next week", "this morning", "the weekend", "years"],
)
def test_vague_dates_and_durations_are_dropped(value):
    text = f"It happened {value} ok"
    assert filters.vague_date(text, ner(text, value, "DATE_TIME"))


@pytest.mark.parametrize(
    "value", ["March 5th, 2021", "03/14/2024", "1977", "Tuesday", "2000-04-16 11:34:35", "the third of July", "9:30 pm"]
)
def test_calendar_dates_are_kept(value):
    text = f"It happened {value} ok"
    assert not filters.vague_date(text, ner(text, value, "DATE_TIME"))


@pytest.mark.parametrize(
    ("text", "value", "dropped"),
    [
        ("id 99555-123-456712", "555-123-4567", True),
        ("card 4111555123456789", "5551234567", True),
        ("call 555-123-4567 today", "555-123-4567", False),
        ("(555) 123-4567.", "(555) 123-4567", False),
    ],
)
def test_phone_inside_a_longer_digit_run(text, value, dropped):
    start = text.index(value)
    span = Span(start, start + len(value), "PHONE_NUMBER", 0.7, "PhoneNumberRecognizer")
    assert filters.phone_in_digit_run(text, span) is dropped


def test_overlaps_keep_the_pattern_over_ner_and_merge_same_type():
    spans = [
        Span(0, 10, "ORGANIZATION", 0.85, "SpacyRecognizer"),
        Span(0, 10, "LOCATION", 0.8, "FacilityRecognizer"),
        Span(8, 20, "LOCATION", 0.9, "StreetAddressRecognizer"),
        Span(30, 40, "HEALTH_CONTEXT", 0.6, "Care", "context"),
        Span(30, 35, "PERSON", 0.85, "SpacyRecognizer"),
    ]
    out = filters.resolve_overlaps(spans)
    assert [(s.start, s.end, s.entity_type) for s in out] == [
        (0, 20, "LOCATION"),
        (30, 35, "PERSON"),
        (30, 40, "HEALTH_CONTEXT"),
    ]


def final(engine, text: str, settings: Settings | None = None) -> list[tuple[str, str]]:
    spans = analyze_texts(engine, settings or Settings(), [text])[0]
    return [(s.entity_type, text[s.start : s.end]) for s in spans if s.kind == "identifier"]


def test_email_is_one_finding_without_url_or_org_inside(engine):
    text = "Write to Jane.Doe@acme-health.com or ORG@example.org today."
    found = final(engine, text)
    assert ("EMAIL_ADDRESS", "Jane.Doe@acme-health.com") in found
    assert ("EMAIL_ADDRESS", "ORG@example.org") in found
    assert not [t for t, v in found if t in {"URL", "ORGANIZATION", "PERSON"}]


def test_no_overlapping_identifiers_in_output(engine):
    text = "Dr. Ana Lima saw the 72-year-old at Mercy General Hospital, 12 Oak Street, Springfield, IL 62704."
    spans = [s for s in analyze_texts(engine, Settings(), [text])[0] if s.kind == "identifier"]
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.end <= b.start, (a, b)


@pytest.mark.parametrize(
    "text",
    [
        "def parse_user_id(raw): return raw.strip()",
        "CV: RRR, no murmurs. NEURO: grossly intact. O2 sat 98% on RA.",
        "Take it for 3 days, then for two weeks after that.",
        "ERROR 2024 worker_pool.py:88 retrying task id=77812 in 5s",
        "My driver said the license plate light was out, so I walked home.",
    ],
)
def test_known_presidio_failure_modes_report_nothing(engine, text):
    found = final(engine, text)
    assert not [t for t, _ in found if t in {"PERSON", "US_DRIVER_LICENSE", "PHONE_NUMBER"}], found
    assert not [v for t, v in found if t == "DATE_TIME" and "day" in v or "week" in v], found


def test_allow_list_suppresses_exact_values(engine):
    text = "Escalate to Riverside Family Clinic and to Maria Gonzalez."
    assert ("PERSON", "Maria Gonzalez") in final(engine, text)
    allowed = final(engine, text, Settings(allow_list=["maria gonzalez", "Riverside Family Clinic"]))
    assert not [v for _, v in allowed if "Maria" in v or "Riverside" in v]


@pytest.fixture(scope="module")
def deny_engine():
    from audit.scanner.engine import build_engine

    settings = Settings(deny_list={"PERSON": ["Zorblax"], "ORGANIZATION": ["project nightjar"]})
    return build_engine(settings), settings


def test_deny_list_values_are_always_reported(deny_engine):
    engine, settings = deny_engine
    text = "zorblax asked about Project Nightjar yesterday."
    found = final(engine, text, settings)
    assert ("PERSON", "zorblax") in found
    assert ("ORGANIZATION", "Project Nightjar") in found
