"""Places from their slot: spaCy entities, and capitalised words it missed, after "seen at", "grew up in"
and the like.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from audit.scanner.lexicon import case_profile
from audit.scanner.recognizers.patterns import UP, word
from audit.scanner.recognizers.places_in_context import names_a_place

_CAP = word(UP, r"[\w'’.-]")

CALENDAR_WORD = re.compile(
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?|mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b",
    re.I,
)
_ORG_SUFFIX = re.compile(
    r"\b(?:Inc|Incorporated|LLC|Ltd|Limited|Corp|Corporation|Company|Co|Group|Partners|Associates|Capital|"
    r"Systems|Solutions|Technologies|Holdings|Insurance|Bank|Agency|Foundation|Orchestra|Labs)\b\.?$"
)
_VISIT = re.compile(
    r"\b(?:seen|admitted|treated|evaluated|followed|diagnosed|operated|hospitali[sz]ed|discharged|transferred|"
    r"checked\s+in|presented|presenting|referred|visited|visit(?:ing)?|examined|managed|delivered|born|"
    r"stayed|cared\s+for|reviewed|scheduled|appointment|follow-up|carried\s+out|performed|done|surgery|under\s+care|imaged|scanned|tested|work(?:s|ed)?\s+(?:as\s+\w+\s+)?|"
    r"nurse|physician|doctor|surgeon|resident)"
    r"(?:\s+[\w.'’]+){0,5}?\s+(?:at|to|from|in|by)\s+(?:the\s+)?$",
    re.I,
)
_GEO = re.compile(
    r"\b(?:lives?|living|resides?|residing|grew\s+up|born|raised|moved|relocated|flew|travel(?:l?ed)?|drove|"
    r"based|located|originally|home\s+city|home\s+town|hometown|city|town|village|from|visiting|trip\s+to|"
    r"stationed|headquartered|University|College)(?:\s+(?:in|to|at|of|from|is))*\s*[:]?\s*$",
    re.I,
)


# Weaker place slots, trusted only for something spaCy already called an entity of some kind.
_GEO_WEAK = re.compile(
    r"\b(?:travell?ing|returned|returning|arrived|arriving|around\s+the\s+world|going|headed|heading|back|"
    r"trip|street|I\s+am|we\s+are|stay(?:ed|ing)?|visit(?:ed|s)?|fly(?:ing)?|flights?|"
    r"drive|driving|walk(?:ed)?|near|outside|downtown)(?:\s+(?:in|to|at|of|from|for|into))+\s*$",
    re.I,
)


class ContextualPlaceRecognizer(EntityRecognizer):
    """spaCy entities in a place slot become LOCATION: "seen at <ORG>" is a facility, "grew up in <X>" a place.

    spaCy's small model often labels a clinic ORG and a foreign town PERSON; the words before the
    entity settle what it is. Capitalised words spaCy missed in the same slots are reported too.
    """

    _SLOT = re.compile(rf"(?P<v>{_CAP}(?:[ -](?:(?:of|de|la|del|am|upon|nad|le|van|von)[ ])?{_CAP}){{0,4}})")

    def __init__(self) -> None:
        super().__init__(supported_entities=["LOCATION"], name="ContextualPlaceRecognizer", supported_language="en")

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """LOCATION for spaCy entities (and capitalised phrases) right after a visit or place phrase."""
        if "LOCATION" not in entities:
            return []
        out = []
        spans = [
            (e.start_char, e.end_char, e.label_)
            for e in getattr(nlp_artifacts, "entities", None) or []
            if e.label_ in {"ORGANIZATION", "PERSON", "LOCATION", "NRP"}
        ]
        spans += [(*m.span("v"), "") for m in self._SLOT.finditer(text)]
        seen = set()
        profile = case_profile(text)
        for start, end, label in spans:
            before = text[max(0, start - 60) : start]
            if (start, end) in seen or "\n" in before[-3:]:
                continue
            seen.add((start, end))
            value = text[start:end]
            if CALENDAR_WORD.match(value) or _ORG_SUFFIX.search(value) or re.search(r"[.!?:;]\s", value):
                continue
            if not names_a_place(value, profile):
                continue
            if _VISIT.search(before) and not re.match(r"(?:Dr|Mr|Mrs|Ms)\b", value):
                out.append(self._result(start, end, 0.88))
            elif label == "ORGANIZATION" and re.search(r"\bfrom\s*$", before):
                continue  # "she is from Acme": spaCy's ORG is as likely right as a place
            elif (_GEO.search(before) or label and _GEO_WEAK.search(before)) and (
                value[:1].isupper() and not re.search(r"\d", value)
            ):
                out.append(self._result(start, end, 0.87))
        return out

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return RecognizerResult("LOCATION", start, end, score, recognition_metadata=meta)
