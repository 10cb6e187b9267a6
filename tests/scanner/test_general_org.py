"""ORGANIZATION: company-suffixed names and employer slots; DRIVER_LICENSE only with licence context."""

from __future__ import annotations

import pytest

from audit.scanner.analyze import analyze_texts
from audit.settings import Settings


def of_type(engine, text: str, entity: str) -> list[str]:
    spans = analyze_texts(engine, Settings(), [text])[0]
    return [text[s.start : s.end] for s in spans if s.entity_type == entity]


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("I used to work for Transparagov as a dairy scientist.", "Transparagov"),
        ("Selina Eldarkhanov\nSmith Ltd.\n30102 Kaevu 94", "Smith Ltd"),
        ("Standard And Poors is a design agency based in Gueret.", "Standard And Poors"),
        ("She joined Northwind Analytics last spring.", "Northwind Analytics"),
        ("Margaret S. Stouffer of Guidestar is the CEO of the year.", "Guidestar"),
        ("Thomas Svendsen\nAssistant property manager\nHopstop\nPSC 6477, Box 2981\nAPO AE 83700", "Hopstop"),
        ("Julcsa Karpathy\nMhealthcoach\n50668 Kiannonkatu 98 Apt. 105, ISHAM, United Kingdom", "Mhealthcoach"),
    ],
)
def test_orgs_are_found(engine, text, org):
    assert any(org in found for found in of_type(engine, text, "ORGANIZATION"))


@pytest.mark.parametrize(
    ("text", "licence"),
    [
        ("My driver's license number is F162823540116", "F162823540116"),
        ("DL# D1234567 issued in CA", "D1234567"),
    ],
)
def test_driver_licence_needs_context(engine, text, licence):
    assert licence in of_type(engine, text, "US_DRIVER_LICENSE")


@pytest.mark.parametrize(
    "text",
    ["The ABC123 driver crashed", "Order W1234567 shipped today", "Reference AB12345 attached", "Enjoy the Football"],
)
def test_no_driver_licence_without_context(engine, text):
    assert of_type(engine, text, "US_DRIVER_LICENSE") == []
