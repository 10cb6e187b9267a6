"""URL and EMAIL_ADDRESS: found in their usual shapes, not in file names, and linear on dotted runs."""

from __future__ import annotations

import time

import pytest

from audit.scanner.analyze import analyze_texts
from audit.scanner.recognizers.general_email import EmailAddressRecognizer
from audit.scanner.recognizers.general_url import WebUrlRecognizer
from audit.settings import Settings


def values(engine, text: str, entity: str) -> list[str]:
    spans = analyze_texts(engine, Settings(), [text])[0]
    return [text[s.start : s.end] for s in spans if s.entity_type == entity]


@pytest.mark.parametrize(
    ("text", "url"),
    [
        (
            "Log in at https://portal.acme-health.com/patients?id=42 to see it.",
            "https://portal.acme-health.com/patients?id=42",
        ),
        ("Our site is www.mercy.org.", "www.mercy.org"),
        ("Docs: example.com/help, then reply.", "example.com/help"),
        ("ftp://files.example.net:2121/a is the drop box", "ftp://files.example.net:2121/a"),
        ("Visit nhs.uk for advice", "nhs.uk"),
        ("readings go to https://portal.glucose.example/u/jdoe and", "https://portal.glucose.example/u/jdoe"),
    ],
)
def test_urls_are_found_without_trailing_punctuation(engine, text, url):
    assert url in values(engine, text, "URL")


@pytest.mark.parametrize("text", ["Run setup.py then read README.md", "unzip logs.zip and open notes.sh", "v1.2.3"])
def test_file_names_and_versions_are_not_urls(engine, text):
    assert values(engine, text, "URL") == []


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("Write to jane.doe@acme.io today", "jane.doe@acme.io"),
        ("cc user+tag@sub.mail.co.uk", "user+tag@sub.mail.co.uk"),
        ("test account qa.user@staging.example", "qa.user@staging.example"),
    ],
)
def test_emails_are_found(engine, text, email):
    assert email in values(engine, text, "EMAIL_ADDRESS")


def test_a_local_part_longer_than_rfc_5321_allows_is_not_an_email(engine):
    assert values(engine, "x" * 80 + "@example.com", "EMAIL_ADDRESS") == []


@pytest.mark.parametrize(
    "text",
    [
        "a." * 5_000 + "@" + "b." * 5_000,
        "a-" * 10_000 + "@b",
        "www." * 5_000,
        "http://" * 3_000,
        ("x" * 60 + ".") * 300 + "com",
        "1." * 10_000,
    ],
    ids=["dots-at", "dashes-at", "www-run", "scheme-run", "long-labels", "digit-dots"],
)
def test_url_and_email_patterns_are_linear(text):
    # Presidio's own URL and email patterns take 24 s and 11 s on the first of these.
    recognizers = [WebUrlRecognizer(), EmailAddressRecognizer()]
    started = time.process_time()
    for r in recognizers:
        r.analyze(text, r.supported_entities)
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("a full-face photo is on file as jdoe_frontal_2024.jpg.", "jdoe_frontal_2024.jpg"),
        ("Headshot: IMG_2231.HEIC uploaded by the patient", "IMG_2231.HEIC"),
        ("Attached the screenshot error_dialog.png from the build", None),
    ],
)
def test_photo_file_names_need_photo_context(engine, text, found):
    assert values(engine, text, "PHOTO_REFERENCE") == ([found] if found else [])
