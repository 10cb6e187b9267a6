"""A recognizer that is mostly data: regex rows, an optional validation hook, optional context words.

Presidio's PatternRecognizer reports the whole match; general PII often needs
a capture group (the number in "aged 45", the name after "Dr.") and a context
check in a character window on both sides, which is what `RegexRecognizer` adds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult


@dataclass(frozen=True)
class Rule:
    """One pattern: the regex, the score of a match, and which group is the value (0: all of it)."""

    regex: re.Pattern
    score: float
    group: int | str = 0
    needs_context: bool = False


def rx(pattern: str, flags: int = 0) -> re.Pattern:
    """Compile a verbose pattern (whitespace in it is ignored)."""
    return re.compile(pattern, flags | re.VERBOSE)


# Letters of any script: upper-case, lower-case, any.
UP = r"[^\W\d_a-zà-ÿ]"
LETTER = r"[^\W\d_]"
MAX_WORD = 40


def word(first: str, rest: str) -> str:
    r"""A pattern for one word of at most MAX_WORD characters: `first`, then `rest` (a class) up to the word's end.

    Bounded and possessive, and it fails on a longer run: an unbounded `[A-Z][\w.-]*` is
    retried from every capital of a run, which is quadratic (8 s on 40,000 capitals).
    """
    return rf"{first}{rest}{{0,{MAX_WORD - 1}}}+(?!{rest})"


class RegexRecognizer(EntityRecognizer):
    """Class-level ENTITY, RULES and CONTEXT; subclasses override `validate` or `entity_for`."""

    ENTITY = ""
    RULES: tuple[Rule, ...] = ()
    CONTEXT: re.Pattern | None = None  # searched in the window around a needs_context match
    WINDOW = (48, 24)  # characters before, after

    def __init__(self) -> None:
        super().__init__(supported_entities=self.supported(), name=type(self).__name__, supported_language="en")

    def supported(self) -> list[str]:
        """The entity types this recognizer may emit."""
        return [self.ENTITY]

    def load(self) -> None:  # noqa: D102 - nothing to load
        pass

    def validate(self, text: str, start: int, end: int) -> bool:
        """False rejects the candidate value text[start:end]."""
        return True

    def entity_for(self, text: str, start: int, end: int) -> str:
        """The entity type of an accepted value."""
        return self.ENTITY

    def has_context(self, text: str, start: int, end: int) -> bool:
        """True when a context word is near text[start:end]."""
        if self.CONTEXT is None:
            return True
        before, after = self.WINDOW
        return bool(self.CONTEXT.search(text[max(0, start - before) : start])) or bool(
            self.CONTEXT.search(text[end : end + after])
        )

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Every rule's matches that validate (and have context where the rule needs it)."""
        out: list[RecognizerResult] = []
        for rule in self.RULES:
            for m in rule.regex.finditer(text):
                start, end = m.span(rule.group)
                if start < 0 or start == end or not self.validate(text, start, end):
                    continue
                if rule.needs_context and not self.has_context(text, start, end):
                    continue
                entity = self.entity_for(text, start, end)
                if entity in entities:
                    out.append(self.result(entity, start, end, rule.score))
        return out

    def result(self, entity: str, start: int, end: int, score: float) -> RecognizerResult:
        """A RecognizerResult carrying this recognizer's name."""
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return RecognizerResult(entity, start, end, score, recognition_metadata=meta)
