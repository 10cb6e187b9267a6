"""Value shapes: what a finding's masked preview says about its form, never its value.

The masked preview (audit/fingerprint.mask) keeps each word's first character
and the punctuation, so "2021" is "2***", "55-year-old" is "5*-y***-o**" and
"May 30th, 2022" is "M** 3***, 2***". Triggers use shapes to encode negative
conditions such as "a year alone is not a Safe Harbor date" (164.514(b)(2)(i)(C)).
"""

from __future__ import annotations

import re

_YEAR = r"[12]\*{3}s?|[12]\*{4}"  # 2021, 1990s
_SHAPES: dict[str, tuple[str, re.Pattern[str]]] = {
    "year_only": (
        "a year, decade or year range, maybe after a lower-case word ('2021', 'the 1990s', '2019-2021')",
        re.compile(rf"^(?:[a-z]\**\s+)?(?:{_YEAR})(?:\s*[-–/]\s*(?:{_YEAR}))?$"),
    ),
    "month_year": (
        "a month (or season) and a year, no day ('January 2023', '03/2021')",
        re.compile(rf"^(?:[A-Z]\**\.?,?\s+(?:o\*\s+)?(?:{_YEAR})|\d\**[/-](?:{_YEAR}))$"),
    ),
    "relative": (
        "no digits at all: a relative or vague date ('last year', 'five years ago', 'March')",
        re.compile(r"^[^0-9]*$"),
    ),
    "age_or_duration": (
        "a number followed by unit words ('55-year-old', '6 months', '3 days ago') or 'age 60'",
        re.compile(r"^(?:\d\**(?:[\s-]+[ymwdhoa]\**)+|[aA]\*{2}\s+\d\**)$"),
    ),
    "bare_number": (
        "a number of one to three digits, maybe with decimals ('35', '9.1')",
        re.compile(r"^\d\*{0,2}(?:[.,]\d\**)?$"),
    ),
    "single_word": ("one word, no space ('Chaddock', 'Smith'): a surname alone or an eponym", re.compile(r"^\S+$")),
    "time_of_day": ("a clock time ('10:30 am')", re.compile(r"^\d\**:\d\**(?:\s*[aApP]\**\.?[mM]?\**\.?)?$")),
}

SHAPES: dict[str, str] = {name: description for name, (description, _) in _SHAPES.items()}


def has_shape(masked: str, shape: str) -> bool:
    """True when the masked preview has the named shape (KeyError for an unknown shape)."""
    return bool(_SHAPES[shape][1].match(masked.strip()))
