"""Organisations: names ending in a company or institution word ("Smith Ltd.", "Acme Corporation"),
and capitalised names in an employer slot ("I work for X", "X is a design agency").
"""

from __future__ import annotations

import re

from audit.scanner.lexicon import care_note, case_profile
from audit.scanner.recognizers.base import RegexRecognizer, Rule
from audit.scanner.recognizers.patterns import UP, word
from audit.scanner.recognizers.places_in_context import names_a_place

_CAP = word(UP, r"[\w'’&.-]")
_SUFFIX = (
    r"Inc|Incorporated|LLC|L\.L\.C|LLP|Ltd|Limited|Corp|Corporation|Company|Co|GmbH|AG|SA|S\.A|NV|BV|PLC|Pty|"
    r"Group|Holdings|Partners|Associates|Agency|Bank|Solutions|Technologies|Systems|Labs|Consulting|Ventures|"
    r"Enterprises|Industries|Insurance|Capital|Foundation|Institute|Orchestra|Media|Studios|Software|Analytics"
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
