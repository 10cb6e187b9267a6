"""US driver's licence numbers, only where the text says it is one.

Presidio's UsLicenseRecognizer matches many ordinary words and numbers on its
own (its lowest-scored patterns are any 1-2 letters + digits or a bare word);
this one requires "driver's license", "DL" or the like within a few words.
"""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import RegexRecognizer, Rule


class DriverLicenseRecognizer(RegexRecognizer):
    """A letter-digit or digit group of licence shape next to licence words."""

    ENTITY = "US_DRIVER_LICENSE"
    RULES = (
        Rule(
            "licence",
            r"(?<![\w-])(?=[A-Z0-9-]*\d)[A-Z]{0,3}-?\d[\d-]{4,16}\d(?:[A-Z])?(?![\w-])",
            0.85,
            flags=re.I,
            needs_context=True,
        ),
    )
    CONTEXT = re.compile(
        r"\b(?:driver'?s?|drivers|driving)\s*(?:licen[cs]e|lic\.?|permit)|\bD\.?L\.?\s*(?:#|no\.?|number|:)|\blicen[cs]e\s*(?:#|no\.?|number)",
        re.I,
    )
    WINDOW = (40, 0)

    def validate(self, value: str) -> bool:
        """Five to twenty characters with at least five digits."""
        return 5 <= len(value) <= 20 and sum(c.isdigit() for c in value) >= 5
