"""From parsed JSON values to Records: formats, containers, unknown shapes, and whole-file JSON documents.

One JSON value (a line of a JSONL file, or a whole document) may hold one record, a list
of records, or a container of records (an OTLP export, a trace with its observations).
Each record is read by the first format that knows its shape; whatever string leaves the
format did not read are scanned too (`audit.readers.fields`). A record no format knows is
scanned leaf by leaf (role `unknown`): never skipped, never decided on part of its text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

from audit.leaves import parse_nested
from audit.model import Message, ReadError, Record
from audit.readers.base import BadRecord, Container, JsonFormat, clean_text, string_or_none, workload_hint
from audit.readers.fields import all_fields, unread_fields

UNKNOWN_ROLE = "unknown"
FIELD_ROLE = "field"
MAX_NESTING = 8  # containers inside containers
# What a format's parse() may raise on a shape it did not expect; anything else is a bug and propagates.
SHAPE_ERRORS = (KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError)
_SHAPE_WORDS = {
    KeyError: "a field it needs is missing",
    IndexError: "a list is shorter than it should be",
    RecursionError: "nested too deeply",
    ValueError: "a value is malformed",
}


def shape_reason(exc: Exception) -> str:
    """What went wrong with a record's shape, in plain words (the exception's own message could quote content)."""
    words = next((w for kind, w in _SHAPE_WORDS.items() if isinstance(exc, kind)), "a field has the wrong type")
    return f"unexpected shape ({words})"


class Catalogue:
    """The registered formats and containers, and how to read one JSON value with them."""

    def __init__(self, formats: Sequence[JsonFormat], containers: Sequence[Container]) -> None:
        self.formats = list(formats)
        self.containers = list(containers)

    def records(self, source: str, line: int, value, only: JsonFormat | None) -> Iterator[Record | ReadError]:
        """Records of one JSON value read at `line` of `source`; `only` forces a format."""
        yield from self._value(source, line, value, only, str(line), 0)

    def _value(self, source, line, value, only, rid, depth) -> Iterator[Record | ReadError]:
        if depth > MAX_NESTING:
            yield ReadError(source, line, "records nested too deeply; skipped")
            return
        if isinstance(value, list):
            for i, child in enumerate(value):
                yield from self._value(source, line, child, only, f"{rid}.{i + 1}", depth + 1)
            return
        if not isinstance(value, Mapping):
            yield from _unknown(source, line, {"value": value} if not isinstance(value, str) else value, rid)
            return
        try:
            children = None if only else self._split(value)
        except SHAPE_ERRORS as exc:
            yield ReadError(source, line, f"container: {shape_reason(exc)}")
            return
        if children is not None:
            yield from _container_rest(source, line, value, children, rid)
            for i, child in enumerate(children):
                yield from self._value(source, line, child, only, f"{rid}.{i + 1}", depth + 1)
            return
        yield self._record(source, line, value, only, rid)

    def _split(self, obj: Mapping) -> list | None:
        for container in self.containers:
            children = container.split(obj)
            if children is not None:
                return children
        return None

    def _record(self, source, line, obj: Mapping, only: JsonFormat | None, rid: str) -> Record | ReadError:
        fmt = only
        try:
            fmt = only or next((f for f in self.formats if f.detect(obj)), None)
            if fmt is None:
                return _unknown_record(source, line, obj, rid)
            if only and not only.detect(obj):
                return ReadError(
                    source,
                    line,
                    f"not a record of format {only.name!r} (it looks like {self.looks_like(obj)}); drop --format to detect it",
                )
            parsed = fmt.parse(obj)
        except BadRecord as exc:
            return ReadError(source, line, f"{fmt.name if fmt else 'detect'}: {exc}")
        except RecursionError:
            return ReadError(source, line, "record nested too deeply")
        except SHAPE_ERRORS as exc:  # the exception's message could quote content: name its type only
            name = fmt.name if fmt else "detect"
            return ReadError(source, line, f"{name}: {shape_reason(exc)}; --format jsonl reads it field by field")
        texts = [text for _, text in parsed.messages]
        fields = [(FIELD_ROLE, text, path) for path, text in unread_fields(obj, texts)]
        messages = [(role, text, "") for role, text in parsed.messages] + fields
        record_id = parsed.record_id or rid
        return _make(source, line, record_id, messages, parsed.workload)

    def looks_like(self, obj: Mapping) -> str:
        """The format that detects `obj`, or 'an unknown shape'."""
        if self._split_safe(obj):
            return "a container of records"
        fmt = next((f for f in self.formats if _detects(f, obj)), None)
        return repr(fmt.name) if fmt else "an unknown shape"

    def _split_safe(self, obj) -> bool:
        try:
            return self._split(obj) is not None
        except SHAPE_ERRORS:
            return False


def forced_record(source: str, line: int, obj: Mapping, key: str) -> Record:
    """A table row whose prompt column the user named (`--column`): that column is the user turn."""
    value = obj[key]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    lowered = {k.strip().lower(): v for k, v in obj.items() if isinstance(k, str)}
    record_id = string_or_none(lowered, "id", "request_id", "custom_id") or str(line)
    rest = {k: v for k, v in obj.items() if k != key}
    messages = [("user", text, ""), *((FIELD_ROLE, t, p) for p, t in unread_fields(rest, [text]))]
    return _make(source, line, record_id, messages, workload_hint(lowered))


def _container_rest(source: str, line: int, container: Mapping, children: list, rid: str) -> Iterator[Record]:
    """The container's own strings that none of its records holds (a log group, a cursor, an error beside the
    data), as one record of fields: a container never hides a string either."""
    held = _strings_held(children)
    rest = [(p, t) for p, t in all_fields(container) if t not in held]
    if rest:
        yield _make(source, line, f"{rid}.0", [(FIELD_ROLE, t, p) for p, t in rest], workload_hint(container))


def _strings_held(children: list) -> set[str]:
    """Every string, key and number (as text) inside the records: what of the container they carry."""
    held: set[str] = set()
    stack: list = [children]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            held.add(node)
            nested = parse_nested(node)
            if nested is not None:
                stack.append(nested)
        elif isinstance(node, Mapping):
            held.update(k for k in node if isinstance(k, str))
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            held.add(str(node))
    return held


def _detects(fmt: JsonFormat, obj) -> bool:
    try:
        return bool(fmt.detect(obj))
    except SHAPE_ERRORS:
        return False


def _unknown_record(source: str, line: int, obj: Mapping, rid: str) -> Record:
    record_id = string_or_none(obj, "id", "request_id", "requestId", "uuid", "trace_id", "traceId") or rid
    messages = [(UNKNOWN_ROLE, text, path) for path, text in all_fields(obj)]
    return _make(source, line, record_id, messages, workload_hint(obj))


def _unknown(source: str, line: int, value, rid: str) -> Iterator[Record]:
    if isinstance(value, str):
        if value.strip():
            yield _make(source, line, rid, [(UNKNOWN_ROLE, value, "$")], None)
        return
    record = _unknown_record(source, line, value, rid)
    if record.messages:
        yield record


def _make(source: str, line: int, record_id: str, messages, workload: str | None) -> Record:
    out = tuple(
        Message(i, clean_text(role), clean_text(text), clean_text(path))
        for i, (role, text, path) in enumerate(m for m in messages if m[1])
    )
    return Record(source, clean_text(record_id), line, out, clean_text(workload) if workload else None)


def is_unknown(record: Record) -> bool:
    """True when no format knew the record's shape (it was read leaf by leaf)."""
    return bool(record.messages) and all(m.role == UNKNOWN_ROLE for m in record.messages)


