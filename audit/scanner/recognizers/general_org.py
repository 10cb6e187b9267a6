"""Organisations: names ending in a company or institution word ("Smith Ltd.", "Acme Corporation"),
capitalised names in an employer slot ("I work for X", "X is a design agency"), and the courts,
tribunals, prosecutors, prisons and ministries that place a matter ("the Izmir State Security Court").
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from audit.scanner.lexicon import care_note, case_profile, lexicon
from audit.scanner.recognizers.base import RegexRecognizer, Rule, result
from audit.scanner.recognizers.patterns import UP, word
from audit.scanner.recognizers.places_in_context import names_a_place

_CAP = word(UP, r"[\w'’&.-]")
_SUFFIX = (
    r"Inc|Incorporated|LLC|L\.L\.C|LLP|Ltd|Limited|Corp|Corporation|Company|Co|GmbH|AG|SA|S\.A|NV|BV|PLC|Pty|"
    r"Group|Holdings|Partners|Associates|Agency|Bank|Solutions|Technologies|Systems|Labs|Consulting|Ventures|"
    r"Enterprises|Industries|Insurance|Capital|Foundation|Institute|Orchestra|Media|Studios|Software|Analytics|"
    r"Hotel|Hotels|Resort|Jewellers|Jewelers"
)
_EMPLOYER_SLOT = (
    r"\b(?:work(?:s|ed|ing)?\s+(?:for|at)|employed\s+(?:by|at)|employer\s*(?:is|:)|job\s+at|hired\s+by|"
    r"(?:join(?:ed|ing)?|left|quit|spent\s+(?:a|one|two|\w+)\s+years?\s+at|year\s+at|CEO\s+of|CTO\s+of|"
    r"founder\s+of|president\s+of|(?:an?\s+)?(?:engineer|manager|director|analyst|intern)\s+at)|brainchild\s+of)\s+"
)


class OrganizationRecognizer(RegexRecognizer):
    """Company-suffixed names, and capitalised names in an employer slot."""

    ENTITY = "ORGANIZATION"
    RULES = (
        Rule(
            "suffix",
            rf"\b(?P<v>{_CAP}(?:[ ]+(?:&[ ]+|and[ ]+|of[ ]+)?{_CAP}){{0,4}},?[ ]+(?:{_SUFFIX}))\b\.?",
            0.85,
            group="v",
        ),
        Rule("employer", rf"(?i:{_EMPLOYER_SLOT})(?P<v>{_CAP}(?:[ ]+{_CAP}){{0,3}})", 0.9, group="v"),
        # the holder of a copyright notice: "© TZack88", "Copyright (c) 2021 Acme Labs"
        Rule(
            "copyright",
            r"(?:©|\((?i:c)\)|\b(?i:copyright)(?:[ ]+(?:©|\((?i:c)\)))?)[ ]+(?:(?:19|20)\d{2}(?:[-–](?:19|20)\d{2})?,?[ ]+)?"
            r"(?P<v>[A-Za-z][\w.-]{1,30}(?:[ ]+[A-Z][\w.-]{1,30}){0,3})",
            0.8,
            group="v",
        ),
        Rule(
            "officer-of",
            rf"\b(?:of|at)[ ]+(?P<v>{_CAP}(?:[ ]+{_CAP}){{0,3}})(?=[ ]+is[ ]+(?:the|our|their)[ ]+(?:CEO|CTO|CFO|COO|founder|president|chair\w*|head)\b)",
            0.9,
            group="v",
        ),
        # letterhead: a short line between a name or job-title line and the street line of an address
        Rule(
            "letterhead",
            r"(?:^|\n)[ \t>?*]*[^\d\n:@]{3,60}\n[ \t>?*]*(?P<v>[^\W\d_][^\d\n:@,]{1,40}?)[ \t.,]*\n[ \t>?*]*(?=\d{1,6}[ ]+\S|(?:PSC|Unit|USNS|USS|P\.?O\.?[ ]Box)\b)",
            0.7,
            flags=re.I,
            group="v",
        ),
        Rule(
            "is-a-company",
            rf"(?:^|(?<=[.!?]\s))(?P<v>{_CAP}(?:[ ]+{_CAP}){{0,3}})(?=\s+is\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?(?:company|agency|firm|startup|start-up|business|nonprofit|non-profit|501\(c\)3|organi[sz]ation|brand|manufacturer|retailer|bank|provider|vendor))",
            0.8,
            flags=re.M,
            group="v",
        ),
    )

    def accept(self, text: str, start: int, end: int) -> bool:
        """Not a lone suffix word, a sentence opener or a sentence."""
        words = text[start:end].split()
        if len(words) > 5 or re.search(r"[.!?]\s", text[start:end]):
            return False
        if re.search(r"\b(?:left|right|quit)\s+$", text[max(0, start - 8) : start], re.I) and care_note(text):
            return False  # "LEFT ARM PHLEBITIC": a side of the body in a note, not a former employer
        profile = case_profile(text)
        if (profile != "mixed" or care_note(text)) and not names_a_place(text[start:end], profile):
            return False  # "LEFT OPEN TO AIR", "left ART LINE": without case, ordinary words name nothing
        return words[0] not in {"The", "A", "An", "This", "That", "Our", "My", "Your", "It", "We", "They"}


_NOT_A_NAME = r"(?!(?:The|A|An|This|That|On|In|At|By|Before|From|To|Of|And|Whereas|When|Since)\b)"
_COURT_KIND = (
    r"District|Regional|Supreme|Constitutional|High|Crown|County|Circuit|Appeals?|Administrative|Military|Security|"
    r"Criminal|Civil|Assize|Magistrates['’]?|Federal|Family|Juvenile|Municipal|Provincial|Cantonal|Labour|Labor|Tax|"
    r"Commercial|Superior|Sheriff|Youth|Peace|Law"
)
_INSTITUTION = (
    rf"(?:(?:{_COURT_KIND})[ ]+Court|Court[ ]+of[ ]+(?:Appeal|Cassation|Justice|Session|First[ ]+Instance)|Tribunal|"
    r"(?:Public[ ]+)?Prosecutor['’]?s?['’]?[ ]+Office|Prosecution[ ]+Service|Prison|Penitentiary|"
    r"(?:Detention|Remand)[ ]+Cent(?:re|er)|Police[ ]+(?:Station|Headquarters|Department)|Gendarmerie[ ]+Command|"
    rf"Ministry[ ]+of[ ]+(?:the[ ]+)?{_CAP}(?:[ ]+(?:and[ ]+)?{_CAP}){{0,2}})"
)


_PLACE_LEAD = re.compile(r"(?:the[ ]+)?(?P<p>[^\W\d_][\w'’-]*)[ ]", re.I)
_PLACE_TAIL = re.compile(r"[ ]+(?:of|in|at)[ ]+(?P<p>[^\W\d_][\w'’-]*(?:[ ]+[^\W\d_][\w'’-]*)?)[.,;:]?$")


class InstitutionRecognizer(RegexRecognizer):
    """ORGANIZATION for a court, tribunal, prosecutor's office, prison, police station or ministry named by
    something of its own: a place or a name ("the Erzincan Martial Law Court", "Dovergate Prison"). "The
    District Court" or "the Court of Appeal" alone place no matter and are left out."""

    ENTITY = "ORGANIZATION"

    def supported(self) -> list[str]:
        """The institution, and the town it is named after."""
        return ["ORGANIZATION", "LOCATION"]

    RULES = (
        Rule(
            "institution",
            rf"\b(?P<v>(?:{_NOT_A_NAME}(?:{_CAP}|\d{{1,2}}(?:st|nd|rd|th))[ ]+){{0,4}}{_INSTITUTION}"
            rf"(?:[ ]+(?:of|in|at)[ ]+{_CAP}(?:[ ]+{_CAP}){{0,2}})?)",
            0.9,  # above spaCy's 0.85: a court is no place, whatever the model makes of its town
            group="v",
        ),
    )

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Each institution, with the town it is named after as a LOCATION of its own ("Ankara" of "the Ankara
        State Security Court", "Munich" of "the Family Court in Munich"): the court is the matter, the town a place."""
        out = []
        for found in super().analyze(text, entities, nlp_artifacts):
            out.extend(self._split_place(text, found))
        return out

    def _split_place(self, text: str, found: RecognizerResult) -> list[RecognizerResult]:
        lex = lexicon()
        value = text[found.start : found.end]
        m = _PLACE_LEAD.match(value) or _PLACE_TAIL.search(value)
        if not m or not lex.is_place(m.group("p")) or "LOCATION" not in self.supported_entities:
            return [found]
        ps, pe = found.start + m.start("p"), found.start + m.end("p")
        rest = (found.start, m.start() + found.start) if m.re is _PLACE_TAIL else (pe + 1, found.end)
        return [
            result(self, "LOCATION", ps, pe, found.score),
            result(self, "ORGANIZATION", rest[0], rest[1], found.score),
        ]

    def accept(self, text: str, start: int, end: int) -> bool:
        """Some word of it names something: not every word is an ordinary word (in mixed-case prose only)."""
        if case_profile(text) != "mixed" or care_note(text):
            return False
        lex = lexicon()
        words = re.findall(r"[^\W\d_][\w'’-]*", text[start:end])
        return any(not lex.is_word(w.rstrip("'’")) for w in words)
