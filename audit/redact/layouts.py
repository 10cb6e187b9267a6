"""Files in and out, in the layout they came in: JSON Lines, one JSON document, CSV/TSV, text; compressed or not.

`read_items` yields what a file holds, in order: a Unit per record, a Blank for a line to
copy as it is (an empty line holds no value), and a ReadError for a record that cannot be
parsed (it is counted and left out of the output: its text was never scanned).
`Writer` writes the redacted units back in the same layout: JSON Lines with the same keys
in the same order and the same separators and line endings, an array or a pretty
document with its indent, CSV with its header and delimiter. JSON documents are read
whole, as the readers read them; every other layout streams.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from audit.model import ReadError
from audit.readers import detect_format
from audit.readers.csv_reader import unique_names
from audit.readers.inputs import UTF16_BOMS, UndecodableLine, decode_line, iter_lines
from audit.readers.parquet import MAGIC as PARQUET_MAGIC
from audit.redact.edit import Style, dumps_styled, json_style
from audit.redact.rewrite import Unit

BOM = b"\xef\xbb\xbf"


class NoOutput(Exception):
    """The input gave nothing a copy could be made of (a Parquet file with no readable schema)."""


@dataclass(frozen=True)
class Blank:
    """A line that holds nothing: written back as it was."""

    text: str


@dataclass
class Layout:
    """How a file is laid out: its kind and what is needed to write it back the same way."""

    kind: str  # "jsonl" | "json" | "csv" | "tsv" | "text" | "parquet"
    bom: bool = False
    newline: str = "\n"
    indent: int | str | None = None  # json documents
    style: Style = (False, False)
    array: bool = False  # json: a top-level array
    header: list[str] | None = None  # csv/tsv
    schema: object = None  # parquet: the input's pyarrow schema


def sniff(source: str, head: bytes) -> str | None:
    """The layout kind of a decompressed stream's first bytes, or None when it cannot be redacted here."""
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(UTF16_BOMS):
        return None
    kind = detect_format(source, head)
    return None if kind == "binary" else kind


def read_items(source: str, stream, layout: Layout, max_bytes: int) -> Iterator[Unit | Blank | ReadError]:
    """What the file holds, record by record, in order; sets `layout`'s details as it reads."""
    if layout.kind == "parquet":
        from audit.redact.parquet import read_units

        yield from read_units(source, stream, layout)
    elif layout.kind in ("csv", "tsv"):
        yield from _csv_items(source, stream, layout)
    elif layout.kind == "json":
        yield from _document_items(source, stream, layout, max_bytes)
    else:
        yield from _line_items(source, _lines(source, stream, layout, max_bytes), layout)


def _lines(source: str, stream, layout: Layout, max_bytes: int) -> Iterator[tuple[int, str, str] | ReadError]:
    """(number, text, line ending) per line, or a ReadError for a line that cannot be decoded."""
    for number, raw in iter_lines(stream, max_bytes):
        if isinstance(raw, Exception):
            yield ReadError(source, number, str(raw))
            continue
        if number == 1 and raw.startswith(BOM):
            layout.bom, raw = True, raw[len(BOM) :]
        try:
            text = decode_line(raw)
        except UndecodableLine as exc:
            yield ReadError(source, number, str(exc))
            continue
        body = text.rstrip("\r\n")
        ending = text[len(body) :]
        if number == 1 and ending:
            layout.newline = ending
        yield number, body, ending


def _line_items(source: str, lines, layout: Layout) -> Iterator[Unit | Blank | ReadError]:
    count = 0
    for item in lines:
        if isinstance(item, ReadError):
            yield item
            continue
        number, body, ending = item
        if not body.strip():
            yield Blank(body + ending)
            continue
        count += 1
        if layout.kind == "text":
            yield Unit(body, source, number, count, (ending,))
            continue
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):
            yield ReadError(source, number, "not valid JSON; left out of the output")
            continue
        yield Unit(value, source, number, count, (ending, *json_style(body)))


