"""Vehicle and device identifiers (Safe Harbor L, M): VIN, licence plate, IMEI. MAC addresses stay with Presidio."""

from __future__ import annotations

import re

from stdnum import imei

from audit.scanner.recognizers.base import Rule, ValidatedRecognizer
from audit.scanner.recognizers.checksums import vin_check_digit_ok


class VinRecognizer(ValidatedRecognizer):
    """VIN: 17 characters without I, O, Q, check digit valid (North American); other VINs only with vehicle words."""

    ENTITY = "VIN"
    RULES = (Rule("vin", r"(?<![A-Za-z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Za-z0-9])", 0.4, 0.9),)
    CONTEXT = (
        "vin",
        "vehicle",
        "chassis",
        "car",
        "truck",
        "motorcycle",
        "title",
        "registration",
        "vehicle identification",
    )

    def analyze(self, text, entities, nlp_artifacts=None):
        """Check-digit-valid VINs score 0.7 alone; non-NA VINs (no check digit) need context."""
        out = []
        for r in super().analyze(text, entities, nlp_artifacts):
            valid = vin_check_digit_ok(text[r.start : r.end])
            if valid and r.score < 0.9:
                r.score = 0.7
            if valid or r.score >= 0.9:
                out.append(r)
        return out

    def validate(self, value: str) -> bool:
        """Letters and digits both present, and not one repeated character."""
        return bool(re.search(r"\d", value) and re.search(r"[A-Z]", value)) and len(set(value)) > 4


class LicensePlateRecognizer(ValidatedRecognizer):
    """LICENSE_PLATE: 2-8 letters/digits with a space or dash, only right after plate/tag/registration words."""

    ENTITY = "LICENSE_PLATE"
    RULES = (
        Rule(
            "plate",
            r"(?i:\b(?:licen[sc]e\s{1,3}plate|plate|tag|registration|reg\.?|number\s{1,3}plate)(?![A-Za-z])(?:\s{1,3}(?:number|no\.?|#))?"
            r"(?:\s{1,3}(?:is|was|reads|of))?\s{0,3}[:#]?\s{0,3})(?P<value>[A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,5})(?![A-Za-z0-9])",
            0.85,
            0.85,
        ),
    )

    def validate(self, value: str) -> bool:
        """Upper case, 4-9 characters, at least one digit (plates are rarely all letters)."""
        compact = value.replace(" ", "").replace("-", "")
        return value.upper() == value and 4 <= len(compact) <= 8 and any(c.isdigit() for c in compact)


class ImeiRecognizer(ValidatedRecognizer):
    """IMEI: 15 digits (optionally grouped 2-6-6-1) passing Luhn (python-stdnum imei).

    Luhn-valid 15-digit IMEIs also look like 15-digit card numbers; next to IMEI words this scores 1.0 so it
    can win the overlap against CREDIT_CARD.
    """

    ENTITY = "IMEI"
    RULES = (
        Rule("imei", r"(?<![\d-])\d{15}(?![\d-])", 0.35, 1.0),
        Rule("imei-grouped", r"(?<![\d-])\d{2}[- ]\d{6}[- ]\d{6}[- ]\d(?![\d-])", 0.6, 1.0),
    )
    CONTEXT = ("imei", "device", "handset", "phone", "serial", "meid", "sim")

    def validate(self, value: str) -> bool:
        """stdnum's IMEI check (Luhn), not a run of one digit."""
        digits = re.sub(r"\D", "", value)
        return len(set(digits)) > 2 and imei.is_valid(digits)


RECOGNIZERS = [VinRecognizer, LicensePlateRecognizer, ImeiRecognizer]
