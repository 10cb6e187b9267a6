"""The redaction of one batch of records: their leaves scanned, each detected value replaced everywhere it occurs.

A unit is one JSON value (a JSON Lines line, an array element, a document), one CSV row
(as an object of its columns) or one text line. Every string leaf of it (and every long
integer) is a place a value may sit; the leaves the readers would scan are analysed with
the scan's own machinery (memo, span cache, worker pool), the policy decides which
findings are strip material, and every value found in one leaf is also replaced where it
occurs verbatim in any other leaf of the unit (a name in the prompt and in `metadata.user`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from audit.batch import assemble_batch
from audit.fingerprint import OPAQUE_TYPES
from audit.leaves import Path, render, string_leaves
from audit.model import Message, Record, Tier
from audit.readers.fields import all_fields
from audit.redact.edit import rebuild
from audit.redact.pseudonyms import UNSCANNED_MARKER, Replacer, name_words
from audit.redact.report import RedactReport

MIN_PROPAGATED = 3  # shorter values are searched for elsewhere only as written ("GH" but not "gh" or "Gh")
MIN_EXACT = 2  # one character is replaced where found only


@dataclass(frozen=True)
class Unit:
    """One record as parsed from its file, and where it was."""

    value: Any
    source: str
    line: int
    number: int  # position in the file, for the date shift of a record that names nobody
    style: tuple = ()  # how its layout wrote it (line ending, JSON separators): never its content


@dataclass
class Plan:
    """A unit's leaves, and the Record of the leaves worth scanning (what the worker pool analyses)."""

    unit: Unit
    leaves: list[tuple[Path, str]]
    record: Record
    scanned: list[int] = field(default_factory=list)  # message index -> leaf index
    offsets: list[int] = field(default_factory=list)  # message index -> length of the key label before the leaf

    @property
    def messages(self):
        """The record's messages (the resolver reads them as it reads a Record's)."""
        return self.record.messages


@dataclass(frozen=True)
class Hit:
    """A value to replace: leaf index, span, entity type, and whether policy says strip it."""

    leaf: int
    start: int
    end: int
    entity_type: str
    strip: bool


def plan(unit: Unit) -> Plan:
    """The unit's leaves and the record the scanner sees (one message per leaf worth scanning)."""
    leaves = list(string_leaves(unit.value, json_strings=True, numbers=True))
    worth = {path for path, _ in all_fields(unit.value)}
    scanned = [i for i, (path, _) in enumerate(leaves) if render(path) in worth]
    labels = [_label(*leaves[i]) for i in scanned]
    messages = tuple(
        Message(n, "field", label + leaves[i][1], render(leaves[i][0]))
        for n, (i, label) in enumerate(zip(scanned, labels, strict=True))
    )
    record = Record(unit.source, f"{unit.source}:{unit.number}", unit.line, messages)
    return Plan(unit, leaves, record, scanned, [len(label) for label in labels])


_CONTENT_KEYS = frozenset({"content", "text", "input", "output", "prompt", "completion", "instructions", "system",
                           "arguments", "value", "message", "query", "data", "body", "response"})  # fmt: skip
_LABEL_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
MAX_LABELLED = 80


def _label(path: Path, text: str) -> str:
    """A short field's key as words before its value ("mrn: 00482913"), so a bare value gets its context
    the way a person reading the record would."""
    key = next((p for p in reversed(path) if isinstance(p, str) and not p.startswith("#")), None)
    if key is None or len(text) > MAX_LABELLED or key.lower() in _CONTENT_KEYS:
        return ""
    words = " ".join(w.lower() for w in _LABEL_WORDS.findall(key))
    return f"{words}: " if words else ""


def apply(ctx, replacer: Replacer, plans: list[Plan], spans: dict, report: RedactReport) -> list[Any]:
    """The redacted value of each planned unit, counting what was done in `report`."""
    results, missed = assemble_batch(ctx, [p.record for p in plans], spans)
    return apply_results(replacer, plans, results, missed, report)


def apply_results(replacer: Replacer, plans: list[Plan], results: list, missed: list, report: RedactReport) -> list:
    """The redacted value of each planned unit from its record's result (`audit.batch.assemble_batch`'s)."""
    unscanned: dict[int, set[int]] = {}
    for position, index, _reason in missed:
        unscanned.setdefault(position, set()).add(plans[position].scanned[index])
    return [
        _apply_one(replacer, p, r, unscanned.get(n, set()), report)
        for n, (p, r) in enumerate(zip(plans, results, strict=True))
    ]


def _apply_one(replacer: Replacer, plan_: Plan, result, unscanned: set[int], report: RedactReport) -> Any:
    strip_findings = {i for hit in result.evaluation.rules if hit.decision == Tier.STRIP for i in hit.findings}
    hits = []
    for i, f in enumerate(result.findings):
        leaf, offset = plan_.scanned[f.message], plan_.offsets[f.message]
        if f.kind != "identifier" or leaf in unscanned or f.end <= offset:
            continue
        strip = i in strip_findings or f.entity_type in OPAQUE_TYPES
        hits.append(Hit(leaf, max(f.start, offset) - offset, f.end - offset, f.entity_type, strip))
    hits = [_with_surname(plan_.leaves[h.leaf][1], h) for h in hits]
    hits += _elsewhere(plan_.leaves, hits, unscanned)
    report.records += 1
    report.rules.update({hit.rule for hit in result.evaluation.rules})
    if unscanned:
        report.records_unscanned += 1
    days = replacer.date_offset(_anchor(plan_, hits))
    changes = {plan_.leaves[i][0]: UNSCANNED_MARKER for i in unscanned}
    for leaf, leaf_hits in _by_leaf(hits).items():
        path, text = plan_.leaves[leaf]
        new = _replace_spans(replacer, text, _merged(leaf_hits), days, report)
        if new != text:
            changes[path] = new
    if changes:
        report.records_changed += 1
    return rebuild(plan_.unit.value, changes)


