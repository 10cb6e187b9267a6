"""Checksums a surrogate must fail, so no surrogate is a valid card, NPI, IMEI, IBAN or routing number."""

from __future__ import annotations


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def break_luhn(digits: str, prefix: str = "") -> str:
    """`digits` with its last digit changed, if needed, so that `prefix + digits` fails the Luhn check."""
    if not digits or not luhn_ok(prefix + digits):
        return digits
    last = (int(digits[-1]) + 1) % 10
    return digits[:-1] + str(last)


def aba_ok(digits: str) -> bool:
    """True for a nine-digit string passing the ABA routing 3-7-1 checksum."""
    if len(digits) != 9:
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def break_aba(digits: str) -> str:
    """`digits` with its last digit changed when it passes the routing checksum."""
    if not aba_ok(digits):
        return digits
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


def iban_ok(text: str) -> bool:
    """True when an IBAN-shaped string passes the ISO 13616 mod-97 check."""
    compact = "".join(c for c in text if c.isalnum()).upper()
    if len(compact) < 5:
        return False
    moved = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
    except ValueError:
        return False
