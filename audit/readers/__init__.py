"""Readers: log files in, Records (or ReadErrors) out, lazily.

The one place formats are registered. JSON_FORMATS are tried in order on each
JSON object, so one file may mix them; LINE_FORMATS read a whole stream.
"""

from __future__ import annotations

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
from audit.readers.base import BadRecord, JsonFormat
from audit.readers.inputs import InputFile, expand_paths, iter_lines, open_binary

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


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs; `format` is 'auto' or one of FORMAT_CHOICES."""

    format: str = "auto"
    column: str | None = None  # CSV/TSV: the text column (default: 'prompt', 'text', 'content' or the last)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    max_line_bytes: int = 256 * 1024 * 1024


def read_paths(paths: list[str], options: ReadOptions | None = None) -> Iterator[Record | ReadError]:
    """Every record of every input under `paths`, in order, with errors in place of bad records."""
    options = options or ReadOptions()
    if options.format not in FORMAT_CHOICES:
        raise ConfigError(f"unknown format {options.format!r}; choose from {', '.join(FORMAT_CHOICES)}")
    for item in expand_paths(paths, options.include, options.exclude):
        yield from read_source(item, options)


def read_source(item: InputFile, options: ReadOptions) -> Iterator[Record | ReadError]:
    """Records of one input, its format forced or detected from its content."""
    try:
        stream = open_binary(item)
    except OSError as exc:
        yield ReadError(item.path, 0, f"cannot open: {exc.strerror or exc}")
        return
    with stream:
        yield from read_stream(item.path, stream, options)


def read_stream(source: str, stream, options: ReadOptions) -> Iterator[Record | ReadError]:
    """Records from an open binary stream (already gunzipped) named `source`.

    This is the reader entry point for engines that fetch bytes themselves
    (Spark's binaryFile source, object stores): wrap the bytes in a stream.
    """
    fmt = options.format if options.format != "auto" else detect_format(source, _peek(stream))
    if fmt == "binary":
        yield ReadError(source, 0, "binary file (not text); skipped")
        return
    if fmt in ("csv", "tsv"):
        yield from csv_reader.read_stream(source, stream, options.column, delimiter="\t" if fmt == "tsv" else ",")
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
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, ReadError(source, number, f"invalid UTF-8 at byte {exc.start}; line skipped")
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield number, text


def _json_record(source: str, number: int, text: str, only: JsonFormat | None) -> Record | ReadError | None:
    if not text.strip():
        return None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return ReadError(source, number, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return ReadError(source, number, "invalid JSON: nested too deeply")
    if not isinstance(obj, dict):
        return ReadError(source, number, f"expected a JSON object, got {type(obj).__name__}")
    fmt = only or next((f for f in JSON_FORMATS.values() if f.detect(obj)), None)
    if fmt is None:
        return ReadError(source, number, "not a recognised log record (no messages, input, body or prompt)")
    try:
        parsed = fmt.parse(obj)
    except BadRecord as exc:
        return ReadError(source, number, f"{fmt.name}: {exc}")
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        return ReadError(source, number, f"{fmt.name}: unexpected shape ({type(exc).__name__}: {exc})")
    messages = tuple(Message(i, role, body) for i, (role, body) in enumerate(parsed.messages))
    return Record(source, parsed.record_id or str(number), number, messages, parsed.workload)


def detect_format(path: str, head: bytes) -> str:
    """'jsonl', 'csv', 'tsv', 'text' or 'binary', from the name and the first bytes of content."""
    name = path.lower().removesuffix(".gz")
    if b"\x00" in head:
        return "binary"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".tsv"):
        return "tsv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "jsonl"
    return "text"
