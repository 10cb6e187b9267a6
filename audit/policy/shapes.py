"""Value shapes: a finding's form, never its value, computed by the scanner from the raw value.

The shapes are matched on a skeleton of the value that keeps each word's first
character and the punctuation, so "2021" is "2***", "55-year-old" is
"5*-y***-o**" and "May 30th, 2022" is "M** 3***, 2***". The finding carries the
names of its shapes, so the masked preview (what an output may show) can change
without changing a decision. Triggers use shapes to encode negative conditions
such as "a year alone is not a Safe Harbor date" (164.514(b)(2)(i)(C)).
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


_WORD = re.compile(r"(\w)(\w*)")


def shapes_of(value: str) -> tuple[str, ...]:
    """The names of the shapes a raw value has, in SHAPES order."""
    skeleton = _WORD.sub(lambda m: m.group(1) + "*" * len(m.group(2)), value).strip()
    return tuple(name for name, (_, pattern) in _SHAPES.items() if pattern.match(skeleton))


def has_shape(finding, shape: str) -> bool:
    """True when the finding's value has the named shape (KeyError for an unknown shape)."""
    if shape not in _SHAPES:
        raise KeyError(shape)
    return shape in finding.shapes
