"""Realistic stand-ins for identifiers, by entity type, drawn from a keyed random generator.

Each generator takes the original value (for its layout only: separators, length, case),
a `random.Random` seeded from a keyed digest of the value, and a Faker for the locale.
What a format gives is kept (the separators of a phone number, the length and brand digit
of a card, the country of an IBAN); what identifies is drawn anew, and checksums are made
to fail: a surrogate card, NPI or IMEI fails Luhn, a surrogate SSN is in the 9xx area with
a group no ITIN uses, a surrogate IBAN fails mod-97. Reserved names are used where they
exist (example.org, 192.0.2.0/24, 555-01xx).
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable

from audit.redact.checksums import break_aba, break_luhn, iban_ok

Generator = Callable[[str, random.Random, object], str]

_DIGIT = re.compile(r"\d")
# ZIP3 areas of 20,000 people or fewer (2000 Census, 67 FR 53182): Safe Harbor (B) sets them to 000.
RESTRICTED_ZIP3 = frozenset("036 059 063 102 203 556 692 790 821 823 830 831 878 879 884 890 893".split())
_TEST_NETS = ("192.0.2", "198.51.100", "203.0.113")
_DOMAINS = ("example.com", "example.org", "example.net")


def reshape(value: str, rng: random.Random, letters: bool = True) -> str:
    """Every digit replaced by a random digit and, with `letters`, every letter by a random letter of the same case."""
    out = []
    for ch in value:
        if ch.isdigit():
            out.append(rng.choice(string.digits))
        elif letters and ch.isascii() and ch.isalpha():
            out.append(rng.choice(string.ascii_uppercase if ch.isupper() else string.ascii_lowercase))
        else:
            out.append(ch)
    return "".join(out)


def _fill_digits(value: str, digits: str) -> str:
    """`value` with its digits replaced, in order, by `digits`."""
    it = iter(digits)
    return _DIGIT.sub(lambda _m: next(it), value)


def _digits_of(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def card(value: str, rng: random.Random, _faker) -> str:
    """Same length, separators and brand digit; random otherwise; never Luhn-valid."""
    digits = _digits_of(value)
    drawn = digits[:1] + "".join(rng.choice(string.digits) for _ in digits[1:])
    return _fill_digits(value, break_luhn(drawn))


def npi(value: str, rng: random.Random, _faker) -> str:
    """Ten digits that fail the NPI check (Luhn with the 80840 prefix)."""
    drawn = "".join(rng.choice(string.digits) for _ in _digits_of(value))
    return _fill_digits(value, break_luhn(drawn, "80840"))


def luhn_number(value: str, rng: random.Random, _faker) -> str:
    """Random digits in the value's layout that fail Luhn (IMEI)."""
    drawn = "".join(rng.choice(string.digits) for _ in _digits_of(value))
    return _fill_digits(value, break_luhn(drawn))


def ssn(value: str, rng: random.Random, _faker) -> str:
    """An SSN-shaped number no SSN or ITIN can be: area 9xx with a group under 50."""
    digits = _digits_of(value)
    if len(digits) != 9:
        return reshape(value, rng)
    drawn = "9" + _draw(rng, 2) + str(rng.randrange(5)) + _draw(rng, 5)
    return _fill_digits(value, drawn)


def routing(value: str, rng: random.Random, _faker) -> str:
    """Nine digits failing the ABA checksum."""
    drawn = "".join(rng.choice(string.digits) for _ in _digits_of(value))
    return _fill_digits(value, break_aba(drawn) if len(drawn) == 9 else drawn)


def iban(value: str, rng: random.Random, _faker) -> str:
    """Same country letters and layout, random check digits and account, never mod-97 valid."""
    head, rest = value[:2], value[2:]
    for _ in range(20):
        drawn = head + reshape(rest, rng)
        if not iban_ok(drawn):
            return drawn
    return head + reshape(rest, rng)


def phone(value: str, rng: random.Random, _faker) -> str:
    """Same separators; a North American number becomes a fictional 555-01xx number in a random area code."""
    digits = _digits_of(value)
    country = "1" if len(digits) == 11 and digits.startswith("1") else ""
    local = digits[len(country) :]
    if len(local) == 10:
        drawn = country + str(rng.randrange(2, 10)) + _draw(rng, 2) + "55501" + _draw(rng, 2)
    else:
        drawn = digits[:1] + _draw(rng, len(digits) - 1) if value.lstrip().startswith("+") else _draw(rng, len(digits))
    return _fill_digits(value, drawn)