def decode_json(source: str, line: int, text: str):
    """The JSON value of `text`, or a ReadError that names the line and never quotes the content."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {line + exc.lineno - 1} column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        return ReadError(source, line + exc.lineno - 1, f"invalid JSON: {exc.msg} at {where}")
    except RecursionError:
        return ReadError(source, line, "invalid JSON: nested too deeply")
    except ValueError:  # e.g. an integer literal longer than Python's conversion limit
        return ReadError(source, line, "invalid JSON: a number too long to convert")


def array_elements(source: str, text: str) -> Iterator[tuple[int, object]]:
    """(line, value) for each element of a top-level JSON array, read one by one so each keeps its line.

    A malformed element ends the reading with a ReadError at its line (the rest cannot be resynchronised).
    """
    decoder = json.JSONDecoder()
    pos, line, counted = text.index("[") + 1, 1, 0
    while True:
        pos = _skip_blank(text, pos)
        if pos < len(text) and text[pos] == "]":
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield line + text.count("\n", pos, exc.pos), ReadError(source, 0, f"invalid JSON in array: {exc.msg}")
            return
        except (RecursionError, ValueError):
            yield line, ReadError(source, 0, "invalid JSON in array: nested too deeply or a number too long")
            return
        yield line, value
        pos = _skip_blank(text, end)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != "]":
            yield line, ReadError(source, 0, "invalid JSON in array: expected ',' or ']'")
            return


def _skip_blank(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
