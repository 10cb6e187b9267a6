"""Security identifiers: CUSIP and ISIN, check digits via python-stdnum."""

from __future__ import annotations

from stdnum import cusip, isin

from audit.scanner.recognizers.base import Rule, ValidatedRecognizer

_SECURITY_WORDS = (
    "cusip",
    "isin",
    "security",
    "securities",
    "bond",
    "bonds",
    "shares",
    "stock",
    "note",
    "fund",
    "holding",
    "ticker",
)


class CusipRecognizer(ValidatedRecognizer):
    """CUSIP: nine characters with the CUSIP check digit. An all-digit CUSIP needs context (1 in 10 numbers pass)."""

    ENTITY = "CUSIP"
    RULES = (Rule("cusip", r"(?<![A-Za-z0-9])[0-9]{3}[0-9A-Z]{5}[0-9](?![A-Za-z0-9])", 0.3, 0.85),)
    CONTEXT = _SECURITY_WORDS

    def validate(self, value: str) -> bool:
        """stdnum's CUSIP check, with at least one letter or digits that are not one run."""
        return cusip.is_valid(value) and len(set(value)) > 2

    def analyze(self, text, entities, nlp_artifacts=None):
        """Letters-and-digits CUSIPs pass alone at 0.5; all-digit ones only with context."""
        out = super().analyze(text, entities, nlp_artifacts)
        for r in out:
            if r.score < 0.85 and not text[r.start : r.end].isdigit():
                r.score = 0.5
        return out


class IsinRecognizer(ValidatedRecognizer):
    """ISIN: country code, nine-character NSIN and a Luhn check digit (stdnum isin)."""

    ENTITY = "ISIN"
    RULES = (Rule("isin", r"(?<![A-Za-z0-9])[A-Z]{2}[0-9A-Z]{9}[0-9](?![A-Za-z0-9])", 0.7, 0.9),)
    CONTEXT = _SECURITY_WORDS

    def validate(self, value: str) -> bool:
        """stdnum's ISIN check (country code and check digit)."""
        return isin.is_valid(value)


RECOGNIZERS = [CusipRecognizer, IsinRecognizer]
