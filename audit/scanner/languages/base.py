"""What the recognizers for the six languages share: a language gate, a result, a word-list regex."""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult

from audit.scanner.languages import SUPPORTED
from audit.scanner.languages.detect import language_of

Found = tuple[str, int, int, float]  # entity type, start, end, score


def result(recognizer: EntityRecognizer, entity: str, start: int, end: int, score: float) -> RecognizerResult:
    """A result Presidio's context enhancer leaves alone (as audit.scanner.recognizers.base.result; not imported
    from there, so this package never imports the recognizer registry that registers it)."""
    return RecognizerResult(
        entity_type=entity,
        start=start,
        end=end,
        score=score,
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
            RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
        },
    )


def words_regex(words) -> re.Pattern[str]:
    """Any of `words` as whole Unicode words, case-insensitively, longest first (a space matches a run of spaces)."""
    parts = sorted((re.escape(w).replace(r"\ ", r"\s+") for w in set(words)), key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


class LanguageRecognizer(EntityRecognizer):
    """Reports nothing unless the text is in one of SUPPORTED; subclasses yield Found from `find`."""

    ENTITIES: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__(supported_entities=list(self.ENTITIES), name=type(self).__name__, supported_language="en")

    def load(self) -> None:
        """Nothing to load: the per-language patterns compile on first use."""

    def find(self, text: str, lang: str) -> Iterator[Found]:
        """(entity, start, end, score) of each value in `text`, written in `lang`."""
        raise NotImplementedError

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """This recognizer's findings of a requested type, on a text in a supported language only."""
        lang = language_of(text)
        if lang not in SUPPORTED:
            return []
        return [result(self, e, s, t, score) for e, s, t, score in self.find(text, lang) if e in entities]
