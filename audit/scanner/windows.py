"""Long texts are analysed in overlapping windows, and spaCy reads a copy without pathological runs.

A window is the unit of the time budget: its cost is bounded by its length,
because every pattern is linear and spaCy never sees a very long token (its
tokenizer strips affixes one by one, copying the rest of the token each time:
20,000 quotes took 27 s). Each window owns the spans that start in its half of
the overlaps, so an entity on a boundary is found once, from the window that
sees all of it.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from dataclasses import dataclass

from audit.model import Span

WINDOW_OVERLAP = 500
MAX_TOKEN = 128  # characters without whitespace spaCy reads as one run
MAX_PUNCT = 32  # punctuation characters in a row spaCy reads; the rest of a run is blanked
MAX_SLICE_WINDOWS = 64

_LONG_TOKEN = re.compile(rf"\S{{{MAX_TOKEN}}}(?=\S)")
_PUNCT_RUN = re.compile(rf"[^\w\s]{{{MAX_PUNCT + 1},}}")


@dataclass(frozen=True)
class Window:
    """A piece of text `index` starting at `offset`; it keeps spans starting in [keep_from, keep_to)."""

    index: int
    offset: int
    text: str
    keep_from: int = 0
    keep_to: int = sys.maxsize

    def owns(self, span: Span) -> bool:
        """True when `span` (relative to this window) starts in the part this window answers for."""
        return self.keep_from <= span.start < self.keep_to

    def shift(self, span: Span) -> Span:
        """`span` in the coordinates of the whole text."""
        if not self.offset:
            return span
        return dataclasses.replace(span, start=span.start + self.offset, end=span.end + self.offset)


def windows(index: int, text: str, size: int, overlap: int = WINDOW_OVERLAP) -> list[Window]:
    """The windows of `text`; boundaries between two windows fall in the middle of their overlap."""
    pieces = chunk_text(text, size, overlap)
    out = []
    for k, (offset, chunk) in enumerate(pieces):
        keep_from = keep_to = None
        if k:
            prev_offset, prev = pieces[k - 1]
            keep_from = (offset + prev_offset + len(prev)) // 2 - offset
        if k + 1 < len(pieces):
            keep_to = (pieces[k + 1][0] + offset + len(chunk)) // 2 - offset
        out.append(Window(index, offset, chunk, keep_from or 0, sys.maxsize if keep_to is None else keep_to))
    return out


def chunk_text(text: str, size: int, overlap: int = WINDOW_OVERLAP) -> list[tuple[int, str]]:
    """Split `text` into (offset, chunk) pieces of at most `size` chars, overlapping by `overlap`.

    Cuts fall on whitespace where there is some, so a token is never split in the middle.
    """
    if len(text) <= size:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        out.append((start, text[start:end]))
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return out


def slices(items: list[Window], max_chars: int) -> list[list[Window]]:
    """Consecutive groups of windows with at most `max_chars` characters (or one window) and MAX_SLICE_WINDOWS each."""
    out: list[list[Window]] = []
    chars = 0
    for w in items:
        if not out or len(out[-1]) >= MAX_SLICE_WINDOWS or chars + len(w.text) > max_chars:
            out.append([])
            chars = 0
        out[-1].append(w)
        chars += len(w.text)
    return out


def spacy_view(text: str) -> str:
    """`text` as spaCy should read it: same length and offsets, no long punctuation run or token.

    A punctuation run keeps its first MAX_PUNCT characters and the rest turns to spaces; a
    longer run of non-space characters gets a space after every MAX_TOKEN - 1 of them.
    """
    text = _PUNCT_RUN.sub(lambda m: m.group()[:MAX_PUNCT] + " " * (len(m.group()) - MAX_PUNCT), text)
    return _LONG_TOKEN.sub(lambda m: m.group()[:-1] + " ", text)
