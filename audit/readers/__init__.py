"""Readers: log files in, Records (or ReadErrors) out, lazily.

The one place formats are registered. JSON_FORMATS are tried in order on each
JSON object, so one file may mix them; LINE_FORMATS read a whole stream.
Whatever the bytes, a reader yields a Record or a ReadError; it never raises
for bad input, and a ReadError's reason never quotes the input's content.
"""

from __future__ import annotations

import io
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from audit.errors import ConfigError
from audit.model import ReadError, ReadNotice, Record
from audit.readers import (
    anthropic,
    anthropic_batch,
    azure_apim,
    bedrock,
    cloudwatch,
    csv_reader,
    helicone,
    langfuse,
    langsmith,
    litellm,
    mlflow,
    openai_batch,
    openai_chat,
    openai_outputs,
    openai_responses,
    openinference,
    otel,
    plaintext,
    prompt_completion,
    vertex,
)
from audit.readers.base import Container, JsonFormat, display_path
from audit.readers.documents import Catalogue, array_elements, decode_json, forced_record, is_unknown
from audit.readers.inputs import (
    UTF16_BOMS,
    InputFile,
    TruncatedInput,
    UndecodableLine,
    Utf16Lines,
    decode_line,
    default_max_line_bytes,
    expand_paths,
    is_database_url,
    iter_lines,
    looks_binary,
    open_binary,
    utf16_head,
)
from audit.readers.litellm_db import FLAG as SPEND_LOGS_FLAG
from audit.readers.litellm_db import read_spend_logs
from audit.readers.litellm_db import source_name as database_name
from audit.readers.parquet import MAGIC as PARQUET_MAGIC
from audit.readers.parquet import read_rows as parquet_rows

