"""Texts as the recognizers read them, with a map back to the original offsets.

Obfuscation hides values from patterns written for plain ASCII: a zero-width
space inside an SSN, a non-breaking hyphen, full-width or Arabic-Indic digits, a
card number typed one digit at a time. The scanner reads a normalised copy
instead (NFKC; zero-width, bidi and other invisible format characters dropped;
Unicode dashes folded to '-', Unicode spaces to ' ', every decimal digit to its
ASCII digit; single digits separated by single spaces joined), and each span
found there is mapped back to the original text, so findings, fingerprints and
redactions land on what the user wrote: a redacted value swallows the
invisible characters inside it.

The map is built per character in one pass (linear), and only for a text that
changes: a text with nothing to fold costs one `isascii` and one regex search.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from array import array
from dataclasses import dataclass

from audit.model import Span

# Invisible characters that are not category Cf (which is dropped whole): Hangul fillers, the combining
# grapheme joiner, the Mongolian vowel separator and variation selectors render as nothing and split a value.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u180e\u3164\uffa0") | frozenset(map(chr, range(0xFE00, 0xFE10)))
_LINE_BREAKS = frozenset("\u2028\u2029\x85")
_DASHES = frozenset("\u2212\u2796\ufe63\uff0d")  # minus signs are Sm, not Pd; the small and full-width hyphen-minus
_REPLACEMENT = "\ufffd"
# Single digits separated by single spaces (or a dash between spaces): "1 2 3 - 4 5 - 6 7 8 9". Six
# digits at least, the shortest identifier worth hiding this way (an MRN); ordinary prose has no such run.
SPACED_MIN_DIGITS = 6
_SPACED_DIGITS = re.compile(
    rf"(?<!\w)(?<![0-9][.,/:-])[0-9](?:(?: | ?- ?)[0-9](?![0-9])){{{SPACED_MIN_DIGITS - 1},}}(?!\w|[.,/:-][0-9])"
)
_ASCII_RUN = re.compile(r"[\x00-\x7f]*")
# Longest base + combining marks sequence normalised as one unit; longer ("Zalgo") runs go mark by mark.
_MAX_CLUSTER = 8


@dataclass(frozen=True)
class Normalized:
    """A normalised text and, for each of its characters, the original [start, end) it came from.

    `starts` and `ends` are None when the text did not change (the map is the identity).
    """

    text: str
    original_length: int
    starts: array | None = None
    ends: array | None = None

    @property
    def changed(self) -> bool:
        """True when the normalised text differs from the original."""
        return self.starts is not None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) of the normalised [start, end): from where its first character
        came from to where its last one ends, so what was dropped inside the span is inside it."""
        if self.starts is None:
            return start, end
        size = len(self.text)
        if start >= end:
            at = self.starts[start] if start < size else self.original_length
            return at, at
        return self.starts[start], self.ends[min(end, size) - 1]

    def restore(self, span: Span) -> Span:
        """`span` (found on the normalised text) in the original text's offsets."""
        if self.starts is None:
            return span
        start, end = self.original_span(span.start, span.end)
        return dataclasses.replace(span, start=start, end=end)


def normalize(text: str) -> Normalized:
    """The normalised text of `text` with its offset map (see the module docstring)."""
    if text.isascii():
        out, starts, ends = text, None, None
    else:
        out, starts, ends = _fold_characters(text)
    joined = _join_spaced_digits(out, starts, ends)
    if joined is not None:
        out, starts, ends = joined
    return Normalized(out, len(text), starts, ends)


def fold(text: str) -> str:
    """The normalised text alone (no map): what fingerprints and previews of a value are computed on."""
    return normalize(text).text


def _fold_characters(text: str) -> tuple[str, array | None, array | None]:
    """NFKC per character cluster, invisible characters dropped, dashes, spaces and digits folded."""
    parts: list[str] = []
    starts, ends = array("q"), array("q")
    changed = False
    i, n = 0, len(text)
    while i < n:
        j = _ASCII_RUN.match(text, i).end()
        if j < n and j > i and _is_mark(text[j]):
            j -= 1  # the last ASCII character is the base of the combining marks after it
        if j > i:  # ASCII maps one to one
            parts.append(text[i:j])
            starts.extend(range(i, j))
            ends.extend(range(i + 1, j + 1))
            i = j
            continue
        j = i + 1
        while j < n and j - i < _MAX_CLUSTER and _is_mark(text[j]):
            j += 1
        piece = _fold_cluster(text[i:j])
        changed = changed or piece != text[i:j]
        parts.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    if not changed:
        return text, None, None
    return "".join(parts), starts, ends


def _is_mark(c: str) -> bool:
    return not c.isascii() and unicodedata.category(c) in ("Mn", "Mc", "Me") and c not in _INVISIBLE


def _fold_cluster(cluster: str) -> str:
    if len(cluster) == 1:
        c = cluster
        if "\ud800" <= c <= "\udfff":  # a lone surrogate cannot be encoded: spaCy fails on it
            return _REPLACEMENT
        if c in _INVISIBLE or unicodedata.category(c) == "Cf":
            return ""
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFKC", cluster) if c not in _INVISIBLE)


def _fold_char(c: str) -> str:
    if c.isascii():
        return c
    if c in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(c)
    if category == "Cf":
        return ""
    if category == "Zs":
        return " "
    if category == "Pd" or c in _DASHES:
        return "-"
    if category == "Nd":
        value = unicodedata.decimal(c, None)
        return c if value is None else str(value)
    return c


def _join_spaced_digits(text: str, starts: array | None, ends: array | None) -> tuple[str, array, array] | None:
    """`text` with the spaces inside runs of spaced single digits removed, and its map; None if none."""
    runs = [m for m in _SPACED_DIGITS.finditer(text) if " " in m.group()]
    if not runs:
        return None
    keep: list[int] = []
    parts: list[str] = []
    last = 0
    for m in runs:
        keep.extend(range(last, m.start()))
        parts.append(text[last : m.start()])
        for k in range(m.start(), m.end()):
            if text[k] != " ":
                keep.append(k)
        parts.append(m.group().replace(" ", ""))
        last = m.end()
    keep.extend(range(last, len(text)))
    parts.append(text[last:])
    new_starts = array("q", (starts[k] for k in keep) if starts is not None else keep)
    new_ends = array("q", (ends[k] for k in keep) if ends is not None else (k + 1 for k in keep))
    return "".join(parts), new_starts, new_ends
