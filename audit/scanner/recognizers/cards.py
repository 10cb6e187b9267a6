"""Payment-card data around the PAN (PCI DSS): truncated PANs, CVV, expiry, track data, PIN.

Full PANs use Presidio's CreditCardRecognizer patterns and Luhn check, minus
numbers next to IMEI words (a 15-digit IMEI is Luhn-valid too). The rest covers
what it does not: already-truncated numbers, which must not count as full PANs
(PCI 3.4.1 allows BIN + last four), and the sensitive authentication data of 3.3.1.
"""

from __future__ import annotations

import re

from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

from audit.scanner.recognizers.banking import iban_spans
from audit.scanner.recognizers.base import Rule, ValidatedRecognizer, compile_words
from audit.scanner.recognizers.checksums import luhn_ok

_MASK = r"[*xX•#]"
_CARD_WORDS = (
    "card", "credit card", "debit card", "visa", "mastercard", "amex", "american express", "discover", "pan",
    "cardholder", "cc", "payment",
)  # fmt: skip
_GAP = r"[^\S\n]{0,3}(?:(?:is|was|code|number|no\.?|#|[:=(])[^\S\n]{0,3}){0,3}"


def outside_ibans(text: str, found: list) -> list:
    """`found` without the results lying inside a valid IBAN (its digit groups can pass Luhn)."""
    if not found:
        return found
    ibans = iban_spans(text)
    return [r for r in found if not any(s <= r.start and r.end <= e for s, e in ibans)]


class PaymentCardRecognizer(CreditCardRecognizer):
    """CREDIT_CARD: Presidio's PAN patterns and Luhn check, except a number announced as an IMEI or inside an IBAN."""

    _not_card = compile_words(("imei", "meid", "imeisv"))

    def __init__(self) -> None:
        super().__init__(context=list(_CARD_WORDS), name="PaymentCardRecognizer")

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        """Presidio's results without those preceded (within 20 chars) by IMEI words, or inside an IBAN."""
        found = super().analyze(text, entities, nlp_artifacts, regex_flags)
        found = [r for r in found if not self._not_card.search(text[max(0, r.start - 20) : r.start])]
        return outside_ibans(text, found)


class CardNumberRecognizer(ValidatedRecognizer):
    """CREDIT_CARD: any Luhn-valid 12-19 digit number right after card words.

    Covers what Presidio's pattern misses: 2-series Mastercard, 19-digit Visa, 12-digit Maestro.
    """

    ENTITY = "CREDIT_CARD"
    RULES = (Rule("pan", r"(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d-]|[ -]\d)", 0.0, 0.9),)
    CONTEXT = (
        "card",
        "credit card",
        "debit card",
        "cc",
        "visa",
        "mastercard",
        "amex",
        "discover",
        "maestro",
        "jcb",
        "pan",
    )
    WINDOW = (30, 0)
    REQUIRE_CONTEXT = True

    def analyze(self, text, entities, nlp_artifacts=None):
        """Luhn-valid numbers after card words, except inside an IBAN."""
        return outside_ibans(text, super().analyze(text, entities, nlp_artifacts))

    def validate(self, value: str) -> bool:
        """Luhn-valid, consistent separators, not one repeated digit (ASCII digits only: the scanner
        reads normalised text, and another script's digits must not reach the Luhn code)."""
        digits = re.sub(r"[^0-9]", "", value)
        return len(set(digits)) > 2 and luhn_ok(digits) and len({c for c in value if not c.isdigit()}) <= 1


class TruncatedCardRecognizer(ValidatedRecognizer):
    """CREDIT_CARD_TRUNCATED: a PAN showing at most BIN + last four ("411111******1111", "**** 1234", "ending in 1234")."""

    ENTITY = "CREDIT_CARD_TRUNCATED"
    RULES = (
        Rule(
            "masked-groups",
            rf"(?<![\w*•#]){_MASK}{{4}}(?:[ -]?{_MASK}{{4,6}}){{1,3}}[ -]?{_MASK}{{0,5}}\d{{4}}(?!\d)",
            0.7,
            0.9,
        ),
        Rule(
            "bin-mask-last4",
            rf"(?<![\w*•#])\d{{4}}[ -]?\d{{2,4}}[ -]?{_MASK}{{2,9}}(?:[ -]?{_MASK}{{1,4}})?[ -]?\d{{4}}(?!\d)",
            0.7,
            0.9,
        ),
        Rule("short-mask", rf"(?<![\w*•#]){_MASK}{{2,4}}[ -]?\d{{4}}(?!\d)", 0.2, 0.85),
        Rule(
            "ending-in",
            r"(?:ending|ends)\s{1,3}(?:in|with)\s{1,3}(?P<value>\d{4})(?!\d)|last\s{1,3}(?:4|four)(?:\s{1,3}digits)?(?:\s{1,3}(?:of|are|is|:)){0,2}\s{0,3}(?P<v2>\d{4})(?!\d)",
            0.2,
            0.85,
            re.IGNORECASE,
        ),
    )
    CONTEXT = _CARD_WORDS
    WINDOW = (40, 20)

    def candidates(self, text):
        """Also report the `v2` group of the 'last four' form."""
        for rule, start, end in super().candidates(text):
            if rule.name == "ending-in" and not text[start:end].isdigit():
                m = re.search(r"\d{4}$", text[start:end])
                start = end - 4 if m else start
            yield rule, start, end

    def validate(self, value: str) -> bool:
        """At most 12 digits visible (an 8-digit BIN plus last four) and at most 19 positions in all."""
        digits = sum(c.isdigit() for c in value)
        positions = sum(c.isdigit() or c in "*xX•#" for c in value)
        return digits <= 12 and positions <= 19