# Order matters: the more specific shapes first (a batch line wraps a chat body).
JSON_FORMATS: dict[str, JsonFormat] = {
    f.name: f
    for f in (
        bedrock.BATCH,
        vertex.BATCH,
        anthropic_batch.REQUEST,
        anthropic_batch.RESULT,
        openai_outputs.BATCH_OUTPUT,
        openai_outputs.OBJECT,
        openai_outputs.CONVERSATION,
        helicone.FORMAT,
        vertex.FORMAT,
        azure_apim.FORMAT,
        langsmith.FORMAT,
        mlflow.FORMAT,
        bedrock.FORMAT,
        otel.FORMAT,
        openinference.FORMAT,
        openai_batch.FORMAT,
        litellm.FORMAT,
        langfuse.FORMAT,  # before openai-responses: an observation has `input` too
        openai_responses.FORMAT,
        anthropic.FORMAT,
        openai_chat.FORMAT,
        prompt_completion.FORMAT,  # last: any object with a prompt-like key
    )
}
# Objects that hold records rather than being one, tried before the formats.
CONTAINERS: tuple[Container, ...] = (
    otel.CONTAINER,
    langfuse.CONTAINER,
    cloudwatch.CONTAINER,
    azure_apim.RECORDS,
    azure_apim.TABLES,
    helicone.CONTAINER,
    openai_outputs.PAGE,
    anthropic_batch.CONTAINER,
)
LINE_FORMATS = ("text", "csv", "tsv")
FORMAT_CHOICES = ("auto", "jsonl", "json", *JSON_FORMATS, *LINE_FORMATS)
CATALOGUE = Catalogue(list(JSON_FORMATS.values()), CONTAINERS)


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs; `format` is 'auto' or one of FORMAT_CHOICES.

    `max_line_bytes` defaults to $AUDIT_MAX_LINE_BYTES, else 256 MiB; longer lines are skipped and reported.
    """

    format: str = "auto"
    column: str | None = None  # CSV/TSV: the prompt column (default: a known name; none found is a usage error)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    max_line_bytes: int = field(default_factory=default_max_line_bytes)
    notices: bool = False  # also yield ReadNotices (an empty input, records read field by field)
    litellm_spend_logs: bool = False  # a postgresql:// URL in PATHS is LiteLLM's database (audit.readers.litellm_db)
    started_after: datetime | None = None  # database sources: only rows whose startTime is at or after it
    skip: frozenset[str] | list[str] = frozenset()  # real paths never read (the baseline a command reads or writes)

    def __post_init__(self) -> None:
        if self.format not in FORMAT_CHOICES:
            raise ConfigError(f"unknown format {self.format!r}; choose from {', '.join(FORMAT_CHOICES)}")
        if self.max_line_bytes < 1:
            raise ConfigError(f"the line-length limit must be positive, not {self.max_line_bytes}")


def read_paths(paths: list[str], options: ReadOptions | None = None) -> Iterator[Record | ReadError]:
    """Every record of every input under `paths`, in order, with errors in place of bad records."""
    options = options or ReadOptions()
    for path in paths:
        seen = False
        for item in expand_paths([path], options.include, options.exclude):
            if options.skip and not item.is_stdin and os.path.realpath(item.path) in options.skip:
                continue
            seen = True
            yield from read_source(item, options)
        if not seen and options.notices:
            yield ReadNotice(display_path(path), "empty", "no files to read (an empty directory, or all excluded)")


def read_source(item: InputFile, options: ReadOptions) -> Iterator[Record | ReadError]:
    """Records of one input, its format forced or detected from its content."""
    if is_database_url(item.path):
        yield from _spend_logs(item.path, options)
        return
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


def _spend_logs(url: str, options: ReadOptions) -> Iterator[Record | ReadError]:
    """The LiteLLM_SpendLogs rows of the database at `url`, each read by the litellm format."""
    source, only = database_name(url), JSON_FORMATS["litellm"]
    if not options.litellm_spend_logs:
        yield ReadError(source, 0, f"a database URL; add {SPEND_LOGS_FLAG} to read LiteLLM's spend logs from it")
        return

    def records(line: int, row: dict):
        return CATALOGUE.records(source, line, row, only)

    yield from read_spend_logs(url, records, options.started_after, options.notices)


def read_stream(source: str, stream, options: ReadOptions) -> Iterator[Record | ReadError]:
    """Records from an open binary stream (already decompressed: `inputs.decompressed`) named `source`.

    This is the reader entry point for engines that fetch bytes themselves
    (Spark's binaryFile source, object stores): wrap the bytes in a stream.
    """
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)
    head = _peek(stream)
    if head.startswith(UTF16_BOMS):
        stream, head = Utf16Lines(stream), utf16_head(head)
    fmt = options.format if options.format != "auto" else detect_format(source, head)
    if head.startswith(PARQUET_MAGIC):  # by its magic whatever --format says; a forced JSON format reads its rows
        fmt = "parquet"
    if fmt == "binary":
        yield ReadError(source, 0, "binary file (NUL bytes on most lines: not text, or UTF-16 without a BOM); skipped")
        return
    counts = _Counts()
    yield from counts.watch(_read_format(source, stream, fmt, head, options))
    if options.notices:
        yield from counts.notices(source)


def _read_format(source: str, stream, fmt: str, head: bytes, options: ReadOptions):
    if fmt == "parquet":
        only = JSON_FORMATS.get(options.format)
        yield from parquet_rows(source, stream, lambda line, row: CATALOGUE.records(source, line, row, only))
        return
    if fmt in ("csv", "tsv"):
        delimiter = "\t" if fmt == "tsv" else ","
        lines = iter_lines(stream, options.max_line_bytes)
        only = JSON_FORMATS.get(options.format)

        def read_object(line: int, obj: dict, forced: str | None):
            if forced is not None:
                return [forced_record(source, line, obj, forced)]
            return CATALOGUE.records(source, line, obj, only)

        yield from csv_reader.read_lines(source, lines, options.column, read_object, delimiter, options.max_line_bytes)
        return
    only = JSON_FORMATS.get(fmt)
    if fmt == "json" or (only is not None and _is_document(head)):
        yield from _document(source, stream, options, only)
        return
    lines = _decoded_lines(source, stream, options.max_line_bytes)
    if fmt == "text":
        yield from _with_errors(lines, lambda good: plaintext.read_lines(source, good))
        return
    for number, text in lines:
        if isinstance(text, ReadError):
            yield text
        elif text.strip():
            yield from _json_line(source, number, text, only)


class _Counts:
    """What one input yielded, for the notices after it: nothing at all, or records no format knew."""

    def __init__(self) -> None:
        self.items = 0
        self.unknown = 0

    def watch(self, items):
        for item in items:
            self.items += 1
            if isinstance(item, Record) and is_unknown(item):
                self.unknown += 1
            yield item

    def notices(self, source: str):
        if not self.items:
            yield ReadNotice(source, "empty", "no records (the file is empty or blank)")
        if self.unknown:
            yield ReadNotice(
                source,
                "unknown-shape",
                f"{self.unknown} record(s) of a shape no reader knows were scanned field by field (role "
                f"'unknown'); known formats: {', '.join(JSON_FORMATS)}; --format text scans raw lines",
            )


def _peek(stream) -> bytes:
    try:
        return stream.peek(8192)[:8192]
    except (OSError, EOFError, zlib.error, TruncatedInput):  # the first read reports the damage
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


def _json_line(source: str, number: int, text: str, only: JsonFormat | None):
    value = decode_json(source, number, text.rstrip("\r\n"))  # a truncated line's error column is on this line
    if isinstance(value, ReadError):
        yield value
    else:
        yield from CATALOGUE.records(source, number, value, only)


def _document(source: str, stream, options: ReadOptions, only: JsonFormat | None):
    """A whole file holding one JSON document: an array of records, or one (pretty-printed) object."""
    data = _read_all(stream, options.max_line_bytes)
    if isinstance(data, ReadError):
        yield ReadError(source, data.line, data.reason)
        return
    text = data.removeprefix("\ufeff")
    value = decode_json(source, 1, text)
    if isinstance(value, ReadError):  # not one document: JSON Lines whose first line looked like one
        for number, line in enumerate(text.split("\n"), 1):  # only \n ends a line, as iter_lines reads them
            if line.strip():
                yield from _json_line(source, number, line, only)
    elif isinstance(value, list):  # read again element by element, so each record keeps its line
        del value
        for line, element in array_elements(source, text):
            if isinstance(element, ReadError):
                yield ReadError(source, line, element.reason)
            else:
                yield from CATALOGUE.records(source, line, element, only)
    else:
        yield from CATALOGUE.records(source, 1, value, only)


def _read_all(stream, max_bytes: int) -> str | ReadError:
    chunks, size = [], 0
    for number, raw in iter_lines(stream, max_bytes):
        if isinstance(raw, Exception):
            return ReadError("", number, str(raw))
        size += len(raw)
        if size > max_bytes:
            return ReadError("", number, f"JSON document longer than {max_bytes} bytes; skipped")
        chunks.append(raw)
    try:
        return decode_line(b"".join(chunks))
    except UndecodableLine as exc:
        return ReadError("", 1, str(exc))


def _is_document(head: bytes) -> bool:
    """True when the input is one JSON document (an array, or an object spread over lines), not JSON Lines."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return stripped[1:].lstrip(b" \t\r\n")[:1] in (b"{", b"[", b'"', b"]")
    if not stripped.startswith(b"{"):
        return False
    first, newline, _ = stripped.partition(b"\n")
    if not newline:
        return False  # one long line: JSON Lines
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return True
    except ValueError:  # a complete line with a number too long to convert: JSON Lines, reported line by line
        return False
    return False


def detect_format(path: str, head: bytes) -> str:
    """'json', 'jsonl', 'csv', 'tsv', 'text' or 'binary', from the name and the first bytes of content."""
    name = path.lower().removesuffix(".gz").removesuffix(".bz2").removesuffix(".zst")
    if looks_binary(head):
        return "binary"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".tsv"):
        return "tsv"
    if _is_document(head):
        return "json"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "jsonl"
    return "text"
