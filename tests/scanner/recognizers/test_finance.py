"""Cards, banking and securities recognizers: must / must-not tables."""

from __future__ import annotations

import pytest

POSITIVE = [
    ("Card **** **** **** 1234 on file", "CREDIT_CARD_TRUNCATED", "**** **** **** 1234"),
    ("PAN 411111******1111 in the log", "CREDIT_CARD_TRUNCATED", "411111******1111"),
    ("XXXX-XXXX-XXXX-4242 was charged", "CREDIT_CARD_TRUNCATED", "XXXX-XXXX-XXXX-4242"),
    ("her Visa ending in 4242", "CREDIT_CARD_TRUNCATED", "4242"),
    ("card, last four digits 9876", "CREDIT_CARD_TRUNCATED", "9876"),
    ("pay with 4111 1111 1111 1111 today", "CREDIT_CARD", "4111 1111 1111 1111"),
    ("card 4111111111111111 CVV 123", "CARD_SECURITY_CODE", "123"),
    ("Amex CID: 1234", "CARD_SECURITY_CODE", "1234"),
    ("credit card security code is 987", "CARD_SECURITY_CODE", "987"),
    ("card exp 12/27", "CARD_EXPIRY", "12/27"),
    ("Expiration date: 03/2029", "CARD_EXPIRY", "03/2029"),
    (
        "%B4111111111111111^DOE/JOHN^2712101000000000000?",
        "CARD_TRACK_DATA",
        "%B4111111111111111^DOE/JOHN^2712101000000000000?",
    ),
    ("swipe ;4111111111111111=27121010000000000? done", "CARD_TRACK_DATA", ";4111111111111111=27121010000000000?"),
    ("ATM PIN: 4821", "CARD_PIN", "4821"),
    ("the pin number is 903311", "CARD_PIN", "903311"),
    ("Routing number 021000021 for the wire", "ABA_ROUTING_NUMBER", "021000021"),
    ("ABA 0210-0002-1", "ABA_ROUTING_NUMBER", "0210-0002-1"),
    ("checking account number 000123456789 at Chase Bank", "US_BANK_NUMBER", "000123456789"),
    ("IBAN DE89 3704 0044 0532 0130 00", "IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ("GB29NWBK60161331926819", "IBAN_CODE", "GB29NWBK60161331926819"),
    ("wire to SWIFT DEUTDEFF", "SWIFT_CODE", "DEUTDEFF"),
    ("send via COBADEFFXXX", "SWIFT_CODE", "COBADEFFXXX"),
    ("our EIN 04-2103594", "US_EIN", "04-2103594"),
    ("CUSIP 037833100", "CUSIP", "037833100"),
    ("bond 38259P508 matures", "CUSIP", "38259P508"),
    ("ISIN US0378331005", "ISIN", "US0378331005"),
    ("her account balance is low and she is a customer of the bank", "FINANCIAL_CONTEXT", "account balance"),
    ("the loan application was denied", "FINANCIAL_CONTEXT", "loan application"),
]

NEGATIVE = [
    ("4111 1111 1111 1112 is not Luhn-valid", "CREDIT_CARD"),
    ("IMEI 490154203237518", "CREDIT_CARD"),
    ("**** **** **** 1234", "CREDIT_CARD"),
    ("4111 11** **** 1111 is truncated", "CREDIT_CARD"),
    ("4111111111111111", "CREDIT_CARD_TRUNCATED"),
    ("the lease is ending in 2025", "CREDIT_CARD_TRUNCATED"),
    ("security code 4321 for the door", "CARD_SECURITY_CODE"),
    ("CID 1234 is the customer id", "CARD_SECURITY_CODE"),
    ("the exponent 10/12", "CARD_EXPIRY"),
    ("meeting 12/27 at noon", "CARD_EXPIRY"),
    ("4111111111111112=2712 invalid track", "CARD_TRACK_DATA"),
    ("pin the issue to 1234", "CARD_PIN"),
    ("ZIP 021000021", "ABA_ROUTING_NUMBER"),
    ("routing number 021000022", "ABA_ROUTING_NUMBER"),
    ("account 123456789", "US_BANK_NUMBER"),
    ("Routing number 021000021 for the bank account", "US_BANK_NUMBER"),
    ("order 12345678901 shipped", "US_BANK_NUMBER"),
    ("IBAN DE89 3704 0044 0532 0130 01", "IBAN_CODE"),
    ("The BUSINESS team is ABSOLUTE", "SWIFT_CODE"),
    ("phone 12-3456789", "US_EIN"),
    ("EIN 07-1234567", "US_EIN"),
    ("invoice 037833101", "CUSIP"),
    ("code US0378331006", "ISIN"),
    ("a balanced diet", "FINANCIAL_CONTEXT"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVE)
def test_finance_found(found, text, entity, value):
    assert value in found(text, entity)


@pytest.mark.parametrize(("text", "entity"), NEGATIVE)
def test_finance_not_found(found, text, entity):
    assert found(text, entity) == []


def test_truncated_pan_is_never_a_full_pan(found):
    text = "Refund to card 411111******1111 (exp 12/27)"
    assert found(text, "CREDIT_CARD") == []
    assert found(text, "CREDIT_CARD_TRUNCATED") == ["411111******1111"]
