"""People's names that the lexicon knows without any cue: "Richard Ashworth", "CAROLE DUNMORE",
"lorna vasquez", and a lone given name that is rarely anything else ("Emily reports", "DAVID IS").

A given name followed by a surname or by a word no vocabulary knows is a person in any case.
A given name alone counts only where it is mainly a name ("David", not "Rusty" or "Grace")
and, in mixed-case text, written with its capital.
"""

from __future__ import annotations

import re

from audit.scanner.lexicon import Lexicon, case_profile, lexicon
from audit.scanner.recognizers.base import SpanRecognizer
from audit.scanner.recognizers.general_place_slots import CALENDAR_WORD

# a quote may open a name ("VALUES (6, 'Emily', 'Jones'"), not an apostrophe inside a word ("O'Brien")
_WORD = re.compile(r"(?<![\w’.@/\\-])(?<!\w')[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){1,30}(?![\w@/\\]|['’-]\w|\.\w)")
_GAP = re.compile(r"[ \t]{1,3}(?:[^\W\d_]\.[ \t]{1,3})?")  # "Barbara J. Okafor": a middle initial may stand between
_INITIAL = re.compile(r"[ \t]{1,2}[A-Z]\.(?=[\s,;)]|$)(?![ \t]{1,2}[A-Z][a-z])")
# A lone given name is rarely a name in these slots: a colour, a unit or a heading ("Rusty colored", "Max:").
_NOT_AFTER = re.compile(
    r"[ \t]*(?:[-:=/]|colou?red\b|\d|(?:memorial|hospital|hosp|medical|clinic|county|street|st|avenue|ave|road|rd|"
    r"pouch|catheter|cath|tear|sign|syndrome|disease)\b)",
    re.I,
)

_NARRATED = re.compile(r"[ \t]{1,2}(?!colou?red\b)(?:[a-z]{2,}ed|said|says|told|asked|replied|wrote|smiled)\b")


def _given(lex: Lexicon, word: str, profile: str) -> bool:
    if not lex.is_given_name(word) or lex.is_clinical(word) or len(word) < 3:
        return False
    if lex.zipf(word) >= (5.0 if profile == "mixed" else 4.0):
        return False
    return word[0].isupper() if profile == "mixed" else True


def _surname_like(lex: Lexicon, word: str, profile: str) -> bool:
    if profile == "mixed" and not word[0].isupper():
        return False
    if lex.is_clinical(word):
        return False
    return lex.is_surname(word) and lex.zipf(word) < 4.5 or lex.unknown(word) and len(word) >= 3


class LexiconNameRecognizer(SpanRecognizer):
    """PERSON for given name + surname pairs, and for lone given names that are mainly names."""

    ENTITY = "PERSON"

    PAIR_SCORE = 0.9
    SINGLE_SCORE = 0.9  # above spaCy's 0.85 (Presidio keeps ours inside its span); a listed name, mainly a name

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        """Name pairs and lone given names, each once."""
        lex, profile = lexicon(), case_profile(text)
        out = []
        pos = 0
        for m in _WORD.finditer(text):
            if m.start() < pos:
                continue
            word = m.group(0)
            if not _given(lex, word, profile):
                pair = self._unlisted_given(text, m, lex, profile)
                if pair:
                    out.append((m.start(), pair, self.PAIR_SCORE))
                    pos = pair
                continue
            gap = _GAP.match(text, m.end())
            nxt = _WORD.match(text, gap.end()) if gap else None
            initial = _INITIAL.match(text, m.end())
            if initial and (profile != "mixed" or word[0].isupper()):
                out.append((m.start(), initial.end(), self.PAIR_SCORE))  # "Mary J.", "Frank G."
                pos = initial.end()
            elif nxt and _surname_like(lex, nxt.group(0), profile):
                out.append((m.start(), nxt.end(), self.PAIR_SCORE))
                pos = nxt.end()
            elif self._lone_name(lex, word, profile) and not _NOT_AFTER.match(text, m.end()):
                out.append((m.start(), m.end(), self.SINGLE_SCORE))
            elif profile == "mixed" and self._narrated(text, m, lex):
                out.append((m.start(), m.end(), self.SINGLE_SCORE))
        return out

    @staticmethod
    def _unlisted_given(text: str, m: re.Match, lex: Lexicon, profile: str) -> int | None:
        """Where a given name no list has ("Mishaali", "Waqas") stands before a listed surname that is mainly a
        name ("Kapoor", "Ahmed"), in prose that uses case: the end of the pair."""
        word = m.group(0)
        if profile != "mixed":
            return None
        if not re.fullmatch(r"[A-Z]{2}", word):  # initials for a given name: "JJ Martinez", "AJ Okafor"
            if not (word[0].isupper() and word[1:].islower()) or len(word) < 3:
                return None
            if not lex.unknown(word) or lex.is_place(word):
                return None
        gap = _GAP.match(text, m.end())
        nxt = _WORD.match(text, gap.end()) if gap and gap.group(0).strip() == "" else None
        if not nxt:
            return None
        surname = nxt.group(0)
        if surname[0].isupper() and surname[1:].islower() and lex.is_surname(surname) and lex.name_first(surname):
            return nxt.end()
        return None

    @staticmethod
    def _narrated(text: str, m: re.Match, lex: Lexicon) -> bool:
        """A given name that is also a word, as a story or a message uses it: the one who did something
        ("Jake joined in", "Emma twirled", "Sandra said"), not a word ("Rusty colored", "Will asked")."""
        word = m.group(0)
        if not word[1:].islower() or lex.zipf(word) >= 4.5 or lex.is_place(word) or CALENDAR_WORD.fullmatch(word):
            return False
        return bool(_NARRATED.match(text, m.end()))

    @staticmethod
    def _lone_name(lex: Lexicon, word: str, profile: str) -> bool:
        """A given name that is next to never an English word, long enough not to be an abbreviation."""
        if (
            len(word) < 4
            or (profile == "mixed" and word.isupper())
            or CALENDAR_WORD.fullmatch(word)
            or lex.is_place(word)
        ):
            return False  # "April", "Sunday", "Florida": a month, a day or a place before a name
        return lex.name_first(word) and lex.zipf(word) < 2.5
