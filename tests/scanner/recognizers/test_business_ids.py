"""Labelled business identifiers, usernames and handles: must / must-not tables through the full analyze path."""

from __future__ import annotations

import pytest

from tests.scanner.recognizers.conftest import span_of

POSITIVE = [
    ("Account: 12345678901", "ACCOUNT_NUMBER", "12345678901"),
    ("Account No. 12345678", "ACCOUNT_NUMBER", "12345678"),
    ("Customer account # CU-778812 is past due", "ACCOUNT_NUMBER", "CU-778812"),
    ("Account No. 12345678 at Chase Bank", "US_BANK_NUMBER", "12345678"),
    ("checking account number 000123456789 at First Bank", "US_BANK_NUMBER", "000123456789"),
    ("Transaction ID: TXN-88213", "UNIQUE_IDENTIFIER", "TXN-88213"),
    ("Order #A1234567", "UNIQUE_IDENTIFIER", "A1234567"),
    ("Your order number is 700-4412983.", "UNIQUE_IDENTIFIER", "700-4412983"),
    ("Ticket 48213", "UNIQUE_IDENTIFIER", "48213"),
    ("support ticket #SR-20931 was escalated", "UNIQUE_IDENTIFIER", "SR-20931"),
    ("Invoice INV-2024-0042", "UNIQUE_IDENTIFIER", "INV-2024-0042"),
    ("invoice number: 0042917", "UNIQUE_IDENTIFIER", "0042917"),
    ("Booking ref: QX7-2291045 confirmed", "UNIQUE_IDENTIFIER", "QX7-2291045"),
    ("Policy number PL-4432198", "POLICY_NUMBER", "PL-4432198"),
    ("policy # 88120-334 lapsed", "POLICY_NUMBER", "88120-334"),
    ("Claim #CLM778812", "CLAIM_NUMBER", "CLM778812"),
    ("claim number: 2023-77812-A", "CLAIM_NUMBER", "2023-77812-A"),
    ("his insurance policy # is ABC-987654", "HEALTH_PLAN_ID", "ABC-987654"),
    ("seen at Mercy Health Clinic since 2022 (policy number: HP-987654)?", "HEALTH_PLAN_ID", "HP-987654"),
    ("the car was insured under policy number PL-4432198", "POLICY_NUMBER", "PL-4432198"),
    ("username: jdoe42", "USERNAME", "jdoe42"),
    ("Your issue is now logged under case ID #54321. We will expedite.", "UNIQUE_IDENTIFIER", "54321"),
    ("Your reference number is 7731-2209.", "UNIQUE_IDENTIFIER", "7731-2209"),
    ("Can you provide your order number?\n[10:02 AM] Customer: Yes, it's ORD987654.", "UNIQUE_IDENTIFIER", "ORD987654"),
    ("His NIP is 123-456-78-90 and he called.", "UNIQUE_IDENTIFIER", "123-456-78-90"),
    (r"input_file_path = r'C:\Users\Abu Bakr Siddique\Desktop\Test.txt'", "USERNAME", "Abu Bakr Siddique"),
    ("thrown in /home/fxu80pep/public_html/pro_login.php on line 25", "USERNAME", "fxu80pep"),
    ("Login: j.doe-admin. Password reset sent.", "USERNAME", "j.doe-admin"),
    ("her user ID is mwhite_77", "USERNAME", "mwhite_77"),
    ("follow @jane_doe on twitter", "USERNAME", "@jane_doe"),
    ("Thanks @jane_doe! See you.", "USERNAME", "@jane_doe"),
    ("DM @ElonMusk on X about it", "USERNAME", "@ElonMusk"),
    ("@jdoe42 can you check the build", "USERNAME", "@jdoe42"),
    ("passport number is 912803456", "US_PASSPORT", "912803456"),
    ("Passport No: C03005988, issued 2019", "US_PASSPORT", "C03005988"),
]

NEGATIVE = [
    ("Transaction Date: 2024-03-05", "UNIQUE_IDENTIFIER"),
    ("Transaction amount: 450.00 EUR", "UNIQUE_IDENTIFIER"),
    ("Order of 50000 units arrived", "UNIQUE_IDENTIFIER"),
    ("an order of magnitude 10000 times larger", "UNIQUE_IDENTIFIER"),
    ("in order 12345 to", "US_BANK_NUMBER"),
    ("The court order 2023-0456 stands", "UNIQUE_IDENTIFIER"),
    ("Invoice total 1234.56 due", "UNIQUE_IDENTIFIER"),
    ("Ticket price 48.50", "UNIQUE_IDENTIFIER"),
    ("ticket sales in 2024 rose", "UNIQUE_IDENTIFIER"),
    ("Order 2024 was a good year", "UNIQUE_IDENTIFIER"),
    ("release version 3.2.1 with policy 2.0.1", "POLICY_NUMBER"),
    ("Our privacy policy 2024 applies", "POLICY_NUMBER"),
    ("admitted to Mercy Hospital, policy number HP-987654", "POLICY_NUMBER"),
    ("he will claim 50000 dollars", "CLAIM_NUMBER"),
    ("The username field is required", "USERNAME"),
    ("username: required", "USERNAME"),
    ("email me at jdoe@example.com", "USERNAME"),
    ("username: jane.doe@example.com", "USERNAME"),
    ('@app.route("/login")\ndef login(): pass', "USERNAME"),
    ("@pytest.fixture\ndef engine(): ...", "USERNAME"),
    ("@pytest.mark.parametrize('x', [1])", "USERNAME"),
    ("@lru_cache\ndef f(): pass", "USERNAME"),
    ("@dataclass(frozen=True)\nclass A: ...", "USERNAME"),
    ("@count_1 = 0", "USERNAME"),
    ("import { x } from '@angular/core'", "USERNAME"),
    ("Ping @ElonMusk about it", "USERNAME"),
    ("see https://medium.com/@jane_doe/post", "USERNAME"),
    (r"copy it to C:\Users\Public\Documents", "USERNAME"),
    ("What is your order number?\nIt is 5 units.", "UNIQUE_IDENTIFIER"),
    ("the case of 50000 units arrived", "UNIQUE_IDENTIFIER"),
    ("cd /home/$USER/projects", "USERNAME"),
    ("passport number pending", "US_PASSPORT"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVE)
def test_business_id_found_with_exact_span(identifiers, text, entity, value):
    assert (entity, *span_of(text, value)) in identifiers(text)


@pytest.mark.parametrize(("text", "entity"), NEGATIVE)
def test_business_id_not_found(identifiers, text, entity):
    assert [s for s in identifiers(text) if s[0] == entity] == []


@pytest.mark.parametrize(
    "text", ["Transaction Date: 2024-03-05", "Order Status: shipped", "Ticket Type: refund", "Claim Date: 05/03/2024"]
)
def test_field_labels_are_not_reported(identifiers, text):
    # spaCy's NER sometimes tags a title-case label ("Transaction Date") as an ORGANIZATION; that is
    # the NER filters' concern (audit/scanner/filters.py), not a labelled-ID recognizer's.
    label_end = text.index(":")
    assert [s for s in identifiers(text) if s[1] < label_end and s[0] not in ("ORGANIZATION", "PERSON")] == []


def test_passport_is_not_a_phone_number(identifiers):
    text = "passport number is 912803456"
    assert identifiers(text) == [("US_PASSPORT", 19, 28)]
