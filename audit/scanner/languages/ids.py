"""National IDs after their label, in the spaced and dotted forms people type ("DNI 12.345.678-Z",
"PESEL 440514 01359", "BSN 1234 56 782", "codice fiscale RSS MRA 80A01 H501U").

The compact forms are found by audit/scanner/recognizers/eu_national_ids.py on any text; here a
label of the text's language opens a short window, the characters after it are tried as the
label's identifiers, longest first, and only a number python-stdnum (or, for the German
health-insurance number, its own check) accepts is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import nip, pesel

from audit.scanner.languages import cues


def kvnr_is_valid(value: str) -> bool:
    """The German Krankenversichertennummer: a letter, 8 digits and a check digit (letter as 01-26, weights 1,2)."""
    value = re.sub(r"[\s.-]", "", value).upper()
    if not re.fullmatch(r"[A-Z]\d{9}", value) or len(set(value[1:])) == 1:
        return False
    digits = f"{ord(value[0]) - 64:02d}{value[1:9]}"
    total = sum(sum(divmod(int(d) * (1 + i % 2), 10)) for i, d in enumerate(digits))
    return total % 10 == int(value[9])


Check = tuple[str, Callable[[str], bool]]
CHECKS: dict[str, tuple[Check, ...]] = {
    "de": (("DE_TAX_ID", idnr.is_valid), ("HEALTH_PLAN_ID", kvnr_is_valid)),
    "fr": (("FR_NIR", nir.is_valid),),
    "es": (("ES_NIF", dni.is_valid), ("ES_NIE", nie.is_valid)),
    "it": (("IT_FISCAL_CODE", codicefiscale.is_valid),),
    "nl": (("NL_BSN", bsn.is_valid),),
    "pl": (("PL_PESEL", pesel.is_valid), ("PL_NIP", nip.is_valid)),
}
# After the label: a few linking words ("ist", "es", "n°", "wynosi", ":") before the value.
_GAP = r"(?:[\s:#°º.=-]|nr|no|nº|n°|ist|lautet|es|est|è|is|wynosi|numer|number|nummer)*"
_VALUE = re.compile(r"[0-9A-Z](?:[0-9A-Z]|[ .\-/](?=[0-9A-Z])){5,24}")
_PART = re.compile(r"[0-9A-Z]+")


@cache
def _labels(lang: str) -> re.Pattern[str]:
    words = "|".join(sorted((re.escape(w) for w in cues.ID_LABELS[lang]), key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{words})(?![\w]){_GAP}", re.IGNORECASE)


def labelled_ids(text: str, lang: str) -> Iterator[tuple[str, int, int]]:
    """(entity, start, end) for each valid ID right after one of the language's ID labels."""
    for label in _labels(lang).finditer(text):
        m = _VALUE.match(text, label.end())
        if m is None:
            continue
        found = _longest_valid(text, m.start(), [p.end() for p in _PART.finditer(text, m.start(), m.end())], lang)
        if found is not None:
            yield found


def _longest_valid(text: str, start: int, ends: list[int], lang: str) -> tuple[str, int, int] | None:
    for end in reversed(ends):
        value = re.sub(r"[\s./-]", "", text[start:end])  # stdnum strips spaces and dashes, not dots
        if sum(c.isdigit() for c in value) < 6 or len(set(c for c in value if c.isdigit())) < 2:
            continue
        for entity, is_valid in CHECKS[lang]:
            if is_valid(value):
                return entity, start, end
    return None
