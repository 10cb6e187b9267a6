"""Dates shifted by a keyed offset, ages over 89 grouped: Safe Harbor element (C) without losing intervals.

Every date of one person (or one record) moves by the same number of days, so the time
between an admission and a discharge survives while the calendar dates do not. A date is
rewritten in the layout it was written in (`3/12/1984`, `1984-03-12`, `March 12, 2024`,
`8/23`). A year alone, a time of day and a relative date ("last spring") are not date
elements Safe Harbor removes, and are kept; a date no pattern here reads is replaced whole.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

UNREADABLE_DATE = "[DATE]"
AGE_CAP = 90  # Safe Harbor (C): ages over 89 are grouped into one "90 or older" category, written as 90
# Under a year: a shift of exactly 365 days leaves the day and month of a date with no year (and of most dated
# ones) as they were.
MAX_SHIFT_DAYS = 364
# A month at least: a shift of a few days keeps the month ("July 29th" -> "July 31st"), which narrows the true
# date to that month; 31 days or more always moves a day-and-month date into another month.
MIN_SHIFT_DAYS = 31

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")  # fmt: skip
_MONTH_WORD = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_YEAR = r"(?:,?\s+(?P<y>\d{4}|(?<=, )\d{2}))?"  # "nov 2, 1996", "2 nov, 96" (two digits only after a comma)
# The first day of a range before a day and month: "1->2 nov", "3-5 March", "10 to 12 Jan".
_RANGE_START = re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*(?:-+>?|\u2013|to|through|thru)\s*\Z", re.I)
_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?!\d)"),
    re.compile(  # not a range of days before a month word ("3-5 March")
        r"(?<![\d/.-])(?P<m>\d{1,2})(?P<s>[-/.])(?P<d>\d{1,2})(?:(?P=s)(?P<y>\d{4}|\d{2}))?(?![\d/])"
        r"(?!(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_WORD.replace("?P<mon>", "?:") + ")",
        re.I,
    ),
    re.compile(_MONTH_WORD + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?" + _YEAR + r"(?!\d)", re.I),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_WORD + _YEAR + r"(?!\d)", re.I),
    re.compile(_MONTH_WORD + r",?\s+(?P<y>\d{4})(?!\d)", re.I),
)
_KEEP = (
    re.compile(r"\s*(?:(?:19|20)\d\d|'\d\d)s?\s*", re.I),  # a year alone
    re.compile(
        r"\s*\d{1,2}(?::\d\d){1,2}\s*(?:[ap]\.?m\.?)?\s*|\s*\d{1,2}\s*[ap]\.?m\.?\s*|\s*[0-2]\d[0-5]\d\s*", re.I
    ),
)
_NUMBER = re.compile(r"\d+")


def shift_offset(digest: bytes) -> int:
    """A number of days, MIN_SHIFT_DAYS to MAX_SHIFT_DAYS either way, from a keyed digest."""
    span = MAX_SHIFT_DAYS - MIN_SHIFT_DAYS + 1
    value = int.from_bytes(digest[:4], "big") % (2 * span)
    return MIN_SHIFT_DAYS + value if value < span else -(MIN_SHIFT_DAYS + value - span)


def shift_dates(text: str, days: int) -> str:
    """`text` with every date it holds moved by `days`; UNREADABLE_DATE when it holds a date element we cannot read."""
    out, pos, found = [], 0, False
    for match in _matches(text):
        moved = _shift(match, days)
        if moved is None:
            continue
        head = _range_start(text, pos, match, days)
        out.append(text[pos : match.start()] if head is None else head)
        out.append(moved)
        pos, found = match.end(), True
    if found:
        return "".join(out) + text[pos:]
    if not any(c.isdigit() for c in text) and not re.search(_MONTH_WORD, text, re.I):
        return text  # relative: "yesterday", "last spring"
    if any(k.fullmatch(text) for k in _KEEP):
        return text
    return UNREADABLE_DATE


def _range_start(text: str, pos: int, m: re.Match, days: int) -> str | None:
    """The text before a day-and-month match with the first day of a range before it moved too, else None."""
    if m.re is not _PATTERNS[3]:
        return None
    start = _RANGE_START.search(text, pos, m.start())
    if start is None:
        return None
    parts = m.groupdict()
    year = _full_year(parts["y"]) if parts.get("y") else 2001
    try:
        first = date(year, _month_number(parts), int(start.group("d"))) + timedelta(days=days)
        last = date(year, _month_number(parts), int(parts["d"])) + timedelta(days=days)
    except ValueError:
        return None
    day = str(first.day) + ("" if first.month == last.month else " " + _month_word(parts["mon"], first.month))
    return text[pos : start.start("d")] + day + text[start.end("d") : m.start()]


def cap_age(text: str) -> str:
    """`text` with every number over 89 replaced by 90 (the "90 or older" group)."""
    return _NUMBER.sub(lambda m: str(AGE_CAP) if int(m.group()) >= AGE_CAP else m.group(), text)


def _matches(text: str):
    taken: list[tuple[int, int]] = []
    found = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not any(m.start() < e and s < m.end() for s, e in taken):
                taken.append((m.start(), m.end()))
                found.append(m)
    return sorted(found, key=lambda m: m.start())


def _shift(m: re.Match, days: int) -> str | None:
    parts = m.groupdict()
    month = _month_number(parts)
    day = int(parts["d"]) if parts.get("d") else 15
    if "s" in parts and parts.get("y") is None and parts.get("mon") is None and month > 12 and day <= 12:
        month, day = day, month  # 23/8 written day first
    year_text = parts.get("y")
    year = _full_year(year_text) if year_text else 2001  # a date without a year: a year with no 29 February
    if month == 2 and day == 29 and not year_text:
        year = 2000
    try:
        moved = date(year, month, day) + timedelta(days=days)
    except ValueError:
        return None
    return _render(m, moved, month_first=_month_first(m, parts))


def _month_number(parts: dict) -> int:
    if parts.get("mon"):
        word = parts["mon"].lower().rstrip(".")
        return next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(word[:3]))
    return int(parts["m"])


def _month_first(m: re.Match, parts: dict) -> bool:
    return not (parts.get("m") and int(parts["m"]) > 12)


def _full_year(text: str) -> int:
    value = int(text)
    if len(text) == 2:
        return 1900 + value if value > 30 else 2000 + value
    return value


def _render(m: re.Match, moved: date, month_first: bool) -> str:
    """The moved date in the layout of the match: same separators, padding, month word and year width."""
    text, parts = m.group(), m.groupdict()
    pieces = []
    for name in ("y", "m", "d", "mon"):
        if parts.get(name) is None:
            continue
        start, end = m.span(name)
        pieces.append((start - m.start(), end - m.start(), name))
    padded = any(parts.get(n, "") and parts[n].startswith("0") for n in ("m", "d")) or m.re is _PATTERNS[0]
    out, pos = [], 0
    for start, end, name in sorted(pieces):
        out.append(text[pos:start])
        out.append(_field(name, text[start:end], moved, month_first, padded))
        pos = end
    return "".join(out) + text[pos:]


def _field(name: str, old: str, moved: date, month_first: bool, padded: bool) -> str:
    if name == "y":
        return f"{moved.year % 100:02d}" if len(old) == 2 else str(moved.year)
    if name == "mon":
        return _month_word(old, moved.month)
    value = moved.month if (name == "m") == month_first else moved.day
    return f"{value:0{len(old)}d}" if padded else str(value)


def _month_word(old: str, month: int) -> str:
    full = _MONTHS[month - 1]
    word = full if len(old.rstrip(".")) > 3 else full[:3]
    if old.isupper():
        word = word.upper()
    elif old[:1].isupper():
        word = word.capitalize()
    return word + ("." if old.endswith(".") else "")
