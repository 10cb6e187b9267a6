"""English-model false positives on German, French, Spanish, Italian, Dutch and Polish text, dropped there only.

The spaCy model is English: on a German prompt it calls "Telefon" and "Remarque" NRP, "Mahnung" and
"Konto" places, "Tel" and "Chemotherapie" people; an NRP trips GDPR Art. 9. On a text in one of
SUPPORTED (never on English or on an unsupported language, which keep every English finding):
- an NRP from the model stays only when it names a religion, ethnic origin or political leaning;
- a PERSON from the model stays only with a listed given name (or a listed surname after another word),
  a LOCATION only with a listed place, an ORGANIZATION only with a legal form, an institution word or
  an acronym ("Schreibe", "Welche Unterlagen" are not); our own name and place recognizers are untouched;
- a PERSON or LOCATION from our English name and place recognizers needs a capital letter ("una
  respuesta", "relu" and "nuevo" are words);
- HEALTH_CONTEXT on "DNI" in Spanish text is the identity document, not "do not intubate".

`gate_recognizers` swaps these recognizers' classes for gated subclasses in place, so their
position in Presidio's registry, their names and their English results stay exactly as they were.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from presidio_analyzer import EntityRecognizer, RecognizerResult

from audit.scanner.languages import SUPPORTED
from audit.scanner.languages.detect import language_of
from audit.scanner.recognizers.base import subclass_in_place

# Stems of religions, ethnic origins and political leanings in the six languages (GDPR Art. 9(1)).
_SPECIAL_NRP = re.compile(
    r"musl|mosl|islam|jüd|jud[ií]|juif|juive|ebre|ebrai|żyd|zyd|christ|chrét|crist|kristen|katol|cathol|catól|"
    r"cattol|protest|evangel|orthodox|ortodo|buddh|budd|hindu|sikh|athe|ateo|atea|ateist|roma\b|sinti|gitan|"
    r"sozialist|socialist|socjalist|kommun|commun|comunist|komunist|konservativ|conserva|liberal|grün|vert|verde|"
    r"groen|afd|cdu|spd|psoe|\bpp\b|vox|pis\b|schwarz|noir|negr|black|arab|türk|turc|turk|kurd|asiat|asiá",
    re.IGNORECASE,
)

# Legal forms that make a name an organisation's in these languages (and acronyms, kept above).
_ORG_FORM = re.compile(
    r"(?<![\w])(?:GmbH|AG|KG|e\.V\.|SE|SA|S\.A\.|SAS|SARL|SL|S\.L\.|SRL|S\.r\.l\.|S\.p\.A\.|SpA|BV|B\.V\.|NV|"
    r"N\.V\.|sp\. z o\.o\.|S\.A\.S\.|Stiftung|Verein|Universität|Université|Universidad|Università|Universiteit|"
    r"Uniwersytet|Klinikum|Krankenhaus|Hôpital|Hospital|Ospedale|Ziekenhuis|Szpital|Bank|Banque|Banco|Banca)(?![\w])"
)


def _ner_keeps(text: str, r: RecognizerResult, lang: str) -> bool:
    from audit.scanner.languages.names import fold
    from audit.scanner.lexicon import lexicon

    value = text[r.start : r.end]
    if r.entity_type == "NRP":
        return bool(_SPECIAL_NRP.search(value))
    words = [w.strip(".,;:!?'’\"()") for w in value.split()]
    lex = lexicon()
    if r.entity_type == "PERSON":
        given = any(w[:1].isupper() and lex.is_given_name(fold(w)) for w in words)
        return given or len(words) > 1 and words[-1][:1].isupper() and lex.is_surname(fold(words[-1]))
    if r.entity_type == "LOCATION":
        return lex.is_place(value) or lex.is_place(fold(value)) or any(lex.is_place(fold(w)) for w in words)
    if r.entity_type == "ORGANIZATION":
        return bool(_ORG_FORM.search(value)) or any(len(w) > 1 and w.isupper() for w in words)
    return True


def _capitalised_keeps(text: str, r: RecognizerResult, lang: str) -> bool:
    # Our English name and place recognizers read "una respuesta", "relu", "nuevo" as names or places:
    # in these languages a name or place is written with a capital.
    if r.entity_type not in ("PERSON", "LOCATION"):
        return True
    return any(c.isupper() for c in text[r.start : r.end])


def _health_context_keeps(text: str, r: RecognizerResult, lang: str) -> bool:
    return not (lang == "es" and text[r.start : r.end].lower() == "dni")


KEEPS: dict[str, Callable[[str, RecognizerResult, str], bool]] = {
    "SpacyRecognizer": _ner_keeps,
    "HealthContextRecognizer": _health_context_keeps,
    **dict.fromkeys(
        (
            "LexiconNameRecognizer",
            "NameInContextRecognizer",
            "NameSlotRecognizer",
            "TitledNameRecognizer",
            "KnownPlaceRecognizer",
            "PlaceInContextRecognizer",
            "ContextualPlaceRecognizer",
        ),
        _capitalised_keeps,
    ),  # fmt: skip
}
_GATED: dict[type, type] = {}


def _gated_methods(cls: type) -> dict:
    def analyze(self, text, entities, nlp_artifacts=None):
        found = cls.analyze(self, text, entities, nlp_artifacts)
        lang = language_of(text)
        if lang not in SUPPORTED:
            return found
        keeps = KEEPS[self.name]
        return [r for r in found if keeps(text, r, lang)]

    return {"analyze": analyze}


def gate_recognizers(recognizers: list[EntityRecognizer]) -> None:
    """Give the recognizers named in KEEPS their language gate, in place (same objects, same order)."""
    for recognizer in recognizers:
        if recognizer.name in KEEPS:
            subclass_in_place(recognizer, "LanguageGated", _GATED, _gated_methods)
