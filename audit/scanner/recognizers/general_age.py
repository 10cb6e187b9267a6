"""Ages: "45-year-old", "45 yo", "aged 45", "age: 45", "turned 45". Ages of 90 or more are AGE_OVER_89."""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import RegexRecognizer, Rule

_N = r"(?P<n>\d{1,3})"
_UNIT = r"(?:years?|yrs?|y)"


class AgeRecognizer(RegexRecognizer):
    """An age in years, from the phrase around the number (never a bare number)."""

    ENTITY = "AGE"
    RULES = (
        Rule(
            "years-old", rf"\b{_N} \s? (?:-\s?)? {_UNIT} (?:\s?-\s?|\s) old\b", 0.9, flags=re.I | re.VERBOSE, group="n"
        ),
        Rule("yo", rf"\b{_N} \s? (?:yo|y/o|y\.o\.?|yrs?\.?\s?old)(?!\w)", 0.85, flags=re.I | re.VERBOSE, group="n"),
        Rule("of-age", rf"\b{_N} [- ]{_UNIT}[- ]of[- ]age\b", 0.85, flags=re.I | re.VERBOSE, group="n"),
        Rule("aged", rf"\b(?:aged?|age\s?:|age\s+of|ages?\s+is)\s+{_N}(?![\d/.,:]\d)\b", 0.85, flags=re.I, group="n"),
        Rule(
            "turned",
            rf"\b(?:turn(?:ed|s|ing)?|will\s+be)\s+{_N}(?:\s+(?:years?\s+old|this|next|today|on|in)\b|\s*[.!,;]|$)",
            0.7,
            flags=re.I,
            group="n",
        ),
        Rule(
            "when-was",
            rf"\bwhen\s+(?:he|she|they|I)\s+(?:was|were)\s+{_N}(?:\s+years?\s+old)?\s*[.!,;]",
            0.7,
            flags=re.I,
            group="n",
        ),
        Rule(
            "age-sex",
            rf"\b{_N}\s?(?P<sex>[MF])\b(?=\s+(?:with|w/|presenting|presents|pt|patient|s/p|c/o|hx)\b)",
            0.75,
            group="n",
        ),
        # a note that opens its history with the age: "98 s/p left hip fx comp with CHF"
        Rule("opens-history", r"(?:^|\n)[ \t]*(?P<n>[1-9]\d|1[01]\d)[ \t]+(?=s/p\b)", 0.75, flags=re.I, group="n"),
    )

    def validate(self, value: str) -> bool:
        """Plausible human ages only."""
        return 0 < int(value) <= 125

    def supported(self) -> list[str]:
        """AGE, and AGE_OVER_89 for 90 and over."""
        return ["AGE", "AGE_OVER_89"]

    def entity_for(self, text: str, start: int, end: int) -> str:
        """AGE_OVER_89 for ages Safe Harbor requires aggregating."""
        return "AGE_OVER_89" if int(text[start:end]) >= 90 else "AGE"
