"""Health context signals: ICD-10-CM codes, conditions, medications (all context kind).

ICD10_CODE candidates are checked against the ICD-10-CM code set (audit/data/icd10cm_codes.txt.gz,
generated from simple-icd-10-cm by scripts/build_icd10_codes.py).
MEDICAL_CONDITION and MEDICATION come from the vocabularies in audit/data
(sources in audit/data/VOCABULARIES.md).
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib import resources

from audit.scanner.recognizers.base import Rule, TermRecognizer, ValidatedRecognizer

# A letter (not U), a digit, a digit or A/B; optional dot and up to four more characters.
ICD10_PATTERN = r"(?<![A-Za-z0-9.\-])[A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4}|[0-9A-Z]{1,4})?(?![A-Za-z0-9]|\.\d|-\d)"


@cache
def _icd10_codes() -> frozenset[str]:
    """Every ICD-10-CM category and code, undotted (chapters and blocks left out), loaded once.

    Read from a file generated from simple-icd-10-cm (scripts/build_icd10_codes.py):
    parsing the package's XML costs about two seconds in every worker process.
    """
    blob = resources.files("audit").joinpath("data", "icd10cm_codes.txt.gz").read_bytes()
    return frozenset(gzip.decompress(blob).decode("ascii").split())


def icd10_valid(code: str) -> bool:
    """True when `code` (dotted or not) is a category or code in the ICD-10-CM code set."""
    return code.replace(".", "", 1) in _icd10_codes()


@cache
def vocabulary(name: str) -> frozenset[str]:
    """The lines of audit/data/<name>, without comments and blanks."""
    text = resources.files("audit").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


class Icd10CodeRecognizer(ValidatedRecognizer):
    """ICD10_CODE: a code that exists in ICD-10-CM. Dotted codes pass alone; undotted ones need ICD context."""

    ENTITY = "ICD10_CODE"
    RULES = (Rule("icd10", ICD10_PATTERN, 0.6, 0.85),)
    CONTEXT = ("icd", "icd-10", "icd10", "icd-10-cm", "dx", "diagnosis", "diagnosed", "code", "codes", "coded")

    def analyze(self, text, entities, nlp_artifacts=None):
        """Valid codes; an undotted code (I10, E119) only counts next to ICD or diagnosis words."""
        found = super().analyze(text, entities, nlp_artifacts)
        return [r for r in found if "." in text[r.start : r.end] or r.score >= 0.85]

    def validate(self, value: str) -> bool:
        """Present in the ICD-10-CM code set."""
        return icd10_valid(value)


class MedicalConditionRecognizer(TermRecognizer):
    """MEDICAL_CONDITION: a diagnosis, disease or symptom term from the shipped vocabulary."""

    ENTITY = "MEDICAL_CONDITION"
    SCORE = 0.6

    def __init__(self) -> None:
        super().__init__(vocabulary("medical_conditions.txt"))


class MedicationRecognizer(TermRecognizer):
    """MEDICATION: a generic or brand drug name from the shipped vocabulary."""

    ENTITY = "MEDICATION"
    SCORE = 0.6

    def __init__(self) -> None:
        super().__init__(vocabulary("medications.txt"))

    def accept(self, text: str, start: int, end: int) -> bool:
        """Lower-case or capitalised names only: an all-caps acronym (e.g. CAMPRAL in a product code) is not enough."""
        word = text[start:end]
        return not (word.isupper() and len(word) <= 4)


RECOGNIZERS = [Icd10CodeRecognizer, MedicalConditionRecognizer, MedicationRecognizer]


def is_sud_code(code: str) -> bool:
    """True for a valid ICD-10-CM code in F10-F19 except F17 (42 CFR 2.11 leaves out tobacco)."""
    return bool(re.match(r"F1[0-689]", code)) and icd10_valid(code)