class CardSecurityCodeRecognizer(ValidatedRecognizer):
    """CARD_SECURITY_CODE: 3-4 digits right after CVV/CVC/CID/security code (sensitive authentication data)."""

    ENTITY = "CARD_SECURITY_CODE"
    RULES = (
        Rule(
            "labelled",
            r"(?<![A-Za-z])(?:cvv2?|cvc2?|cid|csc|cav2|card\s{1,3}verification(?:\s{1,3}(?:code|value|number))?|"
            rf"security\s{{1,3}}code|3-digit\s{{1,3}}code|4-digit\s{{1,3}}code){_GAP}(?P<value>\d{{3,4}})(?![\d/])",
            0.6,
            0.95,
            re.IGNORECASE,
        ),
    )
    CONTEXT = _CARD_WORDS + ("cvv", "cvc", "exp", "expiry", "expires", "cardholder")
    WINDOW = (150, 150)

    def analyze(self, text, entities, nlp_artifacts=None):
        """'CID'/'security code' alone are generic: those need card words around; CVV/CVC never do."""
        out = []
        for r in super().analyze(text, entities, nlp_artifacts):
            label = text[max(0, r.start - 40) : r.start].lower()
            if r.score >= 0.95 or re.search(r"cvv|cvc|cav2|card verification", label):
                r.score = 0.95
                out.append(r)
        return out


class CardExpiryRecognizer(ValidatedRecognizer):
    """CARD_EXPIRY: MM/YY or MM/YYYY after exp, expiry, expires, valid thru."""

    ENTITY = "CARD_EXPIRY"
    RULES = (
        Rule(
            "labelled",
            r"(?<![A-Za-z])(?:exp(?:iry|iration|ires|\.)?(?:\s{1,3}date)?|valid\s{1,3}(?:thru|through|until)|good\s{1,3}thru)"
            rf"{_GAP}(?P<value>(?:0?[1-9]|1[0-2])\s?[/-]\s?(?:20)?\d{{2}})(?![\d/])",
            0.6,
            0.85,
            re.IGNORECASE,
        ),
    )
    CONTEXT = _CARD_WORDS + ("cvv", "cvc")
    WINDOW = (120, 120)


class TrackDataRecognizer(ValidatedRecognizer):
    """CARD_TRACK_DATA: magnetic-stripe track 1 (%B...^NAME^YYMM...?) or track 2 (;PAN=YYMM...?) with a Luhn-valid PAN."""

    ENTITY = "CARD_TRACK_DATA"
    RULES = (
        Rule("track1", r"%?B(?P<value>\d{12,19}\^[^^\n]{2,26}\^\d{4}[^?\n\s]{0,79})\??", 1.0, 1.0),
        Rule("track2", r";?(?<!\d)(?P<value>\d{12,19}=\d{4}\d{0,32})\??", 1.0, 1.0),
    )

    def candidates(self, text):
        """The whole track, sentinels included."""
        for rule, start, end in super().candidates(text):
            start -= 2 if text[max(0, start - 2) : start] == "%B" else (1 if text[start - 1 : start] in ";B" else 0)
            end += 1 if text[end : end + 1] == "?" else 0
            yield rule, start, end

    def validate(self, value: str) -> bool:
        """The embedded PAN passes Luhn."""
        pan = re.match(r"[%;B]*(\d{12,19})", value)
        return bool(pan) and luhn_ok(pan.group(1))


class CardPinRecognizer(ValidatedRecognizer):
    """CARD_PIN: 4-12 digits after PIN, PIN code or PIN number; or a 16-hex-digit PIN block."""

    ENTITY = "CARD_PIN"
    RULES = (
        Rule(
            "pin",
            rf"(?<![A-Za-z])PIN(?:\s{{1,3}}(?:code|number|no\.?))?{_GAP}(?P<value>\d{{4,12}})(?![\d/])",
            0.85,
            0.9,
        ),
        Rule(
            "pin-lower",
            rf"(?<![A-Za-z])pin\s{{1,3}}(?:code|number|no\.?){_GAP}(?P<value>\d{{4,12}})(?![\d/])",
            0.85,
            0.9,
            re.IGNORECASE,
        ),
        Rule(
            "pin-block",
            r"(?<![A-Za-z])PIN[ -]?block(?:\s{0,3}[:=])?\s{0,3}(?P<value>[0-9A-Fa-f]{16})(?![0-9A-Za-z])",
            0.9,
            0.9,
            re.IGNORECASE,
        ),
    )


REPLACES = frozenset({"CreditCardRecognizer"})
RECOGNIZERS = [
    PaymentCardRecognizer,
    CardNumberRecognizer,
    TruncatedCardRecognizer,
    CardSecurityCodeRecognizer,
    CardExpiryRecognizer,
    TrackDataRecognizer,
    CardPinRecognizer,
]
