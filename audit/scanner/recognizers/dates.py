"""Dates tied to a person (Safe Harbor C): DATE_OF_BIRTH and DATE_OF_SERVICE.

A date is reported only when birth, admission, discharge, death or visit words
sit just before it (or right after, as in "04/05/1950 (DOB)"), and only if it
is a real calendar date. Other dates stay DATE_TIME from spaCy.
"""

from __future__ import annotations

import datetime as dt
import re

from audit.scanner.evidence import possible, requirement
from audit.scanner.recognizers.base import Rule, SpanRecognizer, ValidatedRecognizer, compile_words, result

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
         "sep sept september", "oct october", "nov november", "dec december")
    )
    for m in names.split()
}  # fmt: skip
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
_DATE_RULES = (
    Rule("numeric", r"(?<![\d/.-])\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?![\d/-]|\.\d)", 0.0),
    Rule("iso", r"(?<![\d/.-])\d{4}-\d{1,2}-\d{1,2}(?![\d/-])", 0.0),
    Rule("month-day-year", rf"(?<![A-Za-z]){_MONTH}\s{{1,3}}\d{{1,2}}{_ORD},?(?:\s{{1,3}}'?\d{{2,4}})?(?!\d)", 0.0),
    Rule(
        "day-month-year", rf"(?<!\d)\d{{1,2}}{_ORD}\s{{1,3}}(?:of\s{{1,3}})?{_MONTH},?(?:\s{{1,3}}\d{{4}})?(?!\d)", 0.0
    ),
)


def real_date(value: str) -> bool:
    """True when `value` names a calendar date (month/day order tried both ways for numeric dates)."""
    v = value.lower().replace(",", " ").replace("'", " ")
    nums = [int(n) for n in re.findall(r"\d+", v)]
    words = [w.rstrip(".") for w in re.findall(r"[a-z]+\.?", v) if w.rstrip(".") in _MONTHS]
    if words:
        day = next((n for n in nums if n <= 31), None)
        year = next((n for n in nums if n > 31 or (n != day and len(nums) > 1)), 2000)
        return day is not None and _exists(_year(year), _MONTHS[words[0]], day)
    if len(nums) != 3:
        return False
    a, b, c = nums
    if a > 31:  # ISO
        return _exists(a, b, c)
    return _exists(_year(c), a, b) or _exists(_year(c), b, a)


def _year(y: int) -> int:
    return y if y > 99 else (1900 + y if y > 30 else 2000 + y)


