"""Check-digit algorithms that recognizers validate candidates with.

python-stdnum provides most of them (IBAN, NHS, IMEI, ISIN and others are called
from their recognizers directly); the ones here are those it lacks, plus Luhn
under the name recognizers use for a bare digit string.
"""

from __future__ import annotations

from stdnum import luhn

# ISO 3779 / 49 CFR 565 transliteration and position weights for the North American check digit.
_TRANSLIT = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True))}
_TRANSLIT.update(dict(zip("JKLMN", range(1, 6), strict=True)) | {"P": 7, "R": 9})
_TRANSLIT.update(dict(zip("STUVWXYZ", range(2, 10), strict=True)))
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def ascii_digits(value: str) -> bool:
    """True when `value` is a non-empty run of ASCII digits: `\\d` and `str.isdigit` also take other
    scripts' digits (and superscripts), on which the check-digit code raises instead of answering."""
    return value.isascii() and value.isdigit()


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn (mod 10) check (python-stdnum luhn); False for
    anything but ASCII digits."""
    return ascii_digits(digits) and luhn.checksum(digits) == 0


def dea_check_ok(digits: str) -> bool:
    """True when seven DEA digits satisfy (d1+d3+d5) + 2*(d2+d4+d6) ending in d7."""
    if not ascii_digits(digits):
        return False
    d = [int(c) for c in digits]
    return len(d) == 7 and (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


def vin_check_digit_ok(vin: str) -> bool:
    """True when position 9 of a 17-character VIN matches the weighted mod-11 check digit (X for 10)."""
    if len(vin) != len(_WEIGHTS) or any(c not in _TRANSLIT for c in vin):
        return False
    total = sum(_TRANSLIT[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    expected = "X" if total % 11 == 10 else str(total % 11)
    return vin[8] == expected
