"""Cheap evidence a regex needs in the text before it can match: a prefilter with identical results (issue 30).

Most of our ~110 recognizers run regexes that cannot match a text without a digit (identifiers,
dates, phone numbers) or without some punctuation ('@' of an e-mail, ':' of a URL). `requirement`
reads a compiled regex's parse tree and returns the evidence every match must contain; a rule
whose evidence the text lacks has no match there, so skipping it changes nothing.

The analysis is conservative: whatever it cannot prove (letters under IGNORECASE, lookarounds,
back-references, another regex engine's syntax) is "no requirement". A wrong requirement would
silently lose findings; a missing one only costs the regex run it would have saved.

Evidence is a frozenset of tokens: DIGIT (a Unicode decimal digit, what `\\d` matches), single
ASCII punctuation characters, which no other character matches even under IGNORECASE
(tests/scanner/test_evidence.py checks that over every code point, for `re` and `regex`), and
`AnyOf(words)`: one of these keywords occurs in the text's case fold (`fold`). Most rules without a
digit or punctuation to require start from a cue ("patient", "account", "my name is"); one
Aho-Corasick pass over the folded text (pyahocorasick) finds every keyword of every rule at once.
"""

from __future__ import annotations

import re
import re._parser as _parser  # the parse tree `re` compiles from (Python >= 3.11)
import string
import threading
from collections.abc import Iterable
from functools import lru_cache
from re._constants import (
    ASSERT,
    ASSERT_NOT,
    AT,
    ATOMIC_GROUP,
    BRANCH,
    CATEGORY,
    CATEGORY_DIGIT,
    CATEGORY_UNI_DIGIT,
    GROUPREF_EXISTS,
    IN,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    POSSESSIVE_REPEAT,
    RANGE,
    SUBPATTERN,
)

import ahocorasick
import regex as _regex  # Presidio's regex engine

DIGIT = "DIGIT"
PUNCTUATION = frozenset(string.punctuation)
NONE: frozenset[str] = frozenset()

_ASCII_DIGITS = range(ord("0"), ord("9") + 1)
_REPEATS = (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT)
_RE_DIGIT = re.compile(r"\d")
# The `regex` module carries its own Unicode tables, which may know digits Python's do not: a text
# has the DIGIT evidence when either engine finds a `\d` in it (both agree on ASCII text).
_REGEX_DIGIT = _regex.compile(r"\d")

# Under IGNORECASE, `re` and `regex` match an ASCII letter with these characters too (dotted and
# dotless i, long s, the Kelvin sign); str.lower() leaves the first three apart from the letter and
# turns U+0130 into two characters. `fold` maps them first: then every character a regex matches with
# an ASCII letter folds to that letter in lower case (tests/scanner/test_evidence.py: every code point).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
MIN_WORD = 2  # shorter keywords are in nearly every text: not worth requiring


