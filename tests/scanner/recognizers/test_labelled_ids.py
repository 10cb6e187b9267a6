"""MEDICAL_RECORD_NUMBER, HEALTH_PLAN_ID, ACCOUNT_NUMBER and labelled US_SSN: must / must-not tables."""

from __future__ import annotations

import pytest

from audit.scanner.recognizers.labelled_ids import id_shaped, looks_like_date

POSITIVE = [
    ("Seen at Mercy with MRN CC-456789 yesterday", "MEDICAL_RECORD_NUMBER", "CC-456789"),
    ("Admitted (MRN: 00123456) for chest pain", "MEDICAL_RECORD_NUMBER", "00123456"),
    ("patient ID: 897-65-4321, seen by Dr. Ray", "MEDICAL_RECORD_NUMBER", "897-65-4321"),
    ("Her MRN is CG-123987.", "MEDICAL_RECORD_NUMBER", "CG-123987"),
    ("noted by Dr. Smith. mrn#MP98765.", "MEDICAL_RECORD_NUMBER", "MP98765"),
    ("Medical record number: P12345678", "MEDICAL_RECORD_NUMBER", "P12345678"),
    ("chart # 4471-220 reviewed", "MEDICAL_RECORD_NUMBER", "4471-220"),
    ("Refer to record #EM-345678.", "MEDICAL_RECORD_NUMBER", "EM-345678"),
    ("seen at the clinic on Monday (ID: 987654321)", "MEDICAL_RECORD_NUMBER", "987654321"),
    ("member ID W123456789 on the card", "HEALTH_PLAN_ID", "W123456789"),
    ("his insurance policy # is ABC-987654", "HEALTH_PLAN_ID", "ABC-987654"),
    ("Subscriber number: 55512-0090", "HEALTH_PLAN_ID", "55512-0090"),
    ("Her HMO ID is 5678-2345-4321.", "HEALTH_PLAN_ID", "5678-2345-4321"),
    ("Medicaid ID 99887766A", "HEALTH_PLAN_ID", "99887766A"),
    ("billing account 4400129 is overdue", "ACCOUNT_NUMBER", "4400129"),
    ("(Acct#: SH-456789)", "ACCOUNT_NUMBER", "SH-456789"),
    ("Account Number: 9876543210", "ACCOUNT_NUMBER", "9876543210"),
    ("SSN: 123-45-6789", "US_SSN", "123-45-6789"),
    ("SS# 219099999", "US_SSN", "219099999"),
    ("Social Security No. 219-09-9999", "US_SSN", "219-09-9999"),
]

NEGATIVE = [
    ("The MRN field is empty", "MEDICAL_RECORD_NUMBER"),
    ("MRN pending, admitted 2023-04-05", "MEDICAL_RECORD_NUMBER"),
    ("medical record dated 04/05/2023", "MEDICAL_RECORD_NUMBER"),
    ("The patient took 1200 mg daily", "MEDICAL_RECORD_NUMBER"),
    ("order ID: 55512345 shipped", "MEDICAL_RECORD_NUMBER"),
    ("record high of 1000 degrees", "MEDICAL_RECORD_NUMBER"),
    ("The plan is to start 2000 mg tomorrow", "HEALTH_PLAN_ID"),
    ("insurance covers 80 percent", "HEALTH_PLAN_ID"),
    ("our privacy policy applies", "HEALTH_PLAN_ID"),
    ("checking account number 123456789 at the bank", "ACCOUNT_NUMBER"),
    ("the account was opened in 2019", "ACCOUNT_NUMBER"),
    ("SSN: 000-12-3456", "US_SSN"),
    ("SSN is required", "US_SSN"),
]


# Device serials (Safe Harbor M) and other unique codes (R), found by their labels.
POSITIVE += [
    ("the insulin pump serial number is 88-ZQ-20931", "DEVICE_ID", "88-ZQ-20931"),
    ("Pacemaker ID PMX-44721 was interrogated", "DEVICE_ID", "PMX-44721"),
    ("health plan subscriber ID is QRT-55-10293", "HEALTH_PLAN_ID", "QRT-55-10293"),
    ("participant ID BLUEJAY-2291 enrolled in the trial", "UNIQUE_IDENTIFIER", "BLUEJAY-2291"),
    ("fingerprint template FT-812 is stored for login", "UNIQUE_IDENTIFIER", "FT-812"),
]
NEGATIVE += [
    ("The serial port is COM3 on this box", "DEVICE_ID"),
    ("Check the serial number on the back of the router", "DEVICE_ID"),
    ("Study code review is on Monday", "UNIQUE_IDENTIFIER"),
    ("The participant ID format is described below", "UNIQUE_IDENTIFIER"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVE)
def test_labelled_ids_found(found, text, entity, value):
    assert value in found(text, entity)


@pytest.mark.parametrize(("text", "entity"), NEGATIVE)
def test_labelled_ids_not_found(found, text, entity):
    assert found(text, entity) == []


@pytest.mark.parametrize("value", ["2023-04-05", "04/05/2023", "4-5-23", "#12/31/2024"])
def test_dates_are_not_ids(value):
    assert looks_like_date(value)
    assert not id_shaped(value)


@pytest.mark.parametrize("value", ["897-65-4321", "123-45-678", "CC-456789", "12345"])
def test_id_shapes(value):
    assert not looks_like_date(value)
    assert id_shaped(value)


def test_mrn_is_an_identifier_with_context_score(engine):
    results = engine.analyzer.analyze(text="MRN: 00123456", language="en", entities=["MEDICAL_RECORD_NUMBER"])
    assert [r.score for r in results] == [0.85]