def _exists(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1850 <= year <= 2100


_BIRTH = ("dob", "d.o.b", "date of birth", "birth date", "birthdate", "born", "birthday", "b.")
_SERVICE = (
    "admitted", "admission", "admit", "discharged", "discharge", "died", "death", "deceased", "expired",
    "passed away", "date of service", "dos", "visit", "visited", "seen", "appointment", "encounter",
    "surgery", "procedure", "operated", "hospitalized", "presented", "treated", "follow-up", "follow up",
    "transferred", "readmitted", "consult", "consultation", "evaluated", "examined", "diagnosed",
)  # fmt: skip
# Something date-like between a cue and a date means the cue belongs to that other date.
_OTHER_DATE = re.compile(r"\d[/.-]\d|\d{4}|\d(?:st|nd|rd|th)\b", re.IGNORECASE)


# A birth cue makes the date a date of birth whatever else finds it: above Presidio's DateRecognizer (0.95) and
# the care-note dates (0.86), so the overlap keeps the typed date ("DOB 03/12/1984").
_SCORES = {"DATE_OF_BIRTH": 0.96, "DATE_OF_SERVICE": 0.85}


class PersonalDateRecognizer(ValidatedRecognizer):
    """DATE_OF_BIRTH or DATE_OF_SERVICE, by the nearest birth or service cue before the date (or just after it)."""

    ENTITY = "DATE_OF_BIRTH"
    RULES = tuple(Rule(r.name, r.regex, 0.85, 0.85, re.IGNORECASE) for r in _DATE_RULES)
    WINDOW = (45, 12)
    _cues = ((compile_words(_BIRTH), "DATE_OF_BIRTH"), (compile_words(_SERVICE), "DATE_OF_SERVICE"))

    def __init__(self) -> None:
        super().__init__()
        self.supported_entities = ["DATE_OF_BIRTH", "DATE_OF_SERVICE"]

    def validate(self, value: str) -> bool:
        """A real calendar date."""
        return real_date(value)

    def entity_for(self, text: str, start: int, end: int) -> str | None:
        """The entity the closest cue implies, or None when no cue is close enough."""
        before = text[max(0, start - self.WINDOW[0]) : start]
        best: tuple[int, str] | None = None
        for words, entity in self._cues:
            for m in words.finditer(before):
                if not _OTHER_DATE.search(before[m.end() :]) and (best is None or m.end() > best[0]):
                    best = (m.end(), entity)
        if best:
            return best[1]
        after = text[end : end + self.WINDOW[1]]
        return next((entity for words, entity in self._cues if words.search(after)), None)

    def analyze(self, text, entities, nlp_artifacts=None):
        """Calendar dates with a birth or service cue, typed by the nearest cue."""
        out = {}
        for _rule, start, end in self.candidates(text):
            entity = self.entity_for(text, start, end) if self.validate(text[start:end]) else None
            if entity in entities and (start, end) not in out:
                out[(start, end)] = result(self, entity, start, end, _SCORES[entity])
        return list(out.values())


# --- dates as care notes write them: "8/25", "on 7/22", "6-17-21", "MI 1992", "s/p CABG '84" ---------------
_SHORT = re.compile(
    r"(?<![\w/.:+'’])(?<!\d-)(?P<m>1[0-2]|0?[1-9])/(?:(?P<d>3[01]|[12]\d|0?[1-9])|(?P<y>[4-9]\d))(?![\w/%]|\.\d|:\d)"
)
_FULL = re.compile(r"(?<![\w/.:'-])\d{1,2}([/-])\d{1,2}\1(?:\d{4}|\d{2})(?![\w/:%]|-\d|[ \t]*%)")
_APOSTROPHE_YEAR = re.compile(r"(?<![\w'’])['’](?P<y>\d{2})(?![\w'’])|(?<![\w'’/.-])(?P<y2>\d{2})['’](?![\w'’])")
# A four-digit year after "in", "since", a month or an event in someone's history ("MI 1992", "CABG 1957, 1971").
_YEAR = re.compile(
    r"(?:\b(?:in|since|year|yr|circa|dated|during)|(?-i:\b[A-Z]{2,6})|\bs/p[ \t]+\w+|"
    rf"\b{_MONTH}|(?<=\d{{4}}),)"
    r"[ \t]{1,3}(?P<y>(?:19[3-9]\d|20[0-3]\d))(?![\w/:-]|[ \t]*(?:hrs?|h|cc|ml|mg|units?)\b)",
    re.I,
)
# "CABG 81, redo CABG 84, MI 81": a two-digit year after an event of a medical history.
_EVENT_YEAR = re.compile(
    r"\b(?:cabg|mi|cva|avr|mvr|ptca|pci|tia|aaa|orif|tkr|thr|chole|appy|turp|stent|stroke)(?:[ \t]+x[ \t]?\d)?"
    r"[ \t]{1,2}['’]?(?P<y>[3-9]\d|[0-2]\d)(?![\w%./:'’-]|[ \t]*(?:years?|yrs?|y/?o|days?|months?|mos?|weeks?|wks?|hours?|hrs?|min|mg|cm|mm)\b)",
    re.I,
)
# Ventilator settings, strengths and doses are written like dates: "PS 10/5", "strength 5/5", "1/2 NS".
_NOT_A_DATE_BEFORE = re.compile(
    r"(?:\b(?:ps|ips|peep|cpap|bipap|psv|ac|a/c|simv|imv|vent|settings?|trial|strength|strengths|grade|score|pain|"
    r"cp|scale|ratio|tv|vt|rate|perrla?)[ \t:,=-]{0,3}|(?<![a-z])x[ \t]{0,2}|[@#=%][ \t]{0,2})$",
    re.I,
)
_PAIN = re.compile(r"\b(?:pain|cp|angina|discomfort|ache|scale|rates?|rated|score)\b", re.I)
# Pressure-support and PEEP pairs ("PSV increased to 10/5", "mask ventilation 10/5 40%") near ventilator words.
_VENT = re.compile(r"\b(?:vent\w*|psv?|ips|peep|cpap|bipap|simv|imv|a/?c|mask|settings?|mode)\b", re.I)
_TIME_CUE = re.compile(r"(?:\b(?:at|until|till|from|to|by|about|around|approx|before|after|q)|@)[ \t.]{0,3}$", re.I)
_NOT_A_DATE_AFTER = re.compile(r"[ \t]{0,2}(?:ns\b|mg|mcg|cc|ml|l\b|units?\b|strength|tabs?\b|%|x\b)", re.I)


class CareDateRecognizer(SpanRecognizer):
    """DATE_TIME for month/day without a year, a year with an apostrophe, and a year in a history."""

    ENTITY = "DATE_TIME"

    # above spaCy's 0.85: Presidio drops a result that a same-type result with a higher score contains,
    # and spaCy's DATE spans in notes often swallow the date with its neighbours ("'84   s/")
    SHORT_SCORE = 0.86
    YEAR_SCORE = 0.86

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        """Short dates that are calendar dates and not a dose or setting; years in context."""
        if not possible(_NEEDS, text):
            return []  # no pattern below can match (each needs a digit: audit.scanner.evidence)
        out = []
        for m in _SHORT.finditer(text):
            if self._short_date(text, m):
                out.append((m.start(), m.end(), self.SHORT_SCORE))
        for m in _FULL.finditer(text):
            if real_date(m.group(0)):
                out.append((m.start(), m.end(), self.SHORT_SCORE))
        for m in _APOSTROPHE_YEAR.finditer(text):
            out.append((m.start(), m.end(), self.YEAR_SCORE))
        for m in _EVENT_YEAR.finditer(text):
            out.append((m.start("y"), m.end("y"), self.YEAR_SCORE))
        for m in _YEAR.finditer(text):
            if _TIME_CUE.search(text[max(0, m.start("y") - 12) : m.start("y")]):
                continue
            out.append((m.start("y"), m.end("y"), self.YEAR_SCORE))
        return out

    @staticmethod
    def _short_date(text: str, m: re.Match) -> bool:
        if m.group("y"):  # "8/88", "12/93": month and year
            return not _NOT_A_DATE_AFTER.match(text, m.end())
        month, day = int(m.group("m")), int(m.group("d"))
        if day <= 5 and month < day:
            return False  # 1/2, 1/3, 3/4: a fraction far more often than a date early in the year
        if day == 10 and _PAIN.search(text[max(0, m.start() - 30) : m.end() + 30]):
            return False  # "6/10 chest pain": a score out of ten
        if month == day <= 5 or _NOT_A_DATE_BEFORE.search(text[max(0, m.start() - 16) : m.start()]):
            return False  # "5/5", "PS 10/5", "strength 4/5": a setting or score right before
        if day <= 5 and _VENT.search(text[max(0, m.start() - 40) : m.start()]):
            return False  # "PSV increased to 10/5": a pressure pair further on in a ventilator sentence
        return not _NOT_A_DATE_AFTER.match(text, m.end()) and _exists(2000, month, day)


# What every pattern of CareDateRecognizer needs (their shared evidence): a text without it matches none.
_NEEDS = frozenset.intersection(*(requirement(p) for p in (_SHORT, _FULL, _APOSTROPHE_YEAR, _EVENT_YEAR, _YEAR)))

RECOGNIZERS = [PersonalDateRecognizer, CareDateRecognizer]
