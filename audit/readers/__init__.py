"""Readers: log files in, Records (or ReadErrors) out, lazily.

The one place formats are registered. JSON_FORMATS are tried in order on each
JSON object, so one file may mix them; LINE_FORMATS read a whole stream.
Whatever the bytes, a reader yields a Record or a ReadError; it never raises
for bad input, and a ReadError's reason never quotes the input's content.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from audit.errors import ConfigError
from audit.model import Message, ReadError, Record
from audit.readers import (
    anthropic,
    csv_reader,
    litellm,
    openai_batch,
    openai_chat,
    openai_responses,
    plaintext,
)
from audit.readers.base import BadRecord, JsonFormat, clean_text, display_path
from audit.readers.inputs import (
    UTF16_BOMS,
    InputFile,
    UndecodableLine,
    Utf16Lines,
    decode_line,
    default_max_line_bytes,
    expand_paths,
    iter_lines,
    looks_binary,
    open_binary,
    utf16_head,
)

# Order matters: the more specific shapes first (a batch line wraps a chat body).
JSON_FORMATS: dict[str, JsonFormat] = {
    f.name: f
    for f in (
        openai_batch.FORMAT,
        litellm.FORMAT,
        openai_responses.FORMAT,
        anthropic.FORMAT,
        openai_chat.FORMAT,
    )
}
LINE_FORMATS = ("text", "csv", "tsv")
FORMAT_CHOICES = ("auto", "jsonl", *JSON_FORMATS, *LINE_FORMATS)

# What a format's parse() may raise on a shape it did not expect; anything else is a bug and propagates.
_SHAPE_ERRORS = (KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError)


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs; `format` is 'auto' or one of FORMAT_CHOICES.

    `max_line_bytes` defaults to $AUDIT_MAX_LINE_BYTES, else 256 MiB; longer lines are skipped and reported.
    """

    format: str = "auto"
    column: str | None = None  # CSV/TSV: the text column (default: 'prompt', 'text', 'content' or the last)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    max_line_bytes: int = field(default_factory=default_max_line_bytes)

    def __post_init__(self) -> None:
        if self.format not in FORMAT_CHOICES:
            raise ConfigError(f"unknown format {self.format!r}; choose from {', '.join(FORMAT_CHOICES)}")
        if self.max_line_bytes < 1:
            raise ConfigError(f"the line-length limit must be positive, not {self.max_line_bytes}")


def read_paths(paths: list[str], options: ReadOptions | None = None) -> Iterator[Record | ReadError]:
    """Every record of every input under `paths`, in order, with errors in place of bad records."""
    options = options or ReadOptions()
    for item in expand_paths(paths, options.include, options.exclude):
        yield from read_source(item, options)


def read_source(item: InputFile, options: ReadOptions) -> Iterator[Record | ReadError]:
    """Records of one input, its format forced or detected from its content."""
    source = display_path(item.path)
    if item.problem:
        yield ReadError(source, 0, item.problem)
        return
    try:
        stream = open_binary(item)
    except OSError as exc:
        yield ReadError(source, 0, f"cannot open: {exc.strerror or type(exc).__name__}")
        return
    with stream:
        yield from read_stream(source, stream, options)


def read_stream(source: str, stream, options: ReadOptions) -> Iterator[Record | ReadError]:
    """Records from an open binary stream (already gunzipped) named `source`.

    This is the reader entry point for engines that fetch bytes themselves
    (Spark's binaryFile source, object stores): wrap the bytes in a stream.
    """
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)
    head = _peek(stream)
    if head.startswith(UTF16_BOMS):
        stream, head = Utf16Lines(stream), utf16_head(head)
    fmt = options.format if options.format != "auto" else detect_format(source, head)
    if fmt == "binary":
        yield ReadError(source, 0, "binary file (NUL bytes on most lines: not text, or UTF-16 without a BOM); skipped")
        return
    if fmt in ("csv", "tsv"):
        delimiter = "\t" if fmt == "tsv" else ","
        lines = iter_lines(stream, options.max_line_bytes)
        yield from csv_reader.read_lines(source, lines, options.column, delimiter, options.max_line_bytes)
        return
    lines = _decoded_lines(source, stream, options.max_line_bytes)
    if fmt == "text":
        yield from _with_errors(lines, lambda good: plaintext.read_lines(source, good))
    else:
        only = JSON_FORMATS.get(fmt)
        for number, text in lines:
            record = text if isinstance(text, ReadError) else _json_record(source, number, text, only)
            if record is not None:
                yield record


def _peek(stream) -> bytes:
    try:
        return stream.peek(8192)[:8192]
    except (OSError, EOFError, zlib.error):
        return b""


def _with_errors(lines, reader):
    """Feed good lines to a line reader and pass errors through, in order."""
    for number, text in lines:
        if isinstance(text, ReadError):
            yield text
        else:
            yield from reader(iter([(number, text)]))


def _decoded_lines(source: str, stream, max_bytes: int) -> Iterator[tuple[int, str | ReadError]]:
    for number, raw in iter_lines(stream, max_bytes):
        if isinstance(raw, Exception):
            yield number, ReadError(source, number, str(raw))
            continue
        try:
            text = decode_line(raw)
        except UndecodableLine as exc:
            yield number, ReadError(source, number, str(exc))
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield number, text


def _json_record(source: str, number: int, text: str, only: JsonFormat | None) -> Record | ReadError | None:
    if not text.strip():
        return None
    try:
        obj = json.loads(text.rstrip("\r\n"))  # so a truncated line's error column is on this line
    except json.JSONDecodeError as exc:
        return ReadError(source, number, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return ReadError(source, number, "invalid JSON: nested too deeply")
    except ValueError as exc:  # e.g. an integer literal longer than Python's conversion limit
        return ReadError(source, number, f"invalid JSON: {type(exc).__name__}")
    if not isinstance(obj, dict):
        return ReadError(source, number, f"expected a JSON object, got {type(obj).__name__}")
    fmt = only
    try:
        fmt = only or next((f for f in JSON_FORMATS.values() if f.detect(obj)), None)
        if fmt is None:
            return ReadError(source, number, "not a recognised log record (no messages, input, body or prompt)")
        parsed = fmt.parse(obj)
    except BadRecord as exc:
        return ReadError(source, number, f"{fmt.name if fmt else 'detect'}: {exc}")
    except RecursionError:
        return ReadError(source, number, "record nested too deeply")
    except _SHAPE_ERRORS as exc:  # the exception's message could quote content: name its type only
        name = fmt.name if fmt else "detect"
        return ReadError(source, number, f"{name}: unexpected shape ({type(exc).__name__})")
    messages = tuple(Message(i, clean_text(role), clean_text(body)) for i, (role, body) in enumerate(parsed.messages))
    workload = clean_text(parsed.workload) if parsed.workload else None
    return Record(source, clean_text(parsed.record_id) if parsed.record_id else str(number), number, messages, workload)


def detect_format(path: str, head: bytes) -> str:
    """'jsonl', 'csv', 'tsv', 'text' or 'binary', from the name and the first bytes of content."""
    name = path.lower().removesuffix(".gz")
    if looks_binary(head):
        return "binary"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".tsv"):
        return "tsv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "jsonl"
    return "text"
