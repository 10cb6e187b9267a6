"""Places that the words before them announce, in any case: "TRANSFERRED TO BMC", "admitted to
Lakeside Memorial", "lives in dundalk", "works at Eastside Medical", "transfer to Osler 5".

The place is the run of words after the cue that are not ordinary words: an abbreviation that is
no care unit ("BMC", "VAMC"), a word no vocabulary knows, a capitalised word in mixed-case text,
or facility words joined to those ("St. Mary's Hospital", "university of maryland hospital").
Care units, "home", "rehab" and "the floor" are where patients go, not who they are.
"""

from __future__ import annotations

import re

from audit.scanner.lexicon import FUNCTION_WORDS, Lexicon, case_profile, lexicon
from audit.scanner.recognizers.base import SpanRecognizer

_MOVE = (
    r"transferr?ed|transfered|tranfered|transfer|trans|admitted|admit|sent|brought|presented|went|taken|returned|"
    r"return|discharged|d/c'?d|came|arrived|arrive|recieved|received|rec'?d|enroute|en[ ]route|"
    r"hospitalized|found"
)
_STAY = (
    r"live|lives|living|resides|residing|lived|home|vacationing|visiting|here|works|worked|working|employed|"
    r"fly|flying|flew|arriving|coming|called"
)
_CUE = re.compile(
    rf"\b(?:(?:{_MOVE})(?:[ \t]+(?:back|over|home|him|her|pt|patient))?[ \t]+(?:to|from|at|in)"
    rf"|(?:{_STAY})(?:[ \t]+(?:nearby|close[ \t]+by|alone|now))?[ \t]+(?:in|at|for|from|near)"
    r"|(?:ceo|president|owner|employee)[ \t]+of"
    r")[ \t]+(?:the[ \t]+)?(?:\d{1,4}[ \t]+)?",
    re.I,
)
_NAMED_UNIT = re.compile(
    r"(?i:\b(?:transferr?ed|transfered|transfer|go|back|return(?:ed)?|admitted|sent|moved?|pt|patient|c/o)"
    r"[ \t]{1,2}(?:back[ \t]{1,2})?"
    r"(?:to|from)[ \t]{1,2}(?:the[ \t]{1,2})?)(?P<w>[A-Za-z]{4,20})[ \t]?\d{1,2}(?![\w%/]|\.\d)"
)
_TOKEN = re.compile(r"(?P<w>[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_])){0,30}(?:['’]s)?\.?)(?P<num>[ \t]{0,2}\d{1,3}\b)?")
_SPACE = re.compile(r"[ \t]{1,3}")
FACILITY_WORDS = frozenset(
    "hospital hosp hospice medical center centre memorial clinic campus university infirmary sanatorium health "
    "healthcare general regional county community st st. saint of nursing".split()
)
# Where patients are moved that identifies no one: care units and generic destinations.
_GENERIC = frozenset(
    "floor home rehab unit ward icu ccu micu sicu csru nicu picu pacu cvicu tsicu er ew ed or osh cath lab "
    "bed room house shelter work school church er/ew step-down stepdown telemetry tele morgue dr drs mr mrs ms".split()
)


def _place_word(lex: Lexicon, word: str, profile: str) -> bool:
    low = word.lower().rstrip(".")
    if len(low) < 2 or low in FUNCTION_WORDS or low in _GENERIC or low.replace(".", "") in _GENERIC:
        return False
    if lex.is_clinical(low):
        return False
    if lex.is_place(low) and (profile != "mixed" or word[0].isupper()):
        return True  # a known town after its cue: "living in ROME", "lives in DC"
    if lex.is_word(low) and not lex.is_name(re.sub(r"['’]s$", "", low)):
        return False
    if profile != "mixed":
        # no case to go by: a rare word no dictionary has, or a short rare abbreviation ("BMC", "VAMC")
        if len(low) <= 4:
            return lex.zipf(low) < 3.5 and not lex.is_name(low)
        return lex.zipf(low) < 3.0
    if word.isupper() and 2 <= len(word.rstrip(".")) <= 6:
        return lex.zipf(low) < 3.5  # an abbreviation that is no care unit: "BMC", "VAMC", "UMMC"
    return word[0].isupper()


_WORDS = re.compile(r"[^\W\d_][^\W\d_'’.-]*")


def names_a_place(value: str, profile: str) -> bool:
    """Some word of `value` could name a place: not every word is ordinary, clinical or a care unit."""
    lex = lexicon()
    words = _WORDS.findall(value)
    return any(w.lower().rstrip(".") not in FACILITY_WORDS and _place_word(lex, w, profile) for w in words)


class PlaceInContextRecognizer(SpanRecognizer):
    """LOCATION for the named place after a cue of movement, residence or employment."""

    ENTITY = "LOCATION"

    SCORE = 0.88  # a cue vouches for it: above a lone given name (0.86) that the place may start with

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        """The place after each cue, when it has a word that names something."""
        lex = lexicon()
        out = []
        for cue in _CUE.finditer(text):
            # the case of the sentence around the cue: notes mix headings in capitals with lower-case prose
            local = case_profile(text[max(0, cue.start() - 80) : cue.end() + 80])
            span = self._place_at(text, cue.end(), lex, local)
            if span:
                out.append((span[0], span[1], self.SCORE))
        for m in _NAMED_UNIT.finditer(text):  # "to Osler 5", "from nelson 3": a wing or unit named after someone
            word = m.group("w")
            if not lex.is_word(word) and not lex.is_clinical(word) and word.lower() not in _GENERIC:
                out.append((m.start("w"), m.end(), self.SCORE))
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


