"""Telephone and fax numbers in the many ways people write them.

Presidio's PhoneRecognizer (libphonenumber) misses local numbers ("450 0840"),
European groupings ("699 956 915", "60-56-85-91") and "+44 (0)..." forms. Numbers
with a "+" country code or US punctuation are reported on their own; other digit
groups need a phone word nearby (phone, call, fax, mobile, office, reach...).
"""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import RegexRecognizer, Rule

_SEP = r"[ .\-\u00a0]"
_EXT = r"(?:[ ]?(?:x|ext\.?|extension)[ ]?\d{1,5})?"
_PAGER = re.compile(r"\b(?:pager|beeper)[ \t]{0,2}[-:#=]?[ \t]{0,2}$", re.I)
_EXT_AT_END = re.compile(r"[ ]?(?:x|ext\.?|extension)[ ]?\d{1,5}$", re.I)


class PhoneNumberRecognizer(RegexRecognizer):
    """Phone numbers: international, North American, and context-confirmed local groupings."""

    ENTITY = "PHONE_NUMBER"
    RULES = (
        # +CC, optional (0) trunk and (area), groups, optional extension
        Rule(
            "international",
            rf"(?<![\w+])\+\d{{1,3}}{_SEP}?(?:\(0\){_SEP}?)?(?:\(\d{{1,4}}\){_SEP}?)?\d{{1,5}}(?:{_SEP}?\d{{2,5}}){{1,5}}{_EXT}(?!\d)",
            0.8,
        ),
        # North American: (555) 123-4567, 555-123-4567, 555.123.4567, 001-555-123-4567
        Rule("nanp-parens", rf"(?<![\w+])(?:(?:00)?1{_SEP}?)?\(\d{{3}}\){_SEP}?\d{{3}}{_SEP}\d{{4}}{_EXT}(?!\d)", 0.75),
        Rule("nanp", rf"(?<![\w.+/-])(?:(?:00)?1{_SEP})?\d{{3}}([.\-])\d{{3}}\1\d{{4}}{_EXT}(?![\w/-])", 0.7),
        # other groupings need a phone word nearby: (37) 788-063, 699 956 915, 0393 1144137, 60-56-85-91
        Rule(
            "grouped",
            rf"(?<![\w.+/-])(?:\(\d{{1,4}}\){_SEP}?)?\d{{2,5}}(?:{_SEP}\d{{2,8}}){{1,4}}{_EXT}(?![\w/]|[.\-]\d)",
            0.6,
            needs_context=True,
        ),
        Rule("digits", r"(?<![\w.+/-])\d{7,12}(?![\w/]|[.\-]\d)", 0.6, needs_context=True),
        # right after a phone label, glued or not: "CELLULAR-410 202-6694", "HOME-410 671-9309", "Pager 83554"
        Rule(
            "labelled",
            r"(?i:\b(?:cell(?:ular)?|mobile|home|work|office|pager|beeper|phone|tel|fax))[ \t]{0,2}[-:#=]?[ \t]{0,2}"
            r"(?P<v>\d{3}[ \t-]?\d{3}[ \t-]?\d{4}|\d{3}[ \t]\d{7}|\d{4,6})(?![\w/]|[.\-]\d)",
            0.75,
            group="v",
        ),
    )
    CONTEXT = re.compile(
        r"\b(?:phone|ph|tel|telephone|mobile|cell|cellular|cellphone|fax|pager|beeper|call|calling|called|callback|"
        r"reach|reached|text|sms|"
        r"whatsapp|office|desk|home|work|contact|number|no\.|answering|dial|ring|voicemail|messages?|registered)\b",
        re.I,
    )
    WINDOW = (40, 16)

    def accept(self, text: str, start: int, end: int) -> bool:
        """Seven to fifteen digits, not a date, a time or a decimal number."""
        value = text[start:end]
        digits = sum(c.isdigit() for c in _EXT_AT_END.sub("", value))  # "x83604" is not part of the number
        if 4 <= digits <= 6 and value.isdigit() and _PAGER.search(text[max(0, start - 12) : start]):
            return True  # a pager or extension number after its label
        if not 7 <= digits <= 15:
            return False
        if re.fullmatch(r"(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:19|20)?\d{2}", value):
            return False
        return not re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+\.\d{1,2}", value)
