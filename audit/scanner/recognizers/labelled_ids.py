"""Identifiers announced by a label: "MRN: CC-456789", "insurance ID HP-987654", "Acct#: SH-456789".

MRNs, member IDs and billing accounts have no public format; what makes them
identifiers is the label in front. A candidate is the first ID-shaped token
after a label, with at most a few filler words ("number", "is", "#") between,
holding at least four digits and not shaped like a date.
"""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import Rule, ValidatedRecognizer, compile_words

# Filler that may stand between a label and its value: "MRN is", "policy number:", "ID #".
_GAP = r"[^\S\n]{0,3}(?:(?:numbers?|nos?\.?|num|nbr|ids?|is|was|of|under|the|[:#=(])[^\S\n]{0,3}){0,4}"
# The value must hold a digit: otherwise "health plan member ID is HPX-77-40921" takes
# "member" as the value, consumes it, and never retries "member ID" as the label.
_VALUE = r"(?=#?[A-Z0-9/.-]{0,40}\d)(?P<value>#?[A-Z0-9]{1,14}(?:[-/.][A-Z0-9]{1,14}){0,4})(?![A-Z0-9]|[-/][A-Z0-9])"
_DATE = re.compile(
    r"#?(?:(?P<y>\d{4})[-/.](?P<m1>\d{1,2})[-/.]\d{1,2}|(?P<m2>\d{1,2})[-/.](?P<d>\d{1,2})[-/.](?:\d{2}|\d{4}))"
)
_BANK = compile_words(("bank", "checking", "savings", "routing", "iban", "wire", "deposit", "aba"))


def labelled(labels: tuple[str, ...], gap: str = _GAP) -> str:
    """The regex for an ID-shaped `value` after one of `labels` and filler matched by `gap`."""
    alternation = "|".join(labels)
    return rf"(?<![A-Za-z0-9])(?:{alternation})(?:(?<=[^A-Za-z])|(?![A-Za-z])){gap}{_VALUE}"


def id_shaped(value: str, min_digits: int = 4) -> bool:
    """True for a plausible identifier: enough digits, not a date, not a run of one digit."""
    digits = [c for c in value if c.isdigit()]
    if len(digits) < min_digits or len(set(digits)) == 1 and len(digits) == len(value.lstrip("#")):
        return False
    return not looks_like_date(value)


def looks_like_date(value: str) -> bool:
    """True for 2023-04-05, 04/05/2023, 4-5-23 and the like (month 1-12, day 1-31)."""
    m = _DATE.fullmatch(value)
    if not m:
        return False
    month = int(m.group("m1") or m.group("m2"))
    return 1 <= month <= 12 and (m.group("d") is None or 1 <= int(m.group("d")) <= 31)


class LabelledIdRecognizer(ValidatedRecognizer):
    """An ID-shaped token right after one of LABELS; the label is the context."""

    LABELS: tuple[str, ...] = ()
    SCORE = 0.85

    def __init__(self) -> None:
        self.RULES = (Rule("labelled", labelled(self.LABELS), self.SCORE, self.SCORE, re.IGNORECASE),)
        super().__init__()

    def validate(self, value: str) -> bool:
        """An ID-shaped value (see `id_shaped`)."""
        return id_shaped(value)


class MedicalRecordNumberRecognizer(LabelledIdRecognizer):
    """MEDICAL_RECORD_NUMBER after MRN, medical record, chart #, EMR, patient ID and the like."""

    ENTITY = "MEDICAL_RECORD_NUMBER"
    LABELS = (
        r"MRN",
        r"MR\s?#",
        r"med(?:ical)?\.?\s{0,3}rec(?:ord)?s?\.?\s{0,2}#?",
        r"chart(?:\s{1,3}(?:number|no\.?|id))?\s{0,2}#?",
        r"E[MH]R(?:\s{1,3}(?:number|no\.?))?",
        r"(?:hospital|unit|health\s{1,3}record)\s{1,3}(?:number|no\.?|#)",
        r"patient(?:'s)?\s{1,3}(?:id|identifier|number|no\.?|#|record)",
        r"pt\.?\s{0,2}(?:id|#|no\.?)",
        r"record\s{0,3}(?:number|no\.?|#)",
    )


