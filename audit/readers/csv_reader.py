"""CSV and TSV: one prompt per row, from a named column (`--column`).

Rows are parsed from the same (line number, bytes) stream as every other
format, so the line-length limit, gzip damage and invalid UTF-8 are reported
the same way: one error per bad line, then the next row. Quoting is parsed
strictly: a malformed row is reported and skipped, and a quote left open at
the end of the file is reported at the row where it opened, after which the
lines it swallowed are read again as rows of their own.
"""

from __future__ import annotations

import csv
import sys
from collections import deque
from collections.abc import Iterator

from audit.model import Message, ReadError, Record
from audit.readers.base import clean_text
from audit.readers.inputs import UndecodableLine, decode_line

TEXT_COLUMNS = ("prompt", "text", "content", "message", "input")
ID_COLUMNS = ("id", "request_id", "custom_id")
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
    source: str, lines, column: str | None, delimiter: str = ",", max_row_bytes: int = 2**31 - 1
) -> Iterator[Record | ReadError]:
    """Records from (line number, bytes) pairs whose first row is a header; line numbers are physical lines."""
    feed = _RowLines(lines, max_row_bytes)
    rows = _parsed_rows(source, feed, delimiter)
    for item in rows:
        if isinstance(item, ReadError):
            yield item
            continue
        _, header = item
        if not header:  # blank lines before the header
            continue
        col = _pick(header, column)
        if col is None:
            wanted = f"column {column!r}" if column else "a text column"
            yield ReadError(source, 1, f"no {wanted} in the header ({len(header)} columns); use --column")
            return
        id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
        wl_col = header.index("workload") if "workload" in header else None
        yield from _records(source, rows, col, id_col, wl_col)
        return


def _records(source, rows, col, id_col, wl_col) -> Iterator[Record | ReadError]:
    for item in rows:
        if isinstance(item, ReadError):
            yield item
            continue
        line, row = item
        if not row:
            continue
        if col >= len(row):
            yield ReadError(source, line, f"row has {len(row)} fields; the text column is number {col + 1}")
            continue
        if not row[col].strip():
            continue
        rid = row[id_col] if id_col is not None and id_col < len(row) and row[id_col] else str(line)
        wl = row[wl_col] if wl_col is not None and wl_col < len(row) and row[wl_col] else None
        yield Record(source, rid, line, (Message(0, "user", row[col]),), wl)


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


def _pick(header: list[str], column: str | None) -> int | None:
    if column is not None:
        if column.isdigit():
            return int(column) - 1 if 0 < int(column) <= len(header) else None
        return header.index(column) if column in header else None
    lowered = [h.strip().lower() for h in header]
    for name in TEXT_COLUMNS:
        if name in lowered:
            return lowered.index(name)
    return len(header) - 1 if header else None
