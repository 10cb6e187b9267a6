"""Legal markers and numbers, vehicle/device/geo quasi-identifiers, EU and biometric context: must / must-not tables."""

from __future__ import annotations

import pytest

from audit.scanner.recognizers.checksums import vin_check_digit_ok
from audit.scanner.recognizers.geo import RESTRICTED_ZIP3, safe_harbor_zip3

POSITIVE = [
    ("PRIVILEGED & CONFIDENTIAL", "LEGAL_PRIVILEGE_MARKER", "PRIVILEGED & CONFIDENTIAL"),
    ("Privileged and Confidential - draft", "LEGAL_PRIVILEGE_MARKER", "Privileged and Confidential"),
    ("ATTORNEY-CLIENT PRIVILEGED COMMUNICATION", "LEGAL_PRIVILEGE_MARKER", "ATTORNEY-CLIENT PRIVILEGED"),
    ("Attorney Work Product", "LEGAL_PRIVILEGE_MARKER", "Attorney Work Product"),
    ("Subject to Protective Order", "PROTECTIVE_ORDER_MARKER", "Subject to Protective Order"),
    ("ATTORNEYS' EYES ONLY", "PROTECTIVE_ORDER_MARKER", "ATTORNEYS' EYES ONLY"),
    ("Filed Under Seal", "PROTECTIVE_ORDER_MARKER", "Filed Under Seal"),
    (
        "Highly Confidential – Outside Counsel Only",
        "PROTECTIVE_ORDER_MARKER",
        "Highly Confidential – Outside Counsel Only",
    ),
    ("Smith v. Jones, No. 1:23-cv-04567", "CASE_NUMBER", "1:23-cv-04567"),
    ("U.S. v. Doe, 2:24-cr-00123-ABC", "CASE_NUMBER", "2:24-cr-00123-ABC"),
    ("Index No. 652345/2023", "CASE_NUMBER", "652345/2023"),
    ("Case No. CV-2023-001234", "CASE_NUMBER", "CV-2023-001234"),
    ("produced at ABC000123 - ABC000456", "BATES_NUMBER", "ABC000123 - ABC000456"),
    ("Bates DEF_0012345", "BATES_NUMBER", "DEF_0012345"),
    ("bill to client-matter 12345-0001", "CLIENT_MATTER_NUMBER", "12345-0001"),
    ("a litigation hold for our client", "LEGAL_MATTER_CONTEXT", "litigation hold"),
    ("VIN 1HGCM82633A004352", "VIN", "1HGCM82633A004352"),
    ("found 1M8GDM9AXKP042788 on the title", "VIN", "1M8GDM9AXKP042788"),
    ("license plate 7ABC123", "LICENSE_PLATE", "7ABC123"),
    ("plate number is ABC-1234", "LICENSE_PLATE", "ABC-1234"),
    ("IMEI 490154203237518", "IMEI", "490154203237518"),
    ("device 49-015420-323751-8", "IMEI", "49-015420-323751-8"),
    ("MAC 00:1A:2B:3C:4D:5E", "MAC_ADDRESS", "00:1A:2B:3C:4D:5E"),
    ("at 37.774929, -122.419416", "GEO_COORDINATES", "37.774929, -122.419416"),
    ("GDPR applies to this data subject", "EU_CONTEXT", "GDPR"),
    ("she lives in Germany", "EU_CONTEXT", "Germany"),
    ("store the fingerprint template", "BIOMETRIC_CONTEXT", "fingerprint template"),
    ("enrolled voiceprint", "BIOMETRIC_CONTEXT", "voiceprint"),
]

NEGATIVE = [
    ("confidential and important", "LEGAL_PRIVILEGE_MARKER"),
    ("the client was privileged to attend", "LEGAL_PRIVILEGE_MARKER"),
    ("the order was protective of staff", "PROTECTIVE_ORDER_MARKER"),
    ("the seal was broken", "PROTECTIVE_ORDER_MARKER"),
    ("version 1:23 of the file", "CASE_NUMBER"),
    ("case no. A-B", "CASE_NUMBER"),
    ("serial AB123456 on the box", "BATES_NUMBER"),
    ("build 12345-0001 released", "CLIENT_MATTER_NUMBER"),
    ("build 2023-0412 shipped", "CLIENT_MATTER_NUMBER"),
    ("hash 1HGCM82633A004353", "VIN"),
    ("ABCDEFGHJKLMNPRST", "VIN"),
    ("the ABC 1234 kit", "LICENSE_PLATE"),
    ("tag your friends", "LICENSE_PLATE"),
    ("order 490154203237519", "IMEI"),
    ("pi is 3.14159, e is 2.71828", "GEO_COORDINATES"),
    ("values 95.123456, 200.123456", "GEO_COORDINATES"),
    ("at 37.77, -122.41", "GEO_COORDINATES"),
    ("the general data was fine", "EU_CONTEXT"),
    ("SSH key fingerprints differ", "BIOMETRIC_CONTEXT"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVE)
def test_found(found, text, entity, value):
    assert value in found(text, entity)


@pytest.mark.parametrize(("text", "entity"), NEGATIVE)
def test_not_found(found, text, entity):
    assert found(text, entity) == []


def test_restricted_zip3():
    assert len(RESTRICTED_ZIP3) == 17 and "036" in RESTRICTED_ZIP3 and "893" in RESTRICTED_ZIP3
    assert safe_harbor_zip3("03601") == "000"
    assert safe_harbor_zip3("02139-4307") == "021"


def test_vin_check_digit():
    assert vin_check_digit_ok("1HGCM82633A004352")
    assert not vin_check_digit_ok("1HGCM82643A004352")


def test_markers_are_context_kind(engine, settings):
    from audit.scanner.analyze import analyze_texts

    (spans,) = analyze_texts(engine, settings, ["PRIVILEGED & CONFIDENTIAL. Filed Under Seal."])
    assert {s.entity_type: s.kind for s in spans} == {
        "LEGAL_PRIVILEGE_MARKER": "context",
        "PROTECTIVE_ORDER_MARKER": "context",
    }
