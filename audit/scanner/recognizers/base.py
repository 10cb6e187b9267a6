"""Building blocks for the regulated-identifier recognizers: patterns as data, one validation hook.

`ValidatedRecognizer` runs bounded regexes, validates each candidate, and scores it
by whether a context word sits within a character window around it (its own
proximity check with word boundaries, not Presidio's substring matching over
lemmas). `TermRecognizer` finds vocabulary phrases by n-gram lookup, which is
linear in the text and cannot backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from presidio_analyzer import EntityRecognizer, RecognizerResult

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]{0,40}")


@dataclass(frozen=True)
class Rule:
    """One regex. Its `value` group (else the whole match) is the reported span.

    `score` applies without context, `context_score` when a context word is near.
    """

    name: str
    regex: str
    score: float
    context_score: float = 0.85
    flags: int = 0


def compile_words(words: Iterable[str]) -> re.Pattern[str]:
    """A case-insensitive regex matching any of `words` as whole words (spaces match any run of spaces)."""
    parts = sorted((re.escape(w).replace(r"\ ", r"[\s_-]{1,3}") for w in words), key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])", re.IGNORECASE)


def has_context(text: str, start: int, end: int, words: re.Pattern[str] | None, window: tuple[int, int]) -> bool:
    """True when one of `words` occurs within window[0] chars before or window[1] chars after the span."""
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


def word_trie(alternatives: str) -> str:
    """The words of "a|ab|b" ("[ ]" for a space) as one prefix tree, "(?:a(?:b)?|b)": the regex engine
    then tries a branch per letter rather than per word (a cue scan over 80 words runs twice as fast)."""
    words = sorted({w.replace("[ ]", " ") for w in alternatives.split("|")})

    def build(group: list[str]) -> str:
        ends = "" in group
        heads: dict[str, list[str]] = {}
        for w in group:
            if w:
                heads.setdefault(w[0], []).append(w[1:])
        branches = [re.escape(c) + build(rest) for c, rest in sorted(heads.items())]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return build(words)


class ValidatedRecognizer(EntityRecognizer):
    """Regex rules + `validate` + a context window. Subclasses are mostly data."""

    ENTITY: str = ""
    RULES: tuple[Rule, ...] = ()
    CONTEXT: tuple[str, ...] = ()
    WINDOW: tuple[int, int] = (35, 20)
    REQUIRE_CONTEXT: bool = False

    def __init__(self) -> None:
        self._rules = [(r, re.compile(r.regex, r.flags)) for r in self.RULES]
        self._context = compile_words(self.CONTEXT) if self.CONTEXT else None
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__, supported_language="en")

    def load(self) -> None:
        """Nothing to load: the rules compile in __init__."""

    def validate(self, value: str) -> bool:
        """True when the candidate passes the identifier's own rules (check digit, range, code list)."""
        return True

    def context_near(self, text: str, start: int, end: int) -> bool:
        """True when a context word is near the span."""
        return has_context(text, start, end, self._context, self.WINDOW)

    def candidates(self, text: str) -> Iterator[tuple[Rule, int, int]]:
        """(rule, start, end) for every regex match, using the `value` group when there is one."""
        for rule, rx in self._rules:
            for m in rx.finditer(text):
                group = "value" if "value" in rx.groupindex and m.group("value") is not None else 0
                yield rule, m.start(group), m.end(group)

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Validated candidates, scored by context; weak ones without context score below the threshold."""
        if self.REQUIRE_CONTEXT and self._context is not None and not self._context.search(text):
            return []  # no context word anywhere, so none near any candidate: skip the patterns
        out: dict[tuple[int, int], RecognizerResult] = {}
        for rule, start, end in self.candidates(text):
            if not self.validate(text[start:end]):
                continue
            near = self.context_near(text, start, end)
            if self.REQUIRE_CONTEXT and not near:
                continue
            score = rule.context_score if near else rule.score
            prior = out.get((start, end))
            if prior is None or prior.score < score:
                out[(start, end)] = result(self, self.ENTITY, start, end, score)
        return list(out.values())


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