def _elsewhere(leaves: list[tuple[Path, str]], hits: list[Hit], unscanned: set[int]) -> list[Hit]:
    """Every verbatim occurrence, in any leaf, of a value found in one: a value found once is replaced everywhere."""
    values: dict[str, Hit] = {}
    for h in hits:
        value = leaves[h.leaf][1][h.start : h.end]
        if len(value.strip()) >= MIN_EXACT:
            values.setdefault(value, h)
        if h.entity_type == "PERSON":  # "Maria Lopez" in the prompt, "Thank you, Maria." in the answer
            for word in name_words(value):
                values.setdefault(word, h)
    out = []
    for i, (_path, text) in enumerate(leaves):
        if i in unscanned:
            continue
        lowered = None
        for value, h in values.items():
            if _one_word(value) or len(value.strip()) < MIN_PROPAGATED:
                spans = _exact(text, _forms(value))
            else:
                lowered = text.lower() if lowered is None else lowered
                spans = _folded(text, lowered, value)
            out += [Hit(i, start, end, h.entity_type, h.strip) for start, end in spans]
    return out


def _one_word(value: str) -> bool:
    return len(value.strip()) >= MIN_PROPAGATED and value.isalpha() and " " not in value


def _forms(value: str) -> tuple[str, ...]:
    """A name word as found, capitalised or in capitals ("Rob", "ROB"); a short value only as written."""
    if _one_word(value):
        return tuple(dict.fromkeys((value, value.capitalize(), value.upper())))
    return (value,)


def _exact(text: str, forms: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """Where any of `forms` occurs in `text` as a whole token (str.find: no pattern compiled per record)."""
    for form in forms:
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            if _bounded(text, start, end):
                yield start, end
            start = text.find(form, start + 1)


def _folded(text: str, lowered: str, value: str) -> Iterator[tuple[int, int]]:
    """Where `value` occurs in `text` in any case, as a whole token."""
    needle = value.lower()
    if len(lowered) != len(text) or len(needle) != len(value):  # lower() changed a length: offsets would drift
        pattern = re.compile(f"(?i:{re.escape(value)})")
        yield from ((m.start(), m.end()) for m in pattern.finditer(text) if _bounded(text, m.start(), m.end()))
        return
    start = lowered.find(needle)
    while start >= 0:
        end = start + len(needle)
        if _bounded(text, start, end):
            yield start, end
        start = lowered.find(needle, start + 1)


def _bounded(text: str, start: int, end: int) -> bool:
    """True when the match at [start, end) neither starts nor ends inside a word (as regex \\b would say)."""
    if _word(text[start]) and start > 0 and _word(text[start - 1]):
        return False
    return not (_word(text[end - 1]) and end < len(text) and _word(text[end]))


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


_NEXT_WORD = re.compile(r" ([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")


def _with_surname(text: str, hit: Hit) -> Hit:
    """A first name the scanner found, extended over the listed surname right after it ("Marcus" + " Bell")."""
    if hit.entity_type != "PERSON" or " " in text[hit.start : hit.end]:
        return hit
    m = _NEXT_WORD.match(text, hit.end)
    if m is None:
        return hit
    from audit.scanner.lexicon import lexicon

    names = lexicon()
    if text[hit.start : hit.end].lower() in names.given and m.group(1).split("-")[0].lower() in names.surnames:
        return Hit(hit.leaf, hit.start, m.end(), hit.entity_type, hit.strip)
    return hit


def _anchor(plan_: Plan, hits: list[Hit]) -> str:
    """What a record's dates are shifted by: its first person named, else the record itself."""
    people = sorted((h.leaf, h.start, h.end) for h in hits if h.entity_type == "PERSON")
    if people:
        leaf, start, end = people[0]
        return "PERSON\0" + plan_.leaves[leaf][1][start:end].casefold()
    return f"RECORD\0{plan_.unit.source}\0{plan_.unit.number}"


def _by_leaf(hits: list[Hit]) -> dict[int, list[Hit]]:
    out: dict[int, list[Hit]] = {}
    for h in hits:
        out.setdefault(h.leaf, []).append(h)
    return out


def _merged(hits: list[Hit]) -> list[Hit]:
    """Overlapping spans as one: the union, of the longest span's type, strip when any of them is."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h.start, -h.end)):
        if out and h.start < out[-1].end:
            last = out[-1]
            longest = last if last.end - last.start >= h.end - h.start else h
            out[-1] = Hit(last.leaf, last.start, max(last.end, h.end), longest.entity_type, last.strip or h.strip)
        else:
            out.append(h)
    return out


def _replace_spans(replacer: Replacer, text: str, hits: list[Hit], days: int, report: RedactReport) -> str:
    out, pos = [], 0
    for h in hits:
        value = text[h.start : h.end]
        new = replacer.replace(h.entity_type, value, h.strip, days)
        if new == value:
            report.kept[h.entity_type] += 1
        else:
            (report.stripped if h.strip else report.replaced)[h.entity_type] += 1
        out += [text[pos : h.start], new]
        pos = h.end
    return "".join(out) + text[pos:]