class PatientReferenceRecognizer(LabelledIdRecognizer):
    """MEDICAL_RECORD_NUMBER for a bare "ID:" or "ref. code:" label, only with care words just before it."""

    ENTITY = "MEDICAL_RECORD_NUMBER"
    LABELS = (r"(?:ID|identifier|ref(?:erence)?\.?(?:\s{1,3}(?:code|number|no\.?))?)(?=\s{0,2}[:#])",)
    SCORE = 0.6
    _CARE = compile_words(
        (
            "patient",
            "pt",
            "hospital",
            "clinic",
            "medical",
            "records",
            "chart",
            "admitted",
            "discharged",
            "seen",
            "visit",
            "operated",
            "surgery",
            "dr",
            "diagnosed",
            "treated",
            "appointment",
            "health",
            "care",
        )
    )

    def analyze(self, text, entities, nlp_artifacts=None):
        """Bare-ID candidates with care language in the 100 chars before them."""
        found = super().analyze(text, entities, nlp_artifacts)
        return [r for r in found if self._CARE.search(text[max(0, r.start - 100) : r.start])]


class HealthPlanIdRecognizer(LabelledIdRecognizer):
    """HEALTH_PLAN_ID after member, subscriber, beneficiary, policy, insurance, HMO or plan labels."""

    ENTITY = "HEALTH_PLAN_ID"
    LABELS = (
        r"(?:member|subscriber|beneficiary|enrollee|coverage)(?:\s{1,3}(?:id|number|no\.?|#))?",
        # A bare "policy number" is POLICY_NUMBER (business_ids); a health or insurance policy is a plan.
        r"(?:health|medical|dental|vision|insurance)\s{1,3}polic(?:y|ies)",
        r"insur(?:ance|er)(?:\s{1,3}(?:id|card|plan))?",
        r"ins\.?(?:\s{1,3}plan)?(?=\s{0,2}[:#])",
        r"health\s{1,3}(?:id|card|insurance)",
        r"plan(?=\s{0,3}(?:is|[:#]))",
        r"(?:health|insurance|prescription|drug|dental|vision|medical)\s{1,3}plan(?:\s{1,3}(?:id|number|no\.?))?",
        r"plan\s{1,3}(?:id|number|no\.?|#)",
        r"(?:HMO|PPO|EPO|HBN|HICN|HIC)(?:\s{1,3}(?:id|number|no\.?))?",
        r"group\s{1,3}(?:id|number|no\.?|#)",
        r"medicaid(?:\s{1,3}(?:id|number|no\.?|#))?",
    )


class AccountNumberRecognizer(LabelledIdRecognizer):
    """ACCOUNT_NUMBER (Safe Harbor J): patient, billing or customer account after an account label.

    Bank accounts are left to US_BANK_NUMBER: with bank words nearby this one stays quiet.
    """

    ENTITY = "ACCOUNT_NUMBER"
    LABELS = (
        r"(?:patient|billing|guarantor|hospital|customer|member|client)?\s{0,3}account",
        r"acct\.?",
        r"a/c",
        r"(?:billing|statement)\s{1,3}(?:id|number|no\.?|#)",
    )

    def analyze(self, text, entities, nlp_artifacts=None):
        """Account-labelled IDs, except bank accounts: bank words before it, or around an all-digit one."""
        found = super().analyze(text, entities, nlp_artifacts)
        return [r for r in found if not _bank_account(text, r.start, r.end) and not _setting(text, r.start, r.end)]


