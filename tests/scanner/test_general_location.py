"""LOCATION: street addresses with their block lines, boxes, ZIP codes, hospitals and clinics, places in context."""

from __future__ import annotations

import pytest

from audit.scanner.analyze import analyze_texts
from audit.settings import Settings

LOCATION_TYPES = {"LOCATION", "US_ZIP_CODE"}


def places(engine, text: str) -> list[str]:
    spans = analyze_texts(engine, Settings(), [text])[0]
    return [text[s.start : s.end] for s in spans if s.entity_type in LOCATION_TYPES]


def covered(found: list[str], value: str) -> bool:
    return any(value in f for f in found)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Home address 4417 Old Kettle Rd, Fresno, CA 93726.", ["4417 Old Kettle Rd", "Fresno", "93726"]),
        ("Ship it to 1600 Pennsylvania Avenue NW, Washington, DC 20500", ["1600 Pennsylvania Avenue"]),
        (
            "Harry Sheppard\n\n515 385 Gemsbok St\n Apt. 460\n Pietersburg\n South Africa 89082",
            ["515 385 Gemsbok St", "Apt. 460", "Pietersburg", "South Africa 89082"],
        ),
        ("23680 Parijsstraat 8\n Apt. 026\n Zoetermeer\n\n Netherlands 91196", ["Parijsstraat 8", "Zoetermeer"]),
        ("my new address is PSC 2581, Box 0041\nAPO AP 32376", ["PSC 2581, Box 0041", "APO AP 32376"]),
        ("Send mail to P.O. Box 1234 please", ["P.O. Box 1234"]),
        ("ZIP: 3520", ["3520"]),
        ("operated at St. Vincent's on May 30th, 2022", ["St. Vincent's"]),
        ("post-hysterectomy procedure done at UCLA Medical Center on March 5th", ["UCLA Medical Center"]),
        ("evaluated at Elm Clinic on Jan 15th, 2023", ["Elm Clinic"]),
        ("was seen at NYU Langone on Feb 14th, 2024", ["NYU Langone"]),
        ("admitted to Mount Sinai Hospital on 06/01/2023", ["Mount Sinai Hospital"]),
        ("Mr. Rangel flew to HORTEN on Monday morning.", ["HORTEN"]),
        ("Mr. Nekrasov is a 22 year old man who grew up in Poznan.", ["Poznan"]),
        ("initially diagnosed by Dr. Nguyen at UCSF on March 15th, 2023", ["UCSF"]),
        ("I will be travelling to Sweden next week, so I need my passport", ["Sweden"]),
    ],
)
def test_places_are_found(engine, text, values):
    found = places(engine, text)
    for value in values:
        assert covered(found, value), (value, found)


@pytest.mark.parametrize(
    "text",
    [
        "I ran 3 miles in 2019 and scored 25 points.",
        "Read Chapter 3 and Section 12 before the exam.",
        "The meeting moved to March 15, 2022 at 10:00.",
        "Evidence for statins in adults over 75 with diabetes?",
        "We ordered 4 Big Macs and 2 Sprite Zero for the team.",
        "During 2017, Allstate Insurance Group invested heavily in chips.",
        "The Social Health Insights Orchestra was founded in 2002.",
    ],
)
def test_not_places(engine, text):
    assert places(engine, text) == []


def test_address_block_stops_before_phone_lines(engine):
    text = "515 385 Gemsbok St\n Apt. 460\n Pietersburg\n085 175 7641-Office"
    found = places(engine, text)
    assert not covered(found, "7641"), found
