"""Surrogates keep a value's format and fail its checksum; one value, one surrogate; two values, two."""

from __future__ import annotations

import random
import re

import pytest

from audit.redact import dates
from audit.redact.checksums import aba_ok, iban_ok, luhn_ok
from audit.redact.pseudonyms import STRIP_MARKER, Replacer
from audit.redact.surrogates import card, iban, npi, phone, routing, ssn, zip3

SEEDS = range(300)


@pytest.mark.parametrize("value", ["4111-1111-1111-1111", "4111111111111111", "3782 822463 10005"])
def test_surrogate_cards_keep_layout_and_brand_and_fail_luhn(value):
    for seed in SEEDS:
        got = card(value, random.Random(seed), None)
        assert re.sub(r"\d", "9", got) == re.sub(r"\d", "9", value) and got[0] == value[0]
        assert not luhn_ok(re.sub(r"\D", "", got))


def test_surrogate_ssns_are_in_no_issued_range():
    for seed in SEEDS:
        got = ssn("219-09-9999", random.Random(seed), None)
        assert re.fullmatch(r"9\d\d-[0-4]\d-\d{4}", got), got  # 9xx is never an SSN; group < 50 is never an ITIN


def test_other_checksums_fail():
    for seed in SEEDS:
        rng = random.Random(seed)
        assert not luhn_ok("80840" + npi("1234567893", rng, None))
        assert not aba_ok(routing("123456780", rng, None))
        assert not iban_ok(iban("DE89370400440532013000", rng, None))


def test_phone_numbers_keep_their_separators_in_the_fictional_555_range():
    got = phone("(617) 201-4477", random.Random(1), None)
    assert re.fullmatch(r"\([2-9]\d\d\) 555-01\d\d", got)


@pytest.mark.parametrize(
    ("value", "expected"), [("02139", "02100"), ("03601", "00000"), ("90210-1234", "90200-0000")]
)  # fmt: skip
def test_zip_codes_keep_three_digits_unless_the_area_is_small(value, expected):
    assert zip3(value) == expected


@pytest.mark.parametrize(
    ("text", "shifted"),
    [
        ("03/12/1984", "04/21/1984"),
        ("DOB 1984-03-12", "DOB 1984-04-21"),
        ("8/23", "10/2"),
        ("March 12, 2024", "April 21, 2024"),
        ("12 MAR 2024", "21 APR 2024"),
        ("23/8", "2/10"),
        ("2 nov, 96", "12 dec, 96"),  # two-digit year after a comma
        ("1->2 nov, 96", "11->12 dec, 96"),  # the first day of a range moves with it
        ("30 to 31 Oct 2020", "9 to 10 Dec 2020"),
        ("3-5 March", "12-14 April"),
    ],
)
def test_dates_move_by_the_offset_in_their_own_layout(text, shifted):
    assert dates.shift_dates(text, 40) == shifted


def test_every_offset_moves_day_or_month():
    offsets = {dates.shift_offset(v.to_bytes(4, "big")) for v in range(2 * dates.MAX_SHIFT_DAYS)}
    assert max(offsets) == dates.MAX_SHIFT_DAYS and min(offsets) == -dates.MAX_SHIFT_DAYS
    assert len(offsets) == 2 * (dates.MAX_SHIFT_DAYS - dates.MIN_SHIFT_DAYS + 1)
    assert min(abs(d) for d in offsets) == dates.MIN_SHIFT_DAYS
    for days in (-dates.MIN_SHIFT_DAYS, dates.MIN_SHIFT_DAYS):  # the month always moves
        assert dates.shift_dates("July 1st", days)[:4] != "July" and dates.shift_dates("July 31st", days)[:4] != "July"
    for days in (-dates.MAX_SHIFT_DAYS, dates.MAX_SHIFT_DAYS):  # 365 would leave "8/23" as it was
        assert dates.shift_dates("8/23", days) != "8/23" and dates.shift_dates("March 21, 1899", days)[:8] != "March 21"


@pytest.mark.parametrize("text", ["1992", "2130", "10:45 am", "last spring", "yesterday"])
def test_years_times_and_relative_dates_are_kept(text):
    assert dates.shift_dates(text, 40) == text


def test_ages_over_89_join_the_90_group():
    assert dates.cap_age("94") == "90" and dates.cap_age("a 103-year-old") == "a 90-year-old"
    assert dates.cap_age("89") == "89"


def test_one_value_one_surrogate_in_any_case_and_two_values_never_share_one():
    r = Replacer(b"k" * 32)
    a = r.replace("PERSON", "Maria Lopez", False, 0)
    assert r.replace("PERSON", "MARIA LOPEZ", False, 0) == a.upper()
    assert r.replace("PERSON", "Maria", False, 0) == a.split()[0]
    seen = {}
    for i in range(3000):  # more distinct surnames than the locale lists: collisions must be resolved
        value = f"Patient{i:04d}"
        got = r.replace("PERSON", value, False, 0)
        assert got not in seen, f"{value} and {seen.get(got)} share {got}"
        assert got.casefold() != value.casefold()
        seen[got] = value


def test_another_install_secret_gives_other_surrogates():
    one, two = Replacer(b"a" * 32), Replacer(b"b" * 32)
    assert one.replace("US_SSN", "219-09-9999", False, 0) != two.replace("US_SSN", "219-09-9999", False, 0)


def test_strip_and_mask():
    r = Replacer(b"k" * 32, mode="mask")
    assert r.replace("API_KEY", "sk-abc", True, 0) == STRIP_MARKER
    assert r.replace("PERSON", "Maria Lopez", False, 0) == "<PERSON_1>"
    assert r.replace("PERSON", "Ann Lee", False, 0) == "<PERSON_2>"
    assert r.replace("PERSON", "maria  lopez", False, 0) == "<PERSON_1>"
