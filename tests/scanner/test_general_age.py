"""AGE / AGE_OVER_89: the phrase around a number decides; bare numbers and durations are not ages."""

from __future__ import annotations

import pytest

from audit.scanner.analyze import analyze_texts
from audit.settings import Settings


def ages(engine, text: str) -> list[tuple[str, str]]:
    spans = analyze_texts(engine, Settings(), [text])[0]
    return [(s.entity_type, text[s.start : s.end]) for s in spans if s.entity_type.startswith("AGE")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Patient is a 84-year-old male with a history of headaches", ("AGE", "84")),
        ("Mr. Lee is a 36 year old man who grew up in Poznan.", ("AGE", "36")),
        ("mgmt of hyperlipidemia in 58yo male", ("AGE", "58")),
        ("I'm originally from Lyon, and i'm 26 y/o.", ("AGE", "26")),
        ("He just turned 63 years old", ("AGE", "63")),
        ("patient aged 47 presents with cough", ("AGE", "47")),
        ("Age: 52", ("AGE", "52")),
        ("The patient is a 94-year-old woman presenting with dehydration.", ("AGE_OVER_89", "94")),
        ("45M with chest pain since this morning", ("AGE", "45")),
    ],
)
def test_ages_are_found(engine, text, expected):
    assert expected in ages(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "Take 45 mg twice a day for 3 years.",
        "The warranty is 2 years long and the model is 5 years newer.",
        "Room 45, bed 2.",
        "the 300-year-old bridge was closed",
    ],
)
def test_numbers_that_are_not_ages(engine, text):
    assert ages(engine, text) == []
