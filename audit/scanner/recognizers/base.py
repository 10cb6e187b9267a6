"""The recognizer framework: patterns as data, one validation hook, one context check.

`ValidatedRecognizer` runs bounded regexes, validates each candidate, and scores it
by whether a context word sits within a character window around it (its own
proximity check with word boundaries, not Presidio's substring matching over
lemmas). `RegexRecognizer` is its variant for general PII, whose rules carry a
fixed score and may require context. `SpanRecognizer` wraps plain code, and
`TermRecognizer` finds vocabulary phrases by n-gram lookup, which is linear in
the text and cannot backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from presidio_analyzer import EntityRecognizer, RecognizerResult

from audit.scanner import evidence

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]{0,40}")


@dataclass(frozen=True)
class Rule:
    """One regex, compiled with `flags`. The reported span is `group` when given (a match it did
    not take part in, or an empty one, is dropped), else the `value` group, else the whole match.

    `score` applies without context, `context_score` when a context word is near; a rule that
    `needs_context` reports nothing without one. RegexRecognizer always scores `score`.
    """

    name: str
    regex: str
    score: float
    context_score: float = 0.85
    flags: int = 0
    group: int | str | None = None
    needs_context: bool = False


def compile_words(words: Iterable[str]) -> re.Pattern[str]:
    """A case-insensitive regex matching any of `words` as whole words (spaces match any run of spaces)."""
    parts = sorted((re.escape(w).replace(r"\ ", r"[\s_-]{1,3}") for w in words), key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])", re.IGNORECASE)


def has_context(text: str, start: int, end: int, words: re.Pattern[str] | None, window: tuple[int, int]) -> bool:
    """True when `words` matches within window[0] chars before or window[1] chars after the span."""
    if words is None:
        return False
    before = text[max(0, start - window[0]) : start]
    after = text[end : end + window[1]]
    return bool(words.search(before) or words.search(after))


def result(recognizer: EntityRecognizer, entity: str, start: int, end: int, score: float) -> RecognizerResult:
    """A RecognizerResult that Presidio's own context enhancer will leave alone."""
    return RecognizerResult(
        entity_type=entity,
        start=start,
        end=end,
        score=round(min(score, 1.0), 4),
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
            RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
        },
    )


class ValidatedRecognizer(EntityRecognizer):
    """Regex rules + `validate` + a context window. Subclasses are mostly data.

    CONTEXT is a tuple of words (matched as whole words) or a compiled pattern.
    """

    ENTITY: str = ""
    RULES: tuple[Rule, ...] = ()
    CONTEXT: tuple[str, ...] | re.Pattern[str] = ()
    WINDOW: tuple[int, int] = (35, 20)
    REQUIRE_CONTEXT: bool = False

    def __init__(self) -> None:
        compiled = [(r, re.compile(r.regex, r.flags)) for r in self.RULES]
        # Each rule's evidence (a digit, an '@', ...): a text without it cannot match (audit.scanner.evidence).
        self._rules = [(r, rx, evidence.requirement(rx)) for r, rx in compiled]
        context = self.CONTEXT
        self._context = context if isinstance(context, re.Pattern) else compile_words(context) if context else None
        super().__init__(supported_entities=self.supported(), name=type(self).__name__, supported_language="en")

    def supported(self) -> list[str]:
        """The entity types this recognizer may emit."""
        return [self.ENTITY]

    def load(self) -> None:
        """Nothing to load: the rules compile in __init__."""

    def validate(self, value: str) -> bool:
        """True when the candidate passes the identifier's own rules (check digit, range, code list)."""
        return True

    def accept(self, text: str, start: int, end: int) -> bool:
        """Hook: False drops a validated candidate text[start:end] for what surrounds it."""
        return True

    def context_near(self, text: str, start: int, end: int) -> bool:
        """True when a context word is near the span."""
        return has_context(text, start, end, self._context, self.WINDOW)

    def candidates(self, text: str) -> Iterator[tuple[Rule, int, int]]:
        """(rule, start, end) for every regex match, spanning its rule's group (see Rule).

        A rule whose evidence the text lacks is not run: it has no match there.
        """
        have = evidence.text_evidence(text)
        for rule, rx, need in self._rules:
            if need and not need <= have:
                continue
            for m in rx.finditer(text):
                span = _span(rule, m)
                if span is not None:
                    yield rule, *span

    def passes(self, text: str, start: int, end: int) -> bool:
        """True when the candidate text[start:end] passes `validate` and `accept`."""
        return self.validate(text[start:end]) and self.accept(text, start, end)

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Validated candidates, scored by context; weak ones without context score below the threshold."""
        if self.REQUIRE_CONTEXT and self._context is not None and not self._context.search(text):
            return []  # no context word anywhere, so none near any candidate: skip the patterns
        out: dict[tuple[int, int], RecognizerResult] = {}
        for rule, start, end in self.candidates(text):
            if not self.passes(text, start, end):
                continue
            near = self.context_near(text, start, end)
            if (self.REQUIRE_CONTEXT or rule.needs_context) and not near:
                continue
            score = rule.context_score if near else rule.score
            prior = out.get((start, end))
            if prior is None or prior.score < score:
                out[(start, end)] = result(self, self.ENTITY, start, end, score)
        return list(out.values())


def subclass_in_place(recognizer: EntityRecognizer, prefix: str, cache: dict[type, type], methods) -> None:
    """Give `recognizer` a subclass of its class holding `methods(cls)` (a dict of overrides), in place: the same
    object, name, id and registry position. One subclass per class in `cache`; a recognizer already given
    one keeps it."""
    cls = type(recognizer)
    if cls in cache.values():
        return
    if cls not in cache:
        cache[cls] = type(f"{prefix}{cls.__name__}", (cls,), {"__doc__": cls.__doc__, **methods(cls)})
    recognizer.__class__ = cache[cls]


def _span(rule: Rule, m: re.Match[str]) -> tuple[int, int] | None:
    if rule.group is None:
        return m.span("value" if "value" in m.re.groupindex and m.group("value") is not None else 0)
    start, end = m.span(rule.group)
    return None if start < 0 or start == end else (start, end)


class RegexRecognizer(ValidatedRecognizer):
    """General PII: each rule reports its own `score`, every match of a requested type is kept, and
    `entity_for` may pick one of several types. Context only gates the rules that need it."""

    WINDOW: tuple[int, int] = (48, 24)

    def entity_for(self, text: str, start: int, end: int) -> str:
        """The entity type of an accepted value."""
        return self.ENTITY

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Every rule's accepted matches (with context where the rule needs it) of a requested type."""
        out: list[RecognizerResult] = []
        for rule, start, end in self.candidates(text):
            if not self.passes(text, start, end):
                continue
            if rule.needs_context and not self.context_near(text, start, end):
                continue
            entity = self.entity_for(text, start, end)
            if entity in entities:
                out.append(result(self, entity, start, end, rule.score))
        return out


