"""People's names that the words around them announce, in any case: "DR HALVORSEN", "son bill",
"wife, Rose,", "per DAVID", "Tobias W. Halloran, RRT", "the Delgado family".

Care notes, tickets and chat are often written all in capitals or all in lower case, where a
capital letter says nothing. What decides is the cue (a title, a relation, a role, a credential
after the name) and what the lexicon knows of each word: a word in ordinary use ("son called",
"DR AWARE") is no name; a listed name or a word no vocabulary knows ("PETRAKIS") is one.
Every scan here walks the text once with bounded patterns (linear time).
"""

from __future__ import annotations

import re

from audit.scanner.lexicon import FUNCTION_WORDS, Lexicon, case_profile, lexicon
from audit.scanner.recognizers.base import SpanRecognizer
from audit.scanner.recognizers.patterns import word_trie

# A cue and what follows it: the kind of cue decides how much the words after it must prove.
_TITLES = r"dr|drs|doctor|mr|mrs|ms|miss|mx|prof|professor|rabbi|rev|chaplain"
_ROLES = (
    r"nurse|rn|np|pa|attending|resident|fellow|intern|sw|social[ ]worker|case[ ]manager|therapist|"
    r"contact[ ]person|contact|spokesperson|spokes[ ]person|proxy|hcp|guardian|caregiver|neighbor|neighbour|"
    r"lawyer|attorney|poa|pastor|priest|minister"
)
_RELATIVES = (
    r"son|sons|daughter|daughters|dtr|wife|husband|spouse|brother|brothers|sister|sisters|sister-in-law|"
    r"brother-in-law|son-in-law|daughter-in-law|mother|mom|father|dad|nephew|niece|neice|grandson|granddaughter|"
    r"grandchild|grandchildren|cousin|aunt|uncle|children|kids|child|friend|fiance|fiancee|partner|boyfriend|"
    r"girlfriend|significant[ ]other"
)
_VERBS = (
    r"per|spoke[ ]with|spoke[ ]to|speak[ ]with|speak[ ]to|speaking[ ]with|talk[ ]with|talk[ ]to|talked[ ]with|"
    r"talked[ ]to|met[ ]with|called|reach|reached|update|updated|notified|paged|informed"
)


_CUE = re.compile(
    rf"\b(?:(?P<title>{word_trie(_TITLES)})(?:['’]s)?(?:\.|(?=[\s,:;(\-]|$))|(?:(?P<role>{word_trie(_ROLES)})|"
    rf"(?P<relative>{word_trie(_RELATIVES)})|(?P<verb>{word_trie(_VERBS)}))(?=[\s,:;(\-]|$))",
    re.I,
)
_TOKEN = re.compile(r"[ \t]{0,4}(?:[,:(][ \t]{0,3})?(?P<w>[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){0,30})(?P<dot>\.)?")
_AND = re.compile(r"[ \t]{0,3}(?:,|&|and|\+)[ \t]{0,3}(?:and[ \t]{1,3})?", re.I)
# Credentials after a name: "Arthur Pennington, MD", "tobias w. halloran, rrt", "okafor bsn/rn".
_CREDENTIAL = re.compile(
    r"(?<=[^\W\d_])(?:\.?[ \t]{1,3}|\.?,[ \t]{0,3})(?:md|m\.d\.|rn|r\.n\.|rrt|crt|np|pa-c|bsn|msn|lpn|cna|phd|licsw|msw|lcsw|pharmd)"
    r"(?:/(?:rn|md|np))?(?!\w)",
    re.I,
)
# "the Delgado family", not "Riverbend Family Clinic" (a practice named as families name them)
_FAMILY = re.compile(
    r"(?<![\w'’-])(?P<w>[^\W\d_]{2,30})[ \t]{1,2}family\b(?![ \t]+(?:clinic|practice|medicine|medical|health|"
    r"care|dental|dentistry|physicians|doctors|pharmacy|services|center|centre|law|office|restaurant|farm|trust)\b)",
    re.I,
)
# What is said of someone right after their name in a note: "Halvorsen aware", "Wojcik notified".
_TOLD = re.compile(
    r"(?<=[^\W\d_])[ \t]{1,3}(?:is[ \t]+)?(?:aware|notified|paged|updated|made[ \t]+aware|phoned|called[ \t]+(?:and|to|back|in|for))\b",
    re.I,
)
_PRECEDING = re.compile(
    r"(?<![^\W\d_'’-])(?P<w>[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){0,30}|(?<!\S)[^\W\d_]\.)[ \t]{0,3}$"
)


