"""Bank and institution identifiers (GLBA): routing numbers, bank accounts, IBAN, SWIFT/BIC, EIN, and financial context."""

from __future__ import annotations

import re

from schwifty import BIC
from stdnum import iban
from stdnum.us import ein, rtn

from audit.scanner.lexicon import lexicon
from audit.scanner.recognizers.base import Rule, TermRecognizer, ValidatedRecognizer, compile_words

_ROUTING_WORDS = ("routing", "aba", "rtn", "transit", "routing number", "routing no", "wire routing", "ach")
# Groups of four after the country and check digits, one separator style throughout (IBAN
# lengths are 15-34, so at most eight groups); bounded, with no overlapping quantifiers.
IBAN_PATTERN = (
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?P<sep>[ -]?)[A-Z0-9]{4}(?:(?P=sep)[A-Z0-9]{4}){1,6}"
    r"(?:(?P=sep)[A-Z0-9]{1,3})?(?![A-Za-z0-9]|-[A-Za-z0-9])"
)
_ACCOUNT_WORDS = (
    "account", "acct", "a/c", "checking", "savings", "bank account", "deposit account", "dda", "account number",
    "account no", "acct no", "acct #", "account #", "beneficiary account",
)  # fmt: skip


class RoutingNumberRecognizer(ValidatedRecognizer):
    """ABA_ROUTING_NUMBER: nine digits with the 3-7-1 checksum (python-stdnum us.rtn); needs routing words to pass."""

    ENTITY = "ABA_ROUTING_NUMBER"
    RULES = (
        Rule("rtn", r"(?<![\d-])[0-36-9]\d{8}(?![\d-])", 0.2, 0.9),
        Rule("rtn-grouped", r"(?<![\d-])[0-36-9]\d{3}(?P<sep>[ -])\d{4}(?P=sep)\d(?![\d-])", 0.3, 0.9),
    )
    CONTEXT = _ROUTING_WORDS

    def validate(self, value: str) -> bool:
        """The routing-number checksum, and not nine identical digits."""
        digits = value.replace("-", "").replace(" ", "")
        return len(set(digits)) > 1 and rtn.is_valid(digits)


class UsBankNumberRecognizer(ValidatedRecognizer):
    """US_BANK_NUMBER: 6-17 digits only where account words are the nearest cue (not routing words)."""

    ENTITY = "US_BANK_NUMBER"
    RULES = (Rule("account", r"(?<![\d-])\d{6,17}(?![\d-])", 0.0, 0.8),)
    CONTEXT = _ACCOUNT_WORDS
    REQUIRE_CONTEXT = True
    _routing = compile_words(_ROUTING_WORDS)
    _bank = compile_words(("bank", "checking", "savings", "routing", "deposit", "wire", "ach", "credit union", "dda"))

    def context_near(self, text: str, start: int, end: int) -> bool:
        """Account words just before, bank words within the sentence, and no routing word closer than them."""
        before = text[max(0, start - self.WINDOW[0]) : start]
        acct = [m.end() for m in self._context.finditer(before)]
        routing = [m.end() for m in self._routing.finditer(before)]
        around = text[max(0, start - 120) : end + 80]
        return bool(acct) and (not routing or max(acct) > max(routing)) and bool(self._bank.search(around))

    def validate(self, value: str) -> bool:
        """Not a run of one digit."""
        return len(set(value)) > 1


class IbanCodeRecognizer(ValidatedRecognizer):
    """IBAN_CODE: country, check digits and BBAN in groups of four (spaces, dashes or none).

    Validated as the IBAN standard asks (ISO 7064 mod-97 and the country's length and
    BBAN layout), not by national bank-code checks: a real IBAN must not be dropped
    because one country's internal check digit is unknown to stdnum.
    """

    ENTITY = "IBAN_CODE"
    RULES = (Rule("iban", IBAN_PATTERN, 0.8, 0.95, re.IGNORECASE),)
    CONTEXT = ("iban", "bank", "account", "transfer", "wire", "sepa")

    def candidates(self, text):
        """Each match, and each shorter form ending at a group boundary: "... 1332 by" may end in a word."""
        for rule, start, end in super().candidates(text):
            yield rule, start, end
            value = text[start:end]
            for cut in range(len(value) - 1, 14, -1):
                if value[cut] in " -" and value[cut - 1] not in " -":
                    yield rule, start, start + cut

    def validate(self, value: str) -> bool:
        """Mod-97 and country layout; lower case only when written entirely in lower case."""
        return is_valid_iban(value)