def fold(text: str) -> str:
    """`text` in lower case, with the characters that match an ASCII letter under IGNORECASE made that letter."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


_known_lock = threading.Lock()
_known: set[AnyOf] = set()
_generation = 0  # bumped by each new AnyOf: evidence computed before it lacks it


class AnyOf(str):
    """Evidence that one of `words` (lower-case ASCII, MIN_WORD characters or more) occurs in the text's `fold`.

    A string ("any of: mrn | patient"), so that sets of tokens hash it in C: a text's evidence holds
    dozens. Every AnyOf made in this process, unpickled or copied included, is known to `text_evidence`.
    """

    words: frozenset[str]

    def __new__(cls, words: Iterable[str]) -> AnyOf:
        global _generation
        words = frozenset(words)
        token = super().__new__(cls, "any of: " + " | ".join(sorted(words)))
        token.words = words
        with _known_lock:
            if token not in _known:
                _known.add(token)
                _generation += 1
        return token

    def __repr__(self) -> str:
        return f"AnyOf({sorted(self.words)})"

    def __reduce__(self):
        return AnyOf, (self.words,)  # through __new__, so that an unpickled AnyOf is known here too


def requirement(pattern: object) -> frozenset[str]:
    """The evidence every match of a compiled `re` pattern contains; NONE for anything else."""
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return NONE  # bytes patterns, the `regex` module's compiled patterns: not analysed
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - a parser we cannot read is no requirement
        return NONE
    return _tree_requirement(tree)


# Flags of the `regex` module that mean what `re`'s do (not all have the same value: regex.ASCII is
# 0x80, re.ASCII 0x100, which is regex.VERSION1). Anything else (VERSION1, FULLCASE, WORD, BESTMATCH,
# REVERSE, ...) changes the syntax or the matching: not analysed.
_REGEX_TO_RE = {
    _regex.IGNORECASE: re.IGNORECASE,
    _regex.MULTILINE: re.MULTILINE,
    _regex.DOTALL: re.DOTALL,
    _regex.VERBOSE: re.VERBOSE,
    _regex.ASCII: re.ASCII,
    _regex.UNICODE: re.UNICODE,
    _regex.VERSION0: 0,
}


def regex_requirement(source: str, flags: int) -> frozenset[str]:
    """The evidence every match of `source`, compiled by the `regex` module with `flags`, contains.

    Read with `re`'s parser, which agrees with the `regex` module's VERSION0 syntax except where
    `regex` goes further: its additions either fail to parse in `re` (\\p{..}, (?|..), \\G, (?V1))
    and give NONE, or parse in `re` as something else, which is refused here: a POSIX class
    `[[:digit:]]` (`re` reads a set and a literal ']'), and fuzzy constraints `{e<=1}` (a literal '{').
    """
    if not isinstance(source, str) or flags & ~sum(_REGEX_TO_RE):
        return NONE
    if _regex.DEFAULT_VERSION != _regex.VERSION0 or "[:" in source:
        return NONE
    re_flags = sum(ours for theirs, ours in _REGEX_TO_RE.items() if flags & theirs)
    try:
        tree = _parser.parse(source, re_flags)
    except Exception:  # noqa: BLE001 - not `re` syntax: no requirement
        return NONE
    if _has_literal(tree, "{}"):
        return NONE
    return _tree_requirement(tree)


def _tree_requirement(tree) -> frozenset[str]:
    need = _sequence(tree)
    words = _words(tree)
    return need | {AnyOf(words)} if words else need


def _sequence(items) -> frozenset[str]:
    # A match of a sequence matches every item in turn, so it contains what each item requires.
    need: set[str] = set()
    for op, av in items:
        need |= _item(op, av)
    return frozenset(need)


def _item(op, av) -> frozenset[str]:
    if op is LITERAL:
        return _char(av)
    if op is IN:
        return _char_set(av)
    if op is BRANCH:
        # A match takes one alternative: only what every alternative requires is certain.
        alternatives = [_sequence(alt) for alt in av[1]]
        return frozenset.intersection(*alternatives) if alternatives else NONE
    if op is SUBPATTERN:
        # (group, add_flags, del_flags, pattern): the flags cannot change what our tokens match
        # (digits and ASCII punctuation are caseless, and ASCII only narrows \d to [0-9]).
        return _sequence(av[3])
    if op is ATOMIC_GROUP:
        return _sequence(av)  # an atomic group still matches its content once
    if op in _REPEATS:
        low, _high, body = av
        return _sequence(body) if low >= 1 else NONE  # x? x* x{0,n} may match nothing
    if op is GROUPREF_EXISTS:
        _group, yes, no = av
        return _sequence(yes) & _sequence(no) if no is not None else NONE
    # ANY, NOT_LITERAL, AT, GROUPREF (a repeat of text already matched, possibly empty), and
    # lookarounds (ASSERT, ASSERT_NOT: they test text outside the match, or forbid it): nothing
    # required. Unknown opcodes likewise.
    return NONE


def _char(code: int) -> frozenset[str]:
    if code in _ASCII_DIGITS:
        return frozenset((DIGIT,))
    c = chr(code)
    return frozenset((c,)) if c in PUNCTUATION else NONE


def _char_set(items) -> frozenset[str]:
    # A set that can only match digits ([0-9], [2-7], \d, [\d]) requires a digit; a set of one
    # punctuation character ([@]) requires it. A negated set, or one with anything else, nothing.
    if len(items) == 1 and items[0][0] is LITERAL:
        return _char(items[0][1])
    for op, av in items:
        if op is LITERAL and av in _ASCII_DIGITS:
            continue
        if op is RANGE and av[0] in _ASCII_DIGITS and av[1] in _ASCII_DIGITS:
            continue
        if op is CATEGORY and av in (CATEGORY_DIGIT, CATEGORY_UNI_DIGIT):
            continue
        return NONE
    return frozenset((DIGIT,)) if items else NONE


def _words(items) -> frozenset[str] | None:
    """Keywords one of which every match of the sequence contains (in `fold`), or None when none is certain.

    A sequence requires each of its items: of the keyword sets its items give (a run of literal
    characters is one keyword), the one whose shortest keyword is longest, then the smallest.
    """
    choices: list[frozenset[str]] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            choices.append(frozenset(("".join(run),)))
            run.clear()

    for op, av in items:
        letter = _ascii_literal(op, av)
        if letter is not None:
            run.append(letter)
            continue
        if op is AT or op is ASSERT or op is ASSERT_NOT:
            continue  # zero width: the characters either side are adjacent in the match
        end_run()
        words = _item_words(op, av)
        if words is not None:
            choices.append(words)
    end_run()
    choices = [c for c in choices if min(map(len, c)) >= MIN_WORD]
    return max(choices, key=lambda c: (min(map(len, c)), -len(c)), default=None)


def _item_words(op, av) -> frozenset[str] | None:
    if op is BRANCH:
        return _either(av[1])
    if op is SUBPATTERN:
        return _words(av[3])
    if op is ATOMIC_GROUP:
        return _words(av)
    if op in _REPEATS:
        return _words(av[2]) if av[0] >= 1 else None
    if op is GROUPREF_EXISTS:
        _group, yes, no = av
        return _either((yes, no)) if no is not None else None
    return None


def _either(alternatives) -> frozenset[str] | None:
    """A match takes one of the alternatives: their keywords together, or None when one requires none."""
    found = [_words(alternative) for alternative in alternatives]
    if not found or any(words is None for words in found):
        return None
    return frozenset().union(*found)


def _ascii_literal(op, av) -> str | None:
    """The lower-case ASCII character a literal (or a set of one letter's cases: [Mm]) matches, else None."""
    if op is LITERAL:
        codes = {av}
    elif op is IN and av and all(o is LITERAL for o, _ in av):
        codes = {code for _, code in av}
    else:
        return None
    if any(code >= 128 for code in codes):
        return None
    lowered = {chr(code).lower() for code in codes}
    return lowered.pop() if len(lowered) == 1 else None


def _has_literal(items, chars: str) -> bool:
    """True when one of `chars` is a literal anywhere in the tree (outside character sets)."""
    codes = {ord(c) for c in chars}
    stack = [items]
    while stack:
        for op, av in stack.pop():
            if op is LITERAL and av in codes:
                return True
            if op is BRANCH:
                stack.extend(av[1])
            elif op is SUBPATTERN:
                stack.append(av[3])
            elif op is ATOMIC_GROUP:
                stack.append(av)
            elif op in _REPEATS:
                stack.append(av[2])
            elif op in (ASSERT, ASSERT_NOT):
                stack.append(av[1])
            elif op is GROUPREF_EXISTS:
                stack.extend(p for p in av[1:] if p is not None)
    return False


def text_evidence(text: str) -> frozenset:
    """The evidence tokens `text` holds: computed once per text, shared by every recognizer."""
    return _text_evidence(text, _generation)


@lru_cache(maxsize=4)
def _text_evidence(text: str, generation: int) -> frozenset:
    found: set = {c for c in PUNCTUATION if c in text}
    if _RE_DIGIT.search(text) or (not text.isascii() and _REGEX_DIGIT.search(text)):
        found.add(DIGIT)
    automaton = _keyword_automaton(generation)
    if automaton is not None:
        for _end, tokens in automaton.iter(fold(text)):
            found.update(tokens)
    return frozenset(found)


@lru_cache(maxsize=1)
def _keyword_automaton(generation: int):
    """Every known AnyOf's keywords, each mapped to the AnyOf tokens it gives: one pass finds them all."""
    with _known_lock:
        known = list(_known)
    by_word: dict[str, list[AnyOf]] = {}
    for token in known:
        for word in token.words:
            by_word.setdefault(word, []).append(token)
    if not by_word:
        return None
    automaton = ahocorasick.Automaton()
    for word, tokens in by_word.items():
        automaton.add_word(word, tuple(tokens))
    automaton.make_automaton()
    return automaton


def every_token() -> frozenset:
    """Every token a text can hold as far as this process knows: evidence under which every regex runs."""
    with _known_lock:
        return frozenset(PUNCTUATION | {DIGIT} | _known)


def possible(need: frozenset[str], text: str) -> bool:
    """False when `text` lacks some evidence in `need`: then the regex cannot match it."""
    return not need or need <= text_evidence(text)


# Presidio's PatternRecognizer runs its patterns in the name-mangled `__analyze_patterns`, which
# returns only results built from matches: with no match possible, it returns []. Replacing that
# one method (not `analyze`) keeps every override of analyze, validate_result and invalidate_result
# exactly as it was: they see the same empty list they would have seen.
_PATTERNS_METHOD = "_PatternRecognizer__analyze_patterns"
_PREFILTERED: dict[type, type] = {}


def _pattern_needs(recognizer, flags: int) -> tuple[frozenset[str], ...] | None:
    """Each pattern's evidence for these flags, or None when some pattern needs none (never skip)."""
    key = (flags, tuple(p.regex for p in recognizer.patterns), bool(recognizer.deny_list))
    cached = recognizer.__dict__.get("_evidence_needs")
    if cached is None or cached[0] != key:
        needs = tuple(regex_requirement(p.regex, flags) for p in recognizer.patterns)
        if recognizer.deny_list or not needs or not all(needs):
            needs = None  # a deny-list pattern or a pattern without evidence may match any text
        cached = recognizer.__dict__["_evidence_needs"] = (key, needs)
    return cached[1]


def _prefiltered_methods(cls: type) -> dict:
    analyze_patterns = getattr(cls, _PATTERNS_METHOD)

    def skip_or_analyze(self, text, flags=None):
        needs = _pattern_needs(self, flags if flags else self.global_regex_flags)  # Presidio's choice of flags
        if needs is not None:
            have = text_evidence(text)
            if not any(need <= have for need in needs):
                return []  # no pattern can match: what Presidio returns when none matches
        return analyze_patterns(self, text, flags)

    return {_PATTERNS_METHOD: skip_or_analyze, "__module__": cls.__module__}


def prefilter_patterns(recognizers: list) -> None:
    """Give Presidio's pattern recognizers the evidence prefilter, in place (same objects, names, ids, order).

    Only a recognizer whose class runs Presidio's own `__analyze_patterns` is changed.
    """
    from presidio_analyzer import PatternRecognizer

    from audit.scanner.recognizers.base import subclass_in_place

    original = getattr(PatternRecognizer, _PATTERNS_METHOD)
    for recognizer in recognizers:
        if isinstance(recognizer, PatternRecognizer) and getattr(type(recognizer), _PATTERNS_METHOD) is original:
            subclass_in_place(recognizer, "Prefiltered", _PREFILTERED, _prefiltered_methods)