def _document_items(source: str, stream, layout: Layout, max_bytes: int) -> Iterator[Unit | Blank | ReadError]:
    lines = list(_lines(source, stream, layout, max_bytes))
    errors = [e for e in lines if isinstance(e, ReadError)]
    if errors:
        yield from errors
        return
    text = "".join(body + ending for _n, body, ending in lines)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not one document: JSON Lines whose first line looked like one
        layout.kind = "jsonl"
        yield from _line_items(source, iter(lines), layout)
        return
    layout.indent = _indent(text)
    layout.style = json_style(text[:4096])
    layout.array = isinstance(value, list)
    for number, element in enumerate(value if layout.array else [value], 1):
        yield Unit(element, source, 1, number)


def _indent(text: str) -> int | str | None:
    """The indent of a pretty-printed document (its first indented line), None for one on a single line."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and stripped != line:
            lead = line[: len(line) - len(stripped)]
            return "\t" if lead.startswith("\t") else len(lead)
    return None


def _csv_items(source: str, stream, layout: Layout) -> Iterator[Unit | Blank | ReadError]:
    head = stream.peek(65536)[:65536] if hasattr(stream, "peek") else b""
    layout.bom = head.startswith(BOM)
    first = head.split(b"\n", 1)[0]
    layout.newline = "\r\n" if first.endswith(b"\r") else "\n"
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text, delimiter="\t" if layout.kind == "tsv" else ",", strict=True)
    count = 0
    try:
        for row in reader:
            if layout.header is None:
                layout.header = row
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(layout.header):
                yield ReadError(
                    source, reader.line_num, f"row has {len(row)} fields; the header has {len(layout.header)}"
                )
                continue
            count += 1
            yield Unit(dict(zip(unique_names(layout.header), row, strict=True)), source, reader.line_num, count)
    except (csv.Error, UnicodeDecodeError) as exc:
        kind = "invalid UTF-8" if isinstance(exc, UnicodeDecodeError) else "broken CSV quoting"
        yield ReadError(source, reader.line_num, f"{kind}; the rest of the file is left out of the output")


class Writer:
    """Writes redacted units back in their file's layout, to a binary stream."""

    def __init__(self, out, layout: Layout) -> None:
        self.layout = layout
        self.out = out
        self._elements: list = []
        self._csv = None
        self._parquet = None
        if layout.kind == "parquet":
            return  # the schema is known once the first rows are read
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        if layout.bom:
            self.text.write("\ufeff")

    def write(self, unit: Unit, value) -> None:
        """One redacted record, in the layout of the original."""
        kind = self.layout.kind
        if kind == "parquet":
            self._parquet_writer().write(value)
        elif kind == "text":
            self.text.write(value + unit.style[0])
        elif kind == "jsonl":
            self.text.write(dumps_styled(value, unit.style[1:]) + unit.style[0])
        elif kind == "json":
            self._elements.append(value)
        else:
            self._csv_writer().writerow(list(value.values()))

    def blank(self, item: Blank) -> None:
        """A line that held nothing, as it was."""
        if self.layout.kind in ("jsonl", "text"):
            self.text.write(item.text)

    def close(self) -> None:
        """Write what is held (a JSON document, Parquet rows) and flush; the underlying stream stays open."""
        if self.layout.kind == "parquet":
            if self.layout.schema is None:
                raise NoOutput("not a readable Parquet file")
            self._parquet_writer().close()  # a file with no rows is still written, with its schema
            return
        if self.layout.kind == "json" and (self._elements or self.layout.array):
            value = self._elements if self.layout.array else self._elements[0]
            self.text.write(dumps_styled(value, self.layout.style, self.layout.indent) + "\n")
        if self.layout.kind in ("csv", "tsv") and self.layout.header is not None:
            self._csv_writer()  # a header with no rows is still written
        self.text.flush()
        self.text.detach()

    def _parquet_writer(self):
        if self._parquet is None:
            from audit.redact.parquet import ParquetWriter

            self._parquet = ParquetWriter(self.out, self.layout.schema)
        return self._parquet

    def _csv_writer(self):
        if self._csv is None:
            delimiter = "\t" if self.layout.kind == "tsv" else ","
            self._csv = csv.writer(self.text, delimiter=delimiter, lineterminator=self.layout.newline)
            self._csv.writerow(self.layout.header or [])
        return self._csv