def email(value: str, rng: random.Random, faker) -> str:
    """A user name at a reserved example domain."""
    return f"{faker.user_name()}{rng.randrange(10, 99)}@{rng.choice(_DOMAINS)}"


def url(value: str, rng: random.Random, _faker) -> str:
    """The same scheme on a reserved example domain, with a random path when the original had one."""
    scheme = value.split("://", 1)[0] + "://" if "://" in value else ""
    path = "/" + "".join(rng.choice(string.ascii_lowercase) for _ in range(8)) if "/" in value.split("://")[-1] else ""
    host = ("www." if "www." in value.lower() else "") + rng.choice(_DOMAINS)
    return scheme + host + path


def ip_address(value: str, rng: random.Random, _faker) -> str:
    """An address from the documentation ranges: 192.0.2.0/24 and friends, or 2001:db8::/32."""
    if ":" in value:
        return f"2001:db8::{rng.randrange(1, 0xFFFF):x}"
    return f"{rng.choice(_TEST_NETS)}.{rng.randrange(1, 255)}"


def person(value: str, rng: random.Random, faker) -> str:
    """A full name from the locale (names are normally mapped word by word: audit.redact.pseudonyms)."""
    return faker.name()


_STATE_ZIP = re.compile(r",?\s+([A-Z]{2})\s+(\d{3})\d{2}(-\d{4})?\s*\Z")


def location(value: str, rng: random.Random, faker) -> str:
    """A street address when the original starts with a number (with a city, and its state and ZIP3 when it had
    them: Safe Harbor keeps the state and the first three ZIP digits), else a city of the locale."""
    if not value[:1].isdigit():
        return faker.city()
    if "," not in value:
        return faker.street_address()
    tail = _STATE_ZIP.search(value)
    state = f", {tail.group(1)} {zip3(tail.group(2) + '00')}" if tail else ""
    return f"{faker.street_address()}, {faker.city()}{state}"


def zip3(value: str) -> str:
    """A ZIP code generalised as Safe Harbor (B) allows: its first three digits, then zeros (000 in small areas)."""
    digits = [c for c in value if c.isdigit()]
    head = "".join(digits[:3])
    keep = "000" if head in RESTRICTED_ZIP3 else head
    out = iter(keep + "0" * max(0, len(digits) - 3))
    return "".join(next(out) if c.isdigit() else c for c in value)


def organization(value: str, rng: random.Random, faker) -> str:
    """A company name of the locale."""
    return faker.company()


def username(value: str, rng: random.Random, faker) -> str:
    """A user name (a handle keeps its @)."""
    return ("@" if value.startswith("@") else "") + faker.user_name() + str(rng.randrange(10, 99))


def identifier(value: str, rng: random.Random, _faker) -> str:
    """The value's layout with new digits; letters drawn anew too when the value has few digits."""
    return reshape(value, rng, letters=sum(c.isdigit() for c in value) < 4)


def _draw(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


GENERATORS: dict[str, Generator] = {
    "PERSON": person,
    "LOCATION": location,
    "ORGANIZATION": organization,
    "EMAIL_ADDRESS": email,
    "URL": url,
    "IP_ADDRESS": ip_address,
    "PHONE_NUMBER": phone,
    "US_SSN": ssn,
    "US_ITIN": ssn,
    "CREDIT_CARD": card,
    "CREDIT_CARD_TRUNCATED": identifier,
    "US_NPI": npi,
    "IMEI": luhn_number,
    "IBAN_CODE": iban,
    "ABA_ROUTING_NUMBER": routing,
    "USERNAME": username,
}
# Types whose generator draws from Faker (the others draw from the seeded random.Random only).
FAKER_TYPES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "EMAIL_ADDRESS", "USERNAME"})
# Types with no realistic stand-in and no digits to redraw get a placeholder, as in mask mode.
PLACEHOLDER_ONLY = frozenset({"NRP", "PHOTO_REFERENCE"})


def generator_for(entity_type: str) -> Generator | None:
    """The surrogate generator of a type (shape-preserving redraw by default), None for placeholder-only types."""
    if entity_type in PLACEHOLDER_ONLY:
        return None
    return GENERATORS.get(entity_type, identifier)
