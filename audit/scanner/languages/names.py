"""PERSON in the six languages: accented names the English name lists miss, and names after a title."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from audit.scanner.languages.base import Found, LanguageRecognizer, words_regex
from audit.scanner.languages.detect import STOP_WORDS

# --- names ------------------------------------------------------------------
_TITLES = (
    "herr", "herrn", "frau", "hr.", "fr.", "dr.", "prof.", "m.", "mme", "mlle", "madame", "monsieur", "sr.", "sra.",
    "srta.", "señor", "señora", "don", "doña", "sig.", "sig.ra", "signor", "signora", "dott.", "dott.ssa", "dhr.",
    "mevr.", "meneer", "mevrouw", "pan", "pani", "patient", "patientin", "paciente", "paziente", "pacjent",
    "pacjentka", "patiënt", "heißt", "je m'appelle", "m'appelle", "me llamo", "mi chiamo", "ik heet",
    "nazywam się", "ich bin", "je suis", "soy", "sono", "ik ben", "jestem", "name", "nom", "nombre", "nome", "naam", "nazwisko", "imię i nazwisko",
)  # fmt: skip
_UPPER = r"[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž'’]+"
_FULL_NAME = re.compile(
    rf"(?<![\w])(?=(?P<name>{_UPPER}(?:[ -](?:{_UPPER}|van|de|der|den|da|di|del|della|von|zu|y|la|le)){{1,3}}))"
)  # overlapping: "Patientin Anna Schmidt" is also tried from "Anna"
_TITLE = words_regex(_TITLES)


def fold(word: str) -> str:
    """`word` in lower case without accents or Polish strokes, as the name lists spell it ("Łukasz" -> "lukasz")."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("ł", "l").replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class EuPersonNameRecognizer(LanguageRecognizer):
    """PERSON: two to four capitalised words opening with a listed given name (accents folded: "Lucía
    Fernández", "Łukasz Wiśniewski"), or after a title or name cue of the language ("Herrn", "Mme", "Sra.")."""

    ENTITIES = ("PERSON",)

    def find(self, text: str, lang: str) -> Iterator[Found]:
        """Each full name the name lists or a title vouch for."""
        from audit.scanner.lexicon import lexicon

        lex, taken = lexicon(), 0
        for m in _FULL_NAME.finditer(text):
            if m.start() < taken:
                continue
            words = m.group("name").split()
            titled = _TITLE.search(text[max(0, m.start() - 16) : m.start()])
            given = lex.is_given_name(fold(words[0])) and fold(words[0]) not in STOP_WORDS[lang]
            if given or titled:
                taken = m.end("name")
                yield "PERSON", *m.span("name"), 0.85
