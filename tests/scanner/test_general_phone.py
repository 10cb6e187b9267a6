"""PHONE_NUMBER: international, North American and context-confirmed local numbers; not dates or IDs."""

from __future__ import annotations

import pytest

from audit.scanner.analyze import analyze_texts
from audit.settings import Settings


def phones(engine, text: str) -> list[str]:
    spans = analyze_texts(engine, Settings(), [text])[0]
    return [text[s.start : s.end] for s in spans if s.entity_type == "PHONE_NUMBER"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Best callback number is (559) 555-0142 in the afternoon.", "(559) 555-0142"),
        ("call me at 555.123.4567", "555.123.4567"),
        ("+46 (0)8 928 571 38 fax", "+46 (0)8 928 571 38"),
        ("mobile +447700677662", "+447700677662"),
        ("Can someone call me on 450 0840? I have questions.", "450 0840"),
        ("I would like to stop receiving messages to 699 956 915", "699 956 915"),
        ("Phone:\n60-56-85-91\n\nE-mail:", "60-56-85-91"),
        ("Desk: 5403926876", "5403926876"),
        ("phone +1-909-244-9098x83604 after five", "+1-909-244-9098x83604"),  # the extension is not counted
        ("phone 001-712-692-6767x0758.", "001-712-692-6767x0758"),
    ],
)
def test_phones_are_found(engine, text, number):
    assert number in phones(engine, text), phones(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "Order 4111 1111 1111 1111 shipped.",
        "Released on 2023-04-05 with 12,345 downloads.",
        "The population grew to 1 234 567 people.",
        "Trace id 20240405123456789012 failed",
        "Invoice 555-123-456712 is overdue",
    ],
)
def test_not_phones(engine, text):
    assert phones(engine, text) == []