def _is_name_word(lex: Lexicon, word: str, profile: str, strength: str) -> bool:
    """Could `word` be (part of) a name after a cue of this strength (title, ms, role, relative, verb)?"""
    low = word.lower()
    if low in FUNCTION_WORDS or len(word) < 2:
        return False
    if lex.is_clinical(word) and not (word.istitle() and lex.is_given_name(word)):
        return False  # "ED", "PT" are units and shorthand; "son, Ed," is a name
    if _CUE.fullmatch(word):
        return False  # "brother, sister and friend": a relation, not a name
    if strength == "verb":
        if profile == "mixed" and word.istitle() and lex.is_given_name(word) and lex.zipf(word) < 4.5:
            return True  # "able to reach Rob", "spoke with Jack": a given name with its capital, after the verb
        return lex.name_first(word) and (profile != "mixed" or word[0].isupper())
    if strength == "ms":  # a listed name or a word no dictionary has: "MS DELACROIX", not "MS continues"
        return lex.is_name(word) and not lex.is_word(word) or not lex.is_word(word) and lex.words.get(low, 0.0) < 3.0
    if strength == "role":  # "NP Grace", "RN Virginia": roles are also said of units and lines ("PA line")
        if lex.name_first(word) or lex.is_given_name(word) and not lex.is_word(word):
            return True
        return profile == "mixed" and word.istitle() and lex.unknown(word)
    if lex.is_name(word):
        # after a title any listed name ("Dr. Green"); after a relation a given name in ordinary use
        # ("son bill", "wife rose") but not the commonest words ("son will call")
        return strength == "title" or lex.is_given_name(word) and lex.zipf(word) < 5.5 or lex.name_first(word)
    # a word no list has a name for: a rare surname after a title ("DR VANTANEN") unless it is common
    # ("DR AWARE"); after a relation only a word no vocabulary knows ("son Jaxon")
    if strength == "title":  # two letters are enough after a title: "Dr. Yi", "Dr Ng", "DR WU"
        return len(word) >= 2 and (not lex.is_word(word) or lex.words.get(low, 0.0) < 3.0)
    return len(word) >= 3 and not lex.is_word(word) and lex.zipf(word) < 4.0


