"""US_MBI, US_NPI, DEA_NUMBER, DATE_OF_BIRTH / DATE_OF_SERVICE, ICD10_CODE and care context: must / must-not tables."""

from __future__ import annotations

import pytest

from audit.scanner.recognizers.checksums import luhn_ok
from audit.scanner.recognizers.dates import real_date

POSITIVE = [
    ("Medicare MBI 1EG4-TE5-MK73 on file", "US_MBI", "1EG4-TE5-MK73"),
    ("beneficiary identifier 1EG4TE5MK73", "US_MBI", "1EG4TE5MK73"),
    ("Referring NPI: 1245319599", "US_NPI", "1245319599"),
    ("provider's NPI number is 1245-319-599", "US_NPI", "1245-319-599"),
    ("prescriber DEA number AB1234563", "DEA_NUMBER", "AB1234563"),
    ("DEA# BJ6125341 for schedule II", "DEA_NUMBER", "BJ6125341"),
    ("DOB: 03/14/1931, admitted on April 3rd, 2024", "DATE_OF_BIRTH", "03/14/1931"),
    ("DOB: 03/14/1931, admitted on April 3rd, 2024", "DATE_OF_SERVICE", "April 3rd, 2024"),
    ("She was born on 5 March 1948 in Ohio", "DATE_OF_BIRTH", "5 March 1948"),
    ("discharged 2023-11-02 to home", "DATE_OF_SERVICE", "2023-11-02"),
    ("he died on Jan 9th '23 at home", "DATE_OF_SERVICE", "Jan 9th '23"),
    ("Dx E11.9 confirmed", "ICD10_CODE", "E11.9"),
    ("ICD-10 code I10 for the visit", "ICD10_CODE", "I10"),
    ("billed as F11.20", "ICD10_CODE", "F11.20"),
    ("History of type 2 diabetes and COPD", "MEDICAL_CONDITION", "type 2 diabetes"),
    ("Nephrotic syndrome was ruled out", "MEDICAL_CONDITION", "Nephrotic syndrome"),
    ("started on metformin 500 mg", "MEDICATION", "metformin"),
    ("switch from Lipitor to rosuvastatin", "MEDICATION", "rosuvastatin"),
    ("on Suboxone via an opioid treatment program", "SUBSTANCE_USE_DISORDER", "opioid treatment program"),
    ("dx F10.20, alcohol use disorder", "SUBSTANCE_USE_DISORDER", "F10.20"),
    ("daily methadone dosing", "SUBSTANCE_USE_DISORDER", "methadone"),
    ("attends AA meetings weekly", "SUBSTANCE_USE_DISORDER", "AA meetings"),
    ("Summarise these psychotherapy notes", "PSYCHOTHERAPY_NOTE", "psychotherapy notes"),
    ("the copay for her office visit", "HEALTH_CONTEXT", "copay"),
    ("She does not want a diagnosis yet.", "HEALTH_CONTEXT", "diagnosis"),
]

NEGATIVE = [
    ("part number 1EG4TE5MK7", "US_MBI"),
    ("code 1SG4-TE5-MK73", "US_MBI"),  # S is never used
    ("call 2125551234 tomorrow", "US_NPI"),
    ("NPI: 1245319598", "US_NPI"),  # bad check digit
    ("order AB1234567 shipped", "DEA_NUMBER"),
    ("DEA number AB1234564", "DEA_NUMBER"),  # bad check digit
    ("the meeting is on 03/14/2024", "DATE_OF_BIRTH"),
    ("the meeting is on 03/14/2024", "DATE_OF_SERVICE"),
    ("admitted on 02/30/2023", "DATE_OF_SERVICE"),  # no such day
    ("DOB: 13/13/1990", "DATE_OF_BIRTH"),
    ("take the I10 highway", "ICD10_CODE"),
    ("E150 caramel colour", "ICD10_CODE"),
    ("vitamin B12 levels", "ICD10_CODE"),
    ("code Z99.99 is not real", "ICD10_CODE"),
    ("the shock absorber snapped", "MEDICAL_CONDITION"),
    ("a plan for falling prices", "MEDICAL_CONDITION"),
    ("lithium battery pack", "MEDICATION"),
    ("N/A for that field; NA", "SUBSTANCE_USE_DISORDER"),
    ("nicotine dependence F17.210", "SUBSTANCE_USE_DISORDER"),
    ("meeting notes from the sprint", "PSYCHOTHERAPY_NOTE"),
    ("the chart shows revenue", "HEALTH_CONTEXT"),
    ("You are the front desk. Never give a diagnosis.", "HEALTH_CONTEXT"),  # a bot's rule, not anyone's care
    ("Answer questions; do not offer a diagnosis or prescription advice.", "HEALTH_CONTEXT"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVE)
def test_healthcare_found(found, text, entity, value):
    assert value in found(text, entity)


@pytest.mark.parametrize(("text", "entity"), NEGATIVE)
def test_healthcare_not_found(found, text, entity):
    assert found(text, entity) == []


def test_npi_without_context_is_below_threshold(found):
    assert found("reference 1245319599", "US_NPI") == []
    assert found("reference 1245319599", "US_NPI", threshold=0.2) == ["1245319599"]


@pytest.mark.parametrize(
    ("value", "ok"), [("02/29/2024", True), ("02/29/2023", False), ("Feb 30, 2020", False), ("March 5th", True)]
)
def test_real_date(value, ok):
    assert real_date(value) is ok


def test_luhn():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_context_types_are_context_kind(engine, settings):
    from audit.scanner.analyze import analyze_texts

    (spans,) = analyze_texts(engine, settings, ["Dx E11.9, on metformin, psychotherapy notes attached"])
    kinds = {s.entity_type: s.kind for s in spans}
    assert kinds["ICD10_CODE"] == kinds["MEDICATION"] == kinds["PSYCHOTHERAPY_NOTE"] == "context"