def _setting(text: str, start: int, end: int) -> bool:
    """ "A/C 600x12", "a/c 10/700", "A/C 450cc/10br/40%", "A/C 500x14/fio2.4": assist-control ventilator
    settings (a volume, then a rate or FiO2), not an account."""
    value = text[start:end]
    return (
        bool(re.fullmatch(r"\d{1,4}(?:[x/]\d{1,4})+", value, re.I))
        or bool(re.match(r"[x/]\d", text[end : end + 2], re.I))
        or bool(re.match(r"\d{2,4}(?:cc|ml)?[x/*]\d", value, re.I))
    )


def _bank_account(text: str, start: int, end: int) -> bool:
    """True where UsBankNumberRecognizer's cue holds: bank words before, or (6-17 digits) within its sentence window."""
    if _BANK.search(text[max(0, start - 60) : start]):
        return True
    return bool(re.fullmatch(r"\d{6,17}", text[start:end])) and bool(_BANK.search(text[max(0, start - 120) : end + 80]))


class LabelledSsnRecognizer(LabelledIdRecognizer):
    """US_SSN written right after an SSN label, including sample-looking numbers Presidio rejects."""

    ENTITY = "US_SSN"
    LABELS = (r"SSN", r"SS\s?#", r"soc(?:ial)?\.?\s{1,3}sec(?:urity)?\.?(?:\s{1,3}(?:number|no\.?|#))?")

    def validate(self, value: str) -> bool:
        """Nine digits in 3-2-4 form with no all-zero group."""
        m = re.fullmatch(r"(\d{3})[- ]?(\d{2})[- ]?(\d{4})", value)
        return bool(m) and "000" != m.group(1) and "00" != m.group(2) and "0000" != m.group(3)


class LabelledPassportRecognizer(LabelledIdRecognizer):
    """US_PASSPORT right after a passport label: Presidio's own pattern scores 0.05 and loses to phone numbers."""

    ENTITY = "US_PASSPORT"
    LABELS = (r"passport(?:\s{1,3}(?:number|no\.?|#|id|num))?",)

    def validate(self, value: str) -> bool:
        """Nine digits, or a letter and eight digits (the next-generation book), not one repeated digit."""
        return bool(re.fullmatch(r"(?:\d{9}|[A-Z]\d{8})", value)) and len(set(value[-8:])) > 1


class DeviceIdRecognizer(LabelledIdRecognizer):
    """DEVICE_ID (Safe Harbor M): a device identifier or serial number after its label."""

    ENTITY = "DEVICE_ID"
    LABELS = (
        r"(?:device|implant|pacemaker|pump|monitor|meter|sensor|hearing\s{1,3}aid)\s{1,3}(?:serial|s/n|sn|id|identifier|udi)",
        r"serial(?:\s{1,3}(?:number|no\.?|#))?",
        r"s/n",
        r"UDI(?:-DI)?",
    )


class UniqueIdentifierRecognizer(LabelledIdRecognizer):
    """UNIQUE_IDENTIFIER (Safe Harbor R): a study, enrolment, participant or biometric-template code after its label."""

    ENTITY = "UNIQUE_IDENTIFIER"
    LABELS = (
        r"(?:study|enrol?lment|participant|subject|trial|registry|research)\s{1,3}(?:code|id|identifier|number|no\.?|#)",
        r"(?:voiceprint|fingerprint|faceprint|iris|retina|biometric)\s{1,3}(?:template|id|record|hash)",
    )

    def validate(self, value: str) -> bool:
        """Codes here are short ("VP-559A"): three digits are enough after such a specific label."""
        return id_shaped(value, min_digits=3)


RECOGNIZERS = [
    MedicalRecordNumberRecognizer,
    DeviceIdRecognizer,
    UniqueIdentifierRecognizer,
    PatientReferenceRecognizer,
    HealthPlanIdRecognizer,
    AccountNumberRecognizer,
    LabelledSsnRecognizer,
    LabelledPassportRecognizer,
]
