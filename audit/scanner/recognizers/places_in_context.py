"""Places that the words before them announce, in any case: "TRANSFERRED TO GH", "admitted to
Frederick Memorial", "lives in parkville", "works at Harford Memorial", "transfer to Quartermain 2".

The place is the run of words after the cue that are not ordinary words: an abbreviation that is
no care unit ("GH", "VAMC"), a word no vocabulary knows, a capitalised word in mixed-case text,
or facility words joined to those ("St. Mary's Hospital", "university of maryland hospital").
Care units, "home", "rehab" and "the floor" are where patients go, not who they are.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from audit.scanner.lexicon import Lexicon, case_profile, lexicon

_MOVE = (
    r"transferr?ed|transfered|tranfered|transfer|trans|admitted|admit|sent|brought|presented|went|taken|returned|"
    r"return|discharged|d/c'?d|came|arrived|arrive|recieved|received|rec'?d|enroute|en[ ]route|"
    r"hospitalized|found"
)
_STAY = r"lives|living|resides|residing|lived|home|vacationing|visiting|here|works|worked|working|employed"
_CUE = re.compile(
    rf"\b(?:(?:{_MOVE})(?:[ \t]+(?:back|over|home|him|her|pt|patient))?[ \t]+(?:to|from|at|in)"
    rf"|(?:{_STAY})(?:[ \t]+(?:nearby|close[ \t]+by|alone|now))?[ \t]+(?:in|at|for|from|near)"
    r"|(?:ceo|president|owner|employee)[ \t]+of"
    r")[ \t]+(?:the[ \t]+)?",
    re.I,
)
_TOKEN = re.compile(r"(?P<w>[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_])){0,30}(?:['’]s)?\.?)(?P<num>[ \t]{0,2}\d{1,3}\b)?")
_SPACE = re.compile(r"[ \t]{1,3}")
FACILITY_WORDS = frozenset(
    "hospital hosp hospice medical center centre memorial clinic campus university infirmary sanatorium health "
    "healthcare general regional county community st st. saint mary's of nursing".split()
)
# Where patients are moved that identifies no one: care units and generic destinations.
_GENERIC = frozenset(
    "floor home rehab unit ward icu ccu micu sicu csru nicu picu pacu cvicu tsicu er ew ed or osh cath lab "
    "bed room house shelter work school church er/ew step-down stepdown telemetry tele morgue dr drs mr mrs ms "
    "the this that his her their our my".split()
)


def _place_word(lex: Lexicon, word: str, profile: str) -> bool:
    low = word.lower().rstrip(".")
    if low in _GENERIC or lex.is_clinical(low):
        return False
    if profile != "mixed":
        # no case to go by: a word no vocabulary knows, or a short rare abbreviation ("GH", "VAMC")
        return not lex.is_word(low) or len(low) <= 4 and lex.zipf(low) < 3.5 and not lex.is_name(low)
    if word.isupper() and 2 <= len(word.rstrip(".")) <= 6:
        return True  # an abbreviation that is no care unit: "GH", "VAMC", "GBMC"
    if not word[0].isupper():
        return False
    return not lex.is_word(low) or lex.is_name(low) or low.endswith(("'s", "’s"))


def names_a_place(value: str, profile: str) -> bool:
    """Some word of `value` could name a place: not every word is ordinary, clinical or a care unit."""
    lex = lexicon()
    words = _WORDS.findall(value)
    return any(w.lower().rstrip(".") not in FACILITY_WORDS and _place_word(lex, w, profile) for w in words)


_WORDS = re.compile(r"[^\W\d_][^\W\d_'’.-]*")


class PlaceInContextRecognizer(EntityRecognizer):
    """LOCATION for the named place after a cue of movement, residence or employment."""

    SCORE = 0.85

    def __init__(self) -> None:
        super().__init__(supported_entities=["LOCATION"], name="PlaceInContextRecognizer", supported_language="en")

    def load(self) -> None:  # noqa: D102 - the lexicon loads on first use
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """The place after each cue, when it has a word that names something."""
        if "LOCATION" not in entities:
            return []
        lex, profile = lexicon(), case_profile(text)
        out = []
        for cue in _CUE.finditer(text):
            span = self._place_at(text, cue.end(), lex, profile)
            if span:
                meta = {
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                }
                out.append(RecognizerResult("LOCATION", span[0], span[1], self.SCORE, recognition_metadata=meta))
        return out

    def _place_at(self, text, pos, lex, profile):
        """(start, end) of up to four place words from `pos`, or None when none of them names a place."""
        start = end = None
        named = False
        for _ in range(4):
            m = _TOKEN.match(text, pos)
            if not m:
                break
            word = m.group("w")
            low = word.lower().rstrip(".")
            facility = low in FACILITY_WORDS
            if not facility and not _place_word(lex, word, profile):
                break
            named = named or not facility
            start = m.start() if start is None else start
            end = m.end("num") if m.group("num") else m.end("w")
            if m.group("num"):
                break
            gap = _SPACE.match(text, m.end())
            if not gap:
                break
            pos = gap.end()
        if not named or start is None:
            return None
        while end > start and text[end - 1] in ".’'":
            end -= 1
        return (start, end)
