"""Healthcare identifiers with public formats: Medicare MBI, provider NPI, prescriber DEA number, UK NHS number.

Presidio 2.2.366 ships UsMbiRecognizer and UsNpiRecognizer disabled, and a
MedicalLicenseRecognizer that reports DEA numbers as MEDICAL_LICENSE with a
broken pattern (no word boundaries, so it fires inside longer tokens). These
replace all three with word-bounded patterns, full validation, and our own context window.
"""

from __future__ import annotations

import re

from stdnum.gb import nhs

from audit.scanner.recognizers.base import Rule, ValidatedRecognizer
from audit.scanner.recognizers.checksums import dea_check_ok, luhn_ok

_MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
_A = f"[{_MBI_ALPHA}]"
_AN = f"[0-9{_MBI_ALPHA}]"
_MBI = rf"[1-9]{_A}{_AN}[0-9]-?{_A}{_AN}[0-9]-?{_A}{_A}[0-9]{{2}}"


class MedicareBeneficiaryIdRecognizer(ValidatedRecognizer):
    """US_MBI: 11 characters, CMS position rules (digits at 1,4,7,10,11; no S/L/O/I/B/Z), dashes optional."""

    ENTITY = "US_MBI"
    RULES = (Rule("mbi", rf"(?<![A-Za-z0-9-]){_MBI}(?![A-Za-z0-9-])", 0.5, 0.9, re.IGNORECASE),)
    CONTEXT = ("medicare", "mbi", "beneficiary", "cms", "medicaid", "hicn", "red white and blue card")

    def validate(self, value: str) -> bool:
        """Upper-case (or consistently lower-case) and either no dashes or the 4-3-4 display form."""
        compact = value.replace("-", "")
        if value.count("-") not in (0, 2) or compact.upper() != compact and compact.lower() != compact:
            return False
        return not (value.count("-") == 2 and (value[4] != "-" or value[8] != "-"))


class NationalProviderIdRecognizer(ValidatedRecognizer):
    """US_NPI: 10 digits starting 1 or 2, Luhn-valid with the 80840 prefix. Weak without provider context."""

    ENTITY = "US_NPI"
    RULES = (
        Rule("npi", r"(?<![\d-])[12]\d{9}(?![\d-])", 0.3, 0.85),
        Rule("npi-grouped", r"(?<![\d-])[12]\d{3}[ -]\d{3}[ -]\d{3}(?![\d-])", 0.3, 0.85),
        # Other dash groupings ("124-531-9599"): spaCy takes these for dates unless a validated span claims them.
        Rule("npi-dashed", r"(?<![\d-])[12]\d{1,4}-\d{2,5}-\d{2,5}(?![\d-])", 0.2, 0.85),
    )
    CONTEXT = (
        "npi", "national provider", "provider id", "provider identifier", "provider number", "provider no",
        "provider #", "prescriber", "taxonomy", "nppes",
    )  # fmt: skip

    def validate(self, value: str) -> bool:
        """Ten digits, Luhn over '80840' + the ten digits, and not one repeated digit."""
        digits = re.sub(r"\D", "", value)
        return len(digits) == 10 and len(set(digits[:-1])) > 1 and luhn_ok("80840" + digits)


class DeaNumberRecognizer(ValidatedRecognizer):
    """DEA_NUMBER: registrant-type letter, a letter (or 9), seven digits with the DEA check digit."""

    ENTITY = "DEA_NUMBER"
    RULES = (Rule("dea", r"(?<![A-Za-z0-9])[ABCDEFGHJKLMPRSTUX][A-Z9][ -]?\d{7}(?![A-Za-z0-9])", 0.35, 0.9),)
    CONTEXT = ("dea", "prescriber", "registration", "controlled substance", "schedule ii", "prescribing")

    def validate(self, value: str) -> bool:
        """(d1+d3+d5) + 2*(d2+d4+d6) ends in d7."""
        return dea_check_ok("".join(c for c in value[2:] if c.isdigit()))


class UkNhsNumberRecognizer(ValidatedRecognizer):
    """UK_NHS: ten digits (3-3-4) with the NHS mod-11 check digit, only after NHS words.

    Replaces Presidio's NhsRecognizer, which reports any checksum-valid ten digits (one
    number in eleven, phone numbers included) at score 1.0 with no context at all.
    """

    ENTITY = "UK_NHS"
    RULES = (Rule("nhs", r"(?<![\d-])\d{3}(?P<sep>[ -]?)\d{3}(?P=sep)\d{4}(?![\d-])", 0.0, 0.85),)
    CONTEXT = ("nhs", "nhs number", "nhs no", "national health service", "nhs id")
    REQUIRE_CONTEXT = True

    def validate(self, value: str) -> bool:
        """The NHS mod-11 check (python-stdnum gb.nhs), not one repeated digit."""
        return len(set(value.replace(" ", "").replace("-", ""))) > 1 and nhs.is_valid(value)


RECOGNIZERS = [
    MedicareBeneficiaryIdRecognizer,
    NationalProviderIdRecognizer,
    DeaNumberRecognizer,
    UkNhsNumberRecognizer,
]
REPLACES = frozenset({"MedicalLicenseRecognizer", "UsMbiRecognizer", "UsNpiRecognizer", "NhsRecognizer"})