class SpanRecognizer(EntityRecognizer):
    """One entity type found by plain code rather than a table of patterns: subclasses set ENTITY and
    yield (start, end, score) from `spans`; the results carry the recognizer's name and are left alone
    by Presidio's context enhancer (their cues are already weighed)."""

    ENTITY: str = ""

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__, supported_language="en")

    def load(self) -> None:
        """Nothing to load: the shipped vocabularies load on first use."""

    def spans(self, text: str) -> Iterable[tuple[int, int, float]]:
        """(start, end, score) of every value in `text`."""
        raise NotImplementedError

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """This recognizer's spans as results, when its entity type is asked for."""
        if self.ENTITY not in entities:
            return []
        return [result(self, self.ENTITY, start, end, score) for start, end, score in self.spans(text)]


class TermRecognizer(EntityRecognizer):
    """Vocabulary phrases (up to MAX_WORDS words), found by n-gram lookup over the text's words."""

    ENTITY: str = ""
    SCORE: float = 0.6
    MAX_WORDS: int = 8

    def __init__(self, terms: Iterable[str]) -> None:
        self._terms = frozenset(normalize(t) for t in terms if t.strip())
        self._prefixes = frozenset(" ".join(t.split()[:n]) for t in self._terms for n in range(1, t.count(" ") + 2))
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__, supported_language="en")

    def load(self) -> None:
        """Nothing to load: the vocabulary is given to __init__."""

    def accept(self, text: str, start: int, end: int) -> bool:
        """Hook: False drops a vocabulary hit (e.g. an ambiguous term without health context)."""
        return True

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """The longest vocabulary phrase starting at each word, left to right, non-overlapping."""
        words = text_words(text)
        out, i = [], 0
        while i < len(words):
            j, phrase, best = i, words[i][2], None
            while phrase in self._prefixes:
                if phrase in self._terms and self.accept(text, words[i][0], words[j][1]):
                    best = j
                j += 1
                if j == len(words) or j - i >= self.MAX_WORDS:
                    break
                phrase = f"{phrase} {words[j][2]}"
            if best is not None:
                out.append(result(self, self.ENTITY, words[i][0], words[best][1], self.SCORE))
                i = best
            i += 1
        return out


@lru_cache(maxsize=4)
def text_words(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, normalised word) for each word of `text`: shared by every TermRecognizer on the same text."""
    return tuple((m.start(), m.end(), _norm_word(m.group())) for m in WORD.finditer(text))


def _norm_word(word: str) -> str:
    low = word.lower()
    return normalize(low) if "-" in low or "’" in low else low


def normalize(term: str) -> str:
    """Lower-case, straight apostrophes, hyphens and runs of spaces as single spaces."""
    return " ".join(term.lower().replace("’", "'").replace("-", " ").split())