def is_valid_iban(value: str) -> bool:
    """True for an IBAN (any separators) with valid mod-97 check digits and country length and layout."""
    if not (value.isupper() or value.islower() or value.replace(" ", "").isdigit()):
        return False
    return iban.is_valid(value.upper(), check_country=False)


def iban_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every valid IBAN in `text`: card and phone recognizers must not fire inside one."""
    return [(r.start, r.end) for r in _IBAN_FINDER.analyze(text, ["IBAN_CODE"])]


class SwiftCodeRecognizer(ValidatedRecognizer):
    """SWIFT_CODE: an 8 or 11 character BIC that schwifty accepts; alone only if it is in schwifty's bank registry."""

    ENTITY = "SWIFT_CODE"
    RULES = (Rule("bic", r"(?<![A-Za-z0-9])[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![A-Za-z0-9])", 0.0, 0.85),)
    CONTEXT = ("swift", "bic", "swift code", "bic code", "bank", "wire", "beneficiary bank", "iban")

    def analyze(self, text, entities, nlp_artifacts=None):
        """Structurally valid BICs near bank words (0.85), or known ones anywhere (0.6)."""
        out = []
        for r in super().analyze(text, entities, nlp_artifacts):
            if r.score < 0.85:
                if not _known_bic(text[r.start : r.end]):
                    continue
                r.score = 0.6
            out.append(r)
        return out

    def validate(self, value: str) -> bool:
        """schwifty's structural check (country code, location code); an English word ("PREVIOUS", "OVERRODE"
        in a note written in capitals) is none."""
        if lexicon().is_word(value):
            return False
        try:
            BIC(value)
        except ValueError:
            return False
        return True


def _known_bic(value: str) -> bool:
    try:
        return BIC(value).exists or (len(value) == 8 and BIC(value + "XXX").exists)
    except ValueError:
        return False


class UsEinRecognizer(ValidatedRecognizer):
    """US_EIN: NN-NNNNNNN with a valid IRS campus prefix (python-stdnum us.ein); needs EIN or tax-ID words."""

    ENTITY = "US_EIN"
    RULES = (
        Rule("ein", r"(?<![\d-])\d{2}-\d{7}(?![\d-])", 0.35, 0.85),
        Rule("ein-plain", r"(?<![\d-])\d{9}(?![\d-])", 0.0, 0.8),
    )
    CONTEXT = ("ein", "fein", "employer identification", "employer id", "tax id", "taxpayer id", "tin", "federal tax")
    WINDOW = (30, 10)

    def validate(self, value: str) -> bool:
        """The prefix is one the IRS assigns."""
        return ein.is_valid(value)


FINANCIAL_TERMS = (
    "account balance", "current balance", "outstanding balance", "available balance", "balance due", "overdraft",
    "overdrawn", "overdraft fee", "loan application", "mortgage application", "credit application", "loan",
    "mortgage", "credit score", "fico score", "credit report", "credit limit", "line of credit", "account holder",
    "customer of", "our customer", "bank customer", "checking account", "savings account", "brokerage account",
    "wire transfer", "direct deposit", "ach transfer", "payment history", "late payment", "missed payment",
    "past due", "delinquent", "in collections", "debt collection", "bank statement", "credit card statement",
    "transaction history", "know your customer", "kyc", "aml", "suspicious activity report", "401(k)", "roth ira",
    "net worth", "annual income", "interest rate", "apr", "chargeback", "foreclosure", "bankruptcy", "pre-approval",
)  # fmt: skip


class FinancialContextRecognizer(TermRecognizer):
    """FINANCIAL_CONTEXT: customer-relationship and account-state language (GLBA NPI signals)."""

    ENTITY = "FINANCIAL_CONTEXT"
    SCORE = 0.5

    def __init__(self) -> None:
        super().__init__(FINANCIAL_TERMS)

    def accept(self, text: str, start: int, end: int) -> bool:
        """Acronyms (KYC, AML, APR) only in capitals."""
        word = text[start:end]
        return len(word) > 3 or word.isupper()


_IBAN_FINDER = IbanCodeRecognizer()

RECOGNIZERS = [
    RoutingNumberRecognizer,
    UsBankNumberRecognizer,
    IbanCodeRecognizer,
    SwiftCodeRecognizer,
    UsEinRecognizer,
    FinancialContextRecognizer,
]
REPLACES = frozenset({"UsBankRecognizer", "IbanRecognizer"})
