"""Care context signals: substance-use disorder (42 CFR Part 2), psychotherapy notes, care/payment language.

All context kind: they decide which rules apply to the identifiers around them.
"""

from __future__ import annotations

import re

from audit.scanner.lexicon import SHORTHAND_TOKEN, care_note, lexicon
from audit.scanner.recognizers.base import Rule, SpanRecognizer, TermRecognizer, ValidatedRecognizer
from audit.scanner.recognizers.health_terms import ICD10_PATTERN, is_sud_code

SUD_TERMS = (
    "substance use disorder", "substance use disorders", "substance abuse", "substance dependence", "drug abuse",
    "drug addiction", "alcohol use disorder", "alcohol abuse", "alcohol dependence", "alcoholism", "alcoholic",
    "opioid use disorder", "opioid dependence", "opioid addiction", "opiate addiction", "opioid withdrawal",
    "alcohol withdrawal", "cocaine use disorder", "stimulant use disorder", "cannabis use disorder",
    "methamphetamine use", "heroin use", "heroin addiction", "injection drug use", "iv drug use", "ivdu", "pwid",
    "methadone", "methadone clinic", "methadone maintenance", "buprenorphine", "suboxone", "subutex", "sublocade",
    "zubsolv", "vivitrol", "naltrexone", "disulfiram", "antabuse", "acamprosate", "campral",
    "opioid treatment program", "opioid treatment programs", "medication assisted treatment",
    "medication-assisted treatment", "medications for opioid use disorder", "moud", "oud", "sud treatment",
    "addiction treatment", "addiction medicine", "detox", "detoxification", "drug rehab", "alcohol rehab",
    "rehab facility", "sober living", "alcoholics anonymous", "narcotics anonymous", "aa meeting", "aa meetings",
    "na meeting", "na meetings", "12-step program", "twelve step program", "overdose", "overdosed",
    "relapsed on", "drug screen", "urine drug screen", "ciwa", "part 2 program",
)  # fmt: skip

PSYCHOTHERAPY_TERMS = (
    "psychotherapy note", "psychotherapy notes", "psychotherapy session notes", "therapy session notes",
    "therapy notes", "therapist notes", "therapist's notes", "counseling session notes", "counselling session notes",
    "process notes", "psychotherapist notes", "psychotherapist's notes", "session notes from therapy",
    "notes from our therapy session", "psychoanalysis notes",
)  # fmt: skip

HEALTH_TERMS = (
    "patient", "patients", "pt", "diagnosed with", "diagnosis", "treated for", "treatment for", "prescribed",
    "prescription", "refill", "admitted", "admission", "discharged", "discharge summary", "inpatient", "outpatient",
    "emergency room", "emergency department", "er visit", "ed visit", "icu", "office visit", "clinic visit",
    "follow-up appointment", "follow up appointment", "appointment with dr", "telehealth", "primary care",
    "pcp", "referral", "specialist", "hospitalized", "hospitalization", "surgery", "biopsy", "chemotherapy",
    "radiation therapy", "dialysis", "physical therapy", "lab results", "blood work", "imaging", "mri", "ct scan",
    "x-ray", "hospice", "nursing home", "copay", "co-pay", "deductible", "prior authorization", "explanation of benefits",
    "eob", "medical bill", "hospital bill", "medical billing", "claim denied", "health insurance", "medical record",
    "medical records", "chart", "vitals", "symptoms", "prognosis", "care plan", "treatment plan", "medication list",
    # what only care notes say: lines, drips, vent and nursing shorthand
    "foley", "ngt", "ogt", "gtt", "gtts", "abg", "cxr", "ekg", "ecg", "npo", "dnr", "dni", "prn", "ivf", "picc",
    "a-line", "aline", "swan", "tpn", "vent", "intubated", "extubated", "sedated", "suctioned", "sputum",
    "afebrile", "febrile", "voided", "commode", "cardiac", "neuro", "resp status", "lungs", "bowel sounds", "u/o",
    "uop", "i&o", "bedside", "nursing", "npn", "micu", "sicu", "ccu", "csru", "cath lab", "telemetry",
    "drawn", "labs", "lab work", "hct", "wbc", "inr", "ptt", "bp", "hr", "sats", "o2 sat", "nasal cannula",
    "pt's", "stool", "postop", "post-op", "trach", "code status", "effusion", "social work note", "mental illness",
)  # fmt: skip


