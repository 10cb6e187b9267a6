"""spaCy's NER only around the words where an entity it finds could survive our filters.

The NER is the largest cost of analysis (about 60% of the guardrail's time). Our filters
(`audit.scanner.filters`) keep a model entity only when it carries evidence: a date needs a
calendar word, a calendar date, a year or an am/pm time; a person, place, organisation or group needs a capitalised word
that is no sentence-initial ordinary word, or a word that is no ordinary word at all (a name,
a place, a word no list knows), or, in text written without case, a listed name. A sentence
of ordinary lower-case words (after a capitalised first word) gives the model nothing we keep:
"Give me three taglines for a wireless speaker." So each text is tokenized whole, as before
(the context enhancer and the recognizers read its tokens), and the NER reads only the runs
around the words that carry such evidence, CONTEXT characters either side: the model's view of a
token reaches a few tokens either side (its encoder's window), so a few words of context give it
what the whole text would. Their entities are placed on the whole text's tokens. A run is cut at
whitespace, so its tokens are the whole text's tokens, and reaches a text's edge when within
CONTEXT of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from audit.scanner.filters import DATE_EVIDENCE, lower_case_name
from audit.scanner.lexicon import FUNCTION_WORDS, case_profile, lexicon

# A sentence ends at . ! ? (and closing quotes or brackets) before whitespace, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+|\n\s*")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
CONTEXT = 50  # characters either side of a word with evidence that the model reads with it
_SPACE = re.compile(r"\s+")
# After these a capitalised word starts a sentence of its own: "Summarize this: Forward ...", "- Item".
_OPENERS = frozenset(":;-–—•*>\"'“‘([")
_PRONOUN_I = frozenset({"I", "I'm", "I’m", "I'll", "I’ll", "I've", "I’ve", "I'd", "I’d"})


def ner_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of the runs of `text` the NER must read: each word with evidence and its context, merged."""
    lower_case_names = case_profile(text) != "mixed"
    found: list[tuple[int, int]] = []
    start = 0
    for end, following in _sentences(text):
        if end > start:
            found += _evidence(text, start, end, lower_case_names)
        start = following
    runs: list[tuple[int, int]] = []
    for a, b in sorted(found):
        a, b = _widened(text, a, b)
        if runs and a <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(b, runs[-1][1]))
        else:
            runs.append((a, b))
    return runs


def _widened(text: str, start: int, end: int) -> tuple[int, int]:
    """The run with up to CONTEXT characters of its neighbours on each side, cut at whitespace.

    The model reads a few words either side of each token: without them a sentence reads differently
    at its edges ("Carol had thought" after a quotation, "Acme Corp. Please").
    """
    if start <= CONTEXT:
        start = 0
    else:
        cut = _SPACE.search(text, start - CONTEXT, start)
        start = cut.end() if cut else start
    if end + CONTEXT >= len(text):
        end = len(text)
    else:
        after = text[end : end + CONTEXT + 1]
        cut = max(after.rfind(c) for c in " \t\r\n")
        end = end + cut if cut > 0 else end
    return start, end


def _sentences(text: str):
    """(end, start of the next) for each sentence of `text`, the last ending at len(text)."""
    for m in _SENTENCE_END.finditer(text):
        yield m.start(), m.end()
    yield len(text), len(text)


def _evidence(text: str, start: int, end: int, lower_case_names: bool) -> Iterator[tuple[int, int]]:
    """(start, end) of each piece of evidence in the sentence text[start:end]."""
    # the filters' date evidence: other numbers ("5 mg", "x2", "120/80") give the NER no date we keep
    for p in DATE_EVIDENCE:
        for m in p.finditer(text, start, end):
            yield m.span()
    lex = lexicon()
    opened = True  # at the sentence's start, or right after an opener
    position = start
    for m in _WORD.finditer(text, start, end):
        word = m.group()
        between = text[position : m.start()]
        if between.strip():
            opened = any(c in _OPENERS for c in between)
        position = m.end()
        if word in _PRONOUN_I or word.lower() in FUNCTION_WORDS and (opened or word.islower()):
            opened = False
            continue
        if not word.islower():
            # a capital: evidence, unless an ordinary word (no name, no place) starts the sentence
            if not (opened and word[1:].islower() and _plain(lex, word)):
                yield m.span()
        elif lower_case_names:
            # text without case: the filters keep spaCy's lower-case names (their own test) and places
            if not lex.is_word(word) or lower_case_name(lex, word) or lex.is_place(word):
                yield m.span()
        elif lex.is_place(word) and not lex.is_word(word):
            yield m.span()  # "a flat in pune": in prose with case only a lower-case place is kept
        opened = False


def _plain(lex, word: str) -> bool:
    return lex.is_word(word) and not lex.is_name(word) and not lex.is_place(word)


def entities_on(doc, pieces: Sequence[tuple[int, object]]) -> bool:
    """Set `doc`'s entities from `pieces` ((offset in doc's text, a doc the NER read)); False if one does not align."""
    spans = []
    for offset, part in pieces:
        for ent in part.ents:
            span = doc.char_span(offset + ent.start_char, offset + ent.end_char, label=ent.label_)
            if span is None:
                return False
            spans.append(span)
    doc.ents = spans
    return True
