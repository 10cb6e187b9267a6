"""CSV and TSV: one record per row, read as an object of its columns.

Each row becomes `{column: cell}` (a cell holding a JSON object or array is decoded)
and goes through the same formats as a JSON record (`read_object`), so every column is
scanned and a known export (LiteLLM's spend-log CSV) keeps its structure. `--column`
names the prompt column; with neither a known prompt column nor a format that knows
the row, the scan stops with a usage error naming the columns: never a silent guess.

Rows are parsed from the same (line number, bytes) stream as every other
format, so the line-length limit, gzip damage and invalid UTF-8 are reported
the same way: one error per bad line, then the next row. Quoting is parsed
strictly: a malformed row is reported and skipped, and a quote left open at
the end of the file is reported at the row where it opened, after which the
lines it swallowed are read again as rows of their own.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import deque
from collections.abc import Iterator

from audit.errors import ConfigError
from audit.leaves import parse_nested
from audit.model import ReadError, Record
from audit.readers.base import clean_text
from audit.readers.documents import is_unknown
from audit.readers.inputs import UndecodableLine, decode_line
from audit.readers.prompt_completion import PROMPT_KEYS

_COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_. -]{0,39}\Z")
MAX_REPLAY_LINES = 1000  # an open quote swallowing more lines than this ends the file's reading

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class _BadLine(Exception):
    """A physical line (or a row) that cannot be read; `line` is its 1-based number."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class _RowLines:
    """The decoded lines fed to csv.reader, remembering the lines of the row being parsed."""

    def __init__(self, raw_lines, max_row_bytes: int) -> None:
        self.raw = iter(raw_lines)
        self.max_row_bytes = max_row_bytes
        self.replay: deque[tuple[int, str]] = deque()
        self.row: list[tuple[int, str]] = []
        self.row_bytes = 0
        self.next_line = 1

    def start_row(self) -> None:
        """Forget the previous row's lines."""
        self.row, self.row_bytes = [], 0

    def row_start(self) -> int:
        """Line number where the current row began."""
        return self.row[0][0] if self.row else self.next_line

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.replay:
            number, text = self.replay.popleft()
        else:
            number, text = self._read()
        self.next_line = number + 1
        self.row.append((number, text))
        self.row_bytes += len(text)
        if len(self.row) > 1 and self.row_bytes > self.max_row_bytes:
            raise _BadLine(self.row[0][0], f"CSV row longer than {self.max_row_bytes} bytes (unclosed quote?); skipped")
        return text

    def _read(self) -> tuple[int, str]:
        number, raw = next(self.raw)  # StopIteration ends the csv reader
        if isinstance(raw, Exception):
            self.next_line = number + 1
            raise _BadLine(number, str(raw))
        try:
            text = decode_line(raw)
        except UndecodableLine as exc:
            self.next_line = number + 1
            raise _BadLine(number, str(exc)) from None
        return number, clean_text(text.removeprefix("\ufeff") if number == 1 else text)


def read_lines(
    source: str, lines, column: str | None, read_object, delimiter: str = ",", max_row_bytes: int = 2**31 - 1
) -> Iterator[Record | ReadError]:
    """Records from (line number, bytes) pairs whose first row is a header; line numbers are physical lines.

    `read_object(line, obj, forced)` reads one row object; `forced` is the prompt column's name or None.
    """
    feed = _RowLines(lines, max_row_bytes)
    rows = _parsed_rows(source, feed, delimiter)
    for item in rows:
        if isinstance(item, ReadError):
            yield item
            continue
        _, header = item
        if not header:  # blank lines before the header
            continue
        forced = None
        if column is not None:
            col = _pick(header, column)
            if col is None:
                yield ReadError(source, 1, f"no column {column!r} in the header ({len(header)} columns); use --column")
                return
            forced = header[col]
        yield from _records(source, rows, header, forced, read_object)
        return


def _records(source, rows, header, forced, read_object) -> Iterator[Record | ReadError]:
    checked = forced is not None or any(h.strip().lower() in PROMPT_KEYS for h in header)
    for item in rows:
        if isinstance(item, ReadError):
            yield item
            continue
        line, row = item
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield ReadError(source, line, f"row has {len(row)} fields; the header has {len(header)}")
            continue
        obj = {name: _cell(cell) for name, cell in zip(unique_names(header), row, strict=True)}
        results = list(read_object(line, obj, forced))
        if not checked:
            checked = True
            if any(isinstance(r, Record) and is_unknown(r) for r in results):
                raise ConfigError(
                    f"{source}: no prompt column in the header ({_columns(header)}); "
                    f"name it with --column (known names: {', '.join(PROMPT_KEYS)})"
                )
        yield from results


def _cell(cell: str):
    nested = parse_nested(cell)
    return cell if nested is None else nested


def unique_names(header: list[str]) -> list[str]:
    """Column names made unique: a repeated name gets `#2`, `#3`... (the row objects' keys)."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def _columns(header: list[str]) -> str:
    """The header's names that look like column names; a header that is really data is not echoed."""
    names = [h for h in header if _COLUMN_NAME.match(h)]
    hidden = len(header) - len(names)
    shown = ", ".join(repr(n) for n in names[:20]) or "none that look like column names"
    return shown + (f" and {hidden} more not shown" if hidden else "")


def _parsed_rows(source: str, feed: _RowLines, delimiter: str) -> Iterator[tuple[int, list[str]] | ReadError]:
    """(line, row) for each row, or a ReadError in place of a row that cannot be parsed."""
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    while True:
        feed.start_row()
        try:
            row = next(reader)
        except StopIteration:
            return
        except _BadLine as exc:
            yield ReadError(source, exc.line, exc.reason)
            continue
        except csv.Error as exc:
            if "unexpected end of data" not in str(exc):
                yield ReadError(source, feed.row_start(), f"broken CSV quoting ({exc}); row skipped")
                continue
            yield ReadError(source, feed.row_start(), "broken CSV quoting (a quote is never closed); row skipped")
            if len(feed.row) > MAX_REPLAY_LINES:
                return
            feed.replay.extend(feed.row[1:])
            reader = csv.reader(feed, delimiter=delimiter, strict=True)
            continue
        yield feed.row_start(), row


def _pick(header: list[str], column: str) -> int | None:
    if column.isdigit():
        return int(column) - 1 if 0 < int(column) <= len(header) else None
    return header.index(column) if column in header else None