class SubstanceUseRecognizer(TermRecognizer):
    """SUBSTANCE_USE_DISORDER: SUD diagnoses, treatment programmes and medications (42 CFR Part 2 signals)."""

    ENTITY = "SUBSTANCE_USE_DISORDER"
    SCORE = 0.7

    def __init__(self) -> None:
        super().__init__(SUD_TERMS)

    def accept(self, text: str, start: int, end: int) -> bool:
        """Abbreviations (OUD, NA, AA) count only as written: all capitals, or in a longer phrase."""
        word = text[start:end]
        return " " in word or len(word) > 4 or word.isupper()


class SudCodeRecognizer(ValidatedRecognizer):
    """SUBSTANCE_USE_DISORDER for ICD-10-CM codes F10-F19 (not F17, tobacco)."""

    ENTITY = "SUBSTANCE_USE_DISORDER"
    RULES = (Rule("icd10-f1x", ICD10_PATTERN, 0.7, 0.85),)
    CONTEXT = ("icd", "dx", "diagnosis", "code")

    def validate(self, value: str) -> bool:
        """A real F10-F19 code, dotted or written as a bare category (F11)."""
        return is_sud_code(value) and bool(re.match(r"F1\d(?:\.|$)", value) or len(value) == 3)


class PsychotherapyNoteRecognizer(TermRecognizer):
    """PSYCHOTHERAPY_NOTE: psychotherapy or therapy-session notes (164.508(a)(2))."""

    ENTITY = "PSYCHOTHERAPY_NOTE"
    SCORE = 0.8

    def __init__(self) -> None:
        super().__init__(PSYCHOTHERAPY_TERMS)


# An imperative that forbids what follows, at the start of its clause: "Never give a diagnosis", "do not offer
# medical advice". "She does not take insulin" says something of someone and stays.
_FORBIDDEN = re.compile(
    r"(?:^|[.!?;:\n]\s*|\b(?:and|but|or)\s+)(?:please\s+)?(?:never|do\s+not|don['’]t|must\s+not|should\s+not|avoid)"
    r"\s+(?:[\w-]+\s+){0,4}$",
    re.I,
)


class HealthContextRecognizer(TermRecognizer):
    """HEALTH_CONTEXT: encounter, care or payment-for-care language."""

    ENTITY = "HEALTH_CONTEXT"
    SCORE = 0.5

    def __init__(self) -> None:
        super().__init__(HEALTH_TERMS)

    def accept(self, text: str, start: int, end: int) -> bool:
        """Short abbreviations (PT, ICU, PCP, EOB, MRI) only in capitals; 'chart' only near care words; no term
        an instruction forbids ("Never give a diagnosis.": a bot's rule, not anyone's care)."""
        word = text[start:end]
        if _FORBIDDEN.search(text, max(0, start - 60), start):
            return False
        if len(word) <= 3:
            return word.isupper()
        return word.lower() != "chart" or "patient" in text[max(0, start - 80) : end + 80].lower()


class CareNoteRecognizer(SpanRecognizer):
    """HEALTH_CONTEXT for a text written as a care note (charting shorthand throughout): the note is the context.

    Reported on the first shorthand word, so the finding points somewhere; the decision is about the record.
    """

    ENTITY = "HEALTH_CONTEXT"

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        """One HEALTH_CONTEXT span when the text is a care note, none otherwise."""
        if not care_note(text):
            return []
        shorthand = lexicon().shorthand
        for m in SHORTHAND_TOKEN.finditer(text):
            if m.group(0).lower() in shorthand:
                return [(m.start(), m.end(), 0.7)]
        return []


RECOGNIZERS = [
    SubstanceUseRecognizer,
    SudCodeRecognizer,
    PsychotherapyNoteRecognizer,
    HealthContextRecognizer,
    CareNoteRecognizer,
]
