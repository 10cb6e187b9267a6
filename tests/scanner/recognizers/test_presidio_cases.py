"""Cases from Presidio's own recognizer tests that our replacements got wrong: IBAN, NPI, routing, passport, NHS."""

from __future__ import annotations

import pytest
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer
from stdnum import iban

from tests.scanner.recognizers.conftest import span_of

# (text, entity, value): the value must be reported as exactly this type at exactly this span.
POSITIVE = [
    # (a) a 24-character IBAN followed by a short word
    ("ES91 2100 0418 4502 0005 1332 by Friday", "IBAN_CODE", "ES91 2100 0418 4502 0005 1332"),
    ("IBAN ES91 2100 0418 4502 0005 1332 from now on", "IBAN_CODE", "ES91 2100 0418 4502 0005 1332"),
    ("please send to IBAN BE71 0961 2345 6769 today", "IBAN_CODE", "BE71 0961 2345 6769"),
    # (c) dash-separated
    ("IBAN DE89-3704-0044-0532-0130-00", "IBAN_CODE", "DE89-3704-0044-0532-0130-00"),
    ("iban es91-2100-0418-4502-0005-1332.", "IBAN_CODE", "es91-2100-0418-4502-0005-1332"),
    # (d) mod-97 and length valid, national check digits not: still an IBAN
    ("IBAN ES2921000418460200051332 please", "IBAN_CODE", "ES2921000418460200051332"),
    ("IBAN FR14 2004 1010 0505 0001 3M02 606", "IBAN_CODE", "FR14 2004 1010 0505 0001 3M02 606"),
    # (b) a Luhn-valid run of IBAN digit groups stays one IBAN, not a card
    ("Send it to DE89 4111 1111 1111 1111 11 today", "IBAN_CODE", "DE89 4111 1111 1111 1111 11"),
    ("card 5555 5555 5555 4444 and IBAN DE89 4111 1111 1111 1111 11", "CREDIT_CARD", "5555 5555 5555 4444"),
    # (e) NPI context
    ("provider identifier 1245319599", "US_NPI", "1245319599"),
    # (f) passport, not a phone number
    ("passport number is 912803456", "US_PASSPORT", "912803456"),
    # (g) NHS numbers: our documented UK_NHS, with NHS words only
    ("NHS number 401 023 2137", "UK_NHS", "401 023 2137"),
    ("his nhs no. is 943-476-5870", "UK_NHS", "943-476-5870"),
    # (h) dashed NPI and routing numbers are identifiers, not dates
    ("NPI 1245-319-599", "US_NPI", "1245-319-599"),
    ("my npi number is 124-531-9599", "US_NPI", "124-531-9599"),
    ("routing 0260-0959-3", "ABA_ROUTING_NUMBER", "0260-0959-3"),
    ("ABA routing number: 0260 0959 3", "ABA_ROUTING_NUMBER", "0260 0959 3"),
]

NEGATIVE = [
    ("IBAN DE89 3704 0044 0532 0130 01", "IBAN_CODE"),  # mod-97 fails
    ("IBAN DE89-3704 0044-0532 0130-00", "IBAN_CODE"),  # mixed separators
    ("ES91 2100 0418 4502 0005 133", "IBAN_CODE"),  # too short for Spain
    ("Send it to DE89 4111 1111 1111 1111 11 today", "CREDIT_CARD"),
    ("IBAN DE89 3704 0044 0532 0130 00", "CREDIT_CARD"),
    ("Call me on 4010232137 tomorrow", "UK_NHS"),  # NHS-checksum-valid, but no NHS words
    ("4010232137", "UK_NHS"),
    ("NHS number 401 023 2138", "UK_NHS"),
    ("cloud provider 1245319599", "US_NPI"),
    ("NPI 1245-319-598", "US_NPI"),
    ("routing 0260-0959-4", "ABA_ROUTING_NUMBER"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVE)
def test_found_with_exact_span(identifiers, text, entity, value):
    assert (entity, *span_of(text, value)) in identifiers(text)


@pytest.mark.parametrize(("text", "entity"), NEGATIVE)
def test_not_found(identifiers, text, entity):
    assert [s for s in identifiers(text) if s[0] == entity] == []


def test_the_card_in_iban_case_is_real():
    """Presidio's card recognizer does fire inside this IBAN: the test above guards a live defect."""
    text = "Send it to DE89 4111 1111 1111 1111 11 today"
    assert iban.is_valid("DE89411111111111111111")
    assert CreditCardRecognizer().analyze(text, ["CREDIT_CARD"])


def test_presidio_nhs_recognizer_is_replaced(engine):
    assert "NhsRecognizer" not in engine.recognizer_names
    assert "UkNhsNumberRecognizer" in engine.recognizer_names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("passport number is 912803456", [("US_PASSPORT", 19, 28)]),
        ("NPI 1245-319-599", [("US_NPI", 4, 16)]),
        ("routing 0260-0959-3", [("ABA_ROUTING_NUMBER", 8, 19)]),
        ("IBAN DE89-3704-0044-0532-0130-00", [("IBAN_CODE", 5, 32)]),
    ],
)
def test_nothing_else_is_reported(identifiers, text, expected):
    assert identifiers(text) == expected