class NameInContextRecognizer(SpanRecognizer):
    """PERSON after a title, role, relation or verb of address, and before a credential."""

    ENTITY = "PERSON"

    SCORES = {"title": 0.95, "ms": 0.95, "role": 0.9, "relative": 0.95, "verb": 0.9, "credential": 0.95}

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        """Names announced by their cue, each as its own span (a title is not part of it)."""
        lex, profile = lexicon(), case_profile(text)
        spans: list[tuple[int, int, float]] = []
        for cue in _CUE.finditer(text):
            strength = next(k for k in ("title", "role", "relative", "verb") if cue.group(k))
            if strength == "title" and cue.group("title").lower() == "ms":
                strength = "ms"  # "MS waxing and waning": mental status as often as a title in a note
            cue_word = cue.group(0).lower().rstrip(".")
            plural = strength == "title" or cue_word.endswith(("s", "children", "kids")) or "'" in cue_word
            found = self._after(text, cue.end(), lex, profile, strength, plural)
            if not found and strength == "role":
                found = self._told(text, cue.end(), lex)
            spans.extend(found)
        for cred in _CREDENTIAL.finditer(text):
            spans.extend(self._before(text, cred.start(), lex, profile))
        for family in _FAMILY.finditer(text):  # "keep the Delgado family aware": a surname before "family"
            word = family.group("w")
            if lex.is_surname(word) and lex.zipf(word) < 3.5 or lex.unknown(word) and len(word) >= 3:
                if profile != "mixed" or word[0].isupper():
                    spans.append((family.start("w"), family.end("w"), self.SCORES["relative"]))
        for told in _TOLD.finditer(text):  # "DR. HALVORSEN AWARE", "W. OKAFOR AWARE"
            spans.extend((s, e, self.SCORES["verb"]) for s, e, _ in self._before(text, told.start(), lex, profile))
        return spans

    def _told(self, text, pos, lex):
        """A given name between a role and what is said of someone told: "NP grace made aware"."""
        m = _TOKEN.match(text, pos)
        if not m or text[pos : m.start("w")].strip(" \t") or not lex.is_given_name(m.group("w")):
            return []
        if not _TOLD.match(text, m.end("w")):
            return []
        return [(m.start("w"), m.end("w"), self.SCORES["role"])]

    def _after(self, text, pos, lex, profile, strength, plural):
        """The name (or, after a plural cue, the names joined by 'and') starting at `pos`."""
        out = []
        for _ in range(4 if plural else 1):
            start, end = self._name_at(text, pos, lex, profile, strength)
            if start is None:
                break
            out.append((start, end, self.SCORES[strength]))
            joiner = _AND.match(text, end)
            if not joiner:
                break
            pos = joiner.end() - 1 if text[joiner.end() - 1 : joiner.end()].isspace() else joiner.end()
        return out

    def _name_at(self, text, pos, lex, profile, strength):
        """Up to three name words (initials allowed inside) from `pos`; (None, None) if the first is no name."""
        start = end = None
        for i in range(3):
            m = _TOKEN.match(text, pos)
            if not m:
                break
            word = m.group("w")
            initial = len(word) == 1 and bool(m.group("dot"))  # "per W. Okafor", "Dr. L. Vantanen"
            if text[pos : m.start("w")].strip(" \t") and (i > 0 or strength in ("title", "ms")):
                break  # a comma or bracket ends a name; "MS: sedated" is a heading, not a title
            if not initial and not _is_name_word(lex, word, profile, "title" if i else strength):
                break
            if i > 0 and not initial and lex.is_word(word) and not lex.is_name(word):
                break
            start = m.start("w") if start is None else start
            end = m.end("w") + (1 if initial else 0)
            pos = m.end("w") + (1 if m.group("dot") else 0)
        if start is None or text[start + 1 : end] in ("", "."):
            return None, None  # an initial alone ("MS S. CARE") is no name
        return start, end

    def _before(self, text, cred_start, lex, profile):
        """The one to three name words right before a credential ("Arthur Pennington, MD")."""
        end, pos, start, words = cred_start, cred_start, None, 0
        while words < 3:
            m = _PRECEDING.search(text, max(0, pos - 40), pos)
            if not m:
                break
            word = m.group("w")
            if word.endswith(".") and len(word) == 2:
                start, pos = m.start("w"), m.start("w")
                continue
            listed = lex.is_name(word) and lex.zipf(word) < 4.5
            first = word.split("-", 1)[0]
            if "-" in word and (len(first) < 2 or lex.is_word(first) and not lex.is_name(first)):
                break  # "neuro-surg aware", "day-HO aware", "ex-wife": a word before the hyphen, not a name
            if not _is_name_word(lex, word, profile, "title") or lex.is_word(word) and not listed:
                break  # before a credential or "aware" only a name: "LOW MD AWARE", "teams aware" are not
            start, pos, words = m.start("w"), m.start("w"), words + 1
        if start is None or not words or lex.is_place(text[start:end].strip(" ,.")):
            return []  # "Glen Burnie, MD": a town and its state, not a doctor
        return [(start, end, self.SCORES["credential"])]