_FACILITY_HEAD = re.compile(
    r"\b(?:hospital|hosp|medical[ \t]+center|medical[ \t]+centre|med[ \t]+(?:center|ctr)|medical|campus|infirmary|"
    r"rehab|va|nursing[ \t]+home)\b",
    re.I,
)
_BACK_WORD = re.compile(r"(?P<w>[^\W\d_](?:[^\W\d_]|['’.](?=[^\W\d_])){0,30}(?:['’]s)?(?P<dot>\.)?)[ \t]{1,3}$")
# Words that stand before a facility word without naming it: "the hospital", "outside hosp", "cardiac rehab".
_NOT_A_NAME = frozenset(
    "other same another outside local community county state "
    "private public general teaching rural nearby previous prior former home acute subacute inpatient outpatient "
    "cardiac pulmonary physical occupational stroke brain vestibular psychiatric psych transferred admitted sent "
    "went back returned discharged call called".split()
)


class CareFacilityRecognizer(SpanRecognizer):
    """LOCATION for the name before a facility word, in any case: "sacred heart hosp", "ST MARY HOSPITAL",
    "university of maryland hospital", "Baltimore Rehab", "eastside campus"."""

    ENTITY = "LOCATION"

    SCORE = 0.86

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        """The one to four words before each facility word that are not generic, with the facility word."""
        lex, profile = lexicon(), case_profile(text)
        out = []
        for head in _FACILITY_HEAD.finditer(text):
            start = self._name_before(text, head.start(), lex)
            if start is None:
                continue
            name = text[start : head.start()]
            generic_head = head.group(0).lower().rstrip(".") in ("rehab", "va", "medical", "campus")
            if generic_head and not names_a_place(name, profile):
                continue  # "cardiac rehab", "the VA": the word before must name a place
            out.append((start, head.end(), self.SCORE))
        return out

    @staticmethod
    def _name_before(text: str, pos: int, lex: Lexicon) -> int | None:
        start = None
        for _ in range(4):
            m = _BACK_WORD.search(text, max(0, pos - 40), pos)
            if not m:
                break
            low = m.group("w").lower().rstrip(".")
            if low == "of" and start is not None:
                start, pos = m.start("w"), m.start("w")
                continue
            if m.group("dot") and low not in ("st", "mt"):
                break  # a full stop ends the sentence the name is in
            saint = low in ("st", "saint", "mt", "mount")
            if not saint and (
                low in _NOT_A_NAME or low in FUNCTION_WORDS or lex.is_clinical(low) or len(low) < 2 and low != "u"
            ):
                break
            start, pos = m.start("w"), m.start("w")
        if start is not None and text[start : start + 3].lower() == "of ":
            return None
        return start


_PLACE_TOKEN = re.compile(r"(?<![\w'’.-])[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_])){1,30}(?![\w'’-])")
_PLACE_GAP = re.compile(r"[ \t]{1,2}")
# "a sale deed for an apartment in pune.": a town typed without its capital, after a word of place, ending the clause
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|from|to|near|around|visiting)[ \t]+\Z", re.I)
_CLAUSE_END = re.compile(r"[ \t]*(?:[.,;:!?)\n]|$)")


def _lower_place_in_prose(text: str, first: re.Match) -> bool:
    """A one-word town in lower case, in prose that uses case, where nothing else could be meant."""
    return bool(
        first.group(0).islower()
        and _LOCATIVE_BEFORE.search(text, max(0, first.start() - 12), first.start())
        and _CLAUSE_END.match(text, first.end())
    )


class KnownPlaceRecognizer(SpanRecognizer):
    """LOCATION for the name of a known town, city, country, US state or county (GeoNames), in any case.

    One word must be no ordinary word, person's name or clinical term ("Catonsville", "Seattle"); several
    words may be ordinary ones ("New Haven", "Glen Burnie"). In mixed-case text each word has its capital.
    """

    ENTITY = "LOCATION"

    SCORE = 0.86

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        """The longest known place name (one to three words) at each word, left to right."""
        lex, profile = lexicon(), case_profile(text)
        out, pos = [], 0
        starts = lex.place_starts
        for m in _PLACE_TOKEN.finditer(text):
            if m.start() < pos or m.group(0).lower() not in starts:
                continue
            span = self._place_at(text, m, lex, profile)
            if span:
                out.append((span[0], span[1], self.SCORE))
                pos = span[1]
        return out

    @staticmethod
    def _place_at(text, first, lex, profile):
        words, ends = [first.group(0)], [first.end()]
        for _ in range(2):
            gap = _PLACE_GAP.match(text, ends[-1])
            nxt = _PLACE_TOKEN.match(text, gap.end()) if gap else None
            if not nxt:
                break
            words.append(nxt.group(0))
            ends.append(nxt.end())
        for n in range(len(words), 0, -1):
            phrase = words[:n]
            if not lex.is_place(" ".join(phrase)):
                continue
            if (
                profile == "mixed"
                and not all(w[0].isupper() for w in phrase)
                and not _lower_place_in_prose(text, first)
            ):
                continue
            if n == 1:
                w = phrase[0]
                if len(w) < 4 or lex.is_word(w) or lex.is_name(w) or lex.is_clinical(w) or w.lower() in FUNCTION_WORDS:
                    continue
                if (
                    profile == "upper"
                    and lex.zipf(w) >= 3.3
                    or profile == "lower"
                    and not w[0].isupper()
                    and lex.zipf(w) >= 3.3
                ):
                    # without case, a common token ("ALOT", "HEARD") is a word before it is a town; a capital in text
                    # typed without them is meant ("noted, BAltimore reconsult")
                    continue
            elif all(lex.zipf(w) >= 5.5 or w.lower() in FUNCTION_WORDS for w in phrase):
                continue
            return (first.start(), ends[n - 1])
        return None
