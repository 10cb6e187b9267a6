"""CSV and TSV: one prompt per row, from a named column (`--column`)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator

from audit.model import Message, ReadError, Record

TEXT_COLUMNS = ("prompt", "text", "content", "message", "input")
ID_COLUMNS = ("id", "request_id", "custom_id")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_stream(source: str, stream, column: str | None, delimiter: str = ",") -> Iterator[Record | ReadError]:
    """Records from a CSV stream whose first row is a header; line numbers are physical lines."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (csv.Error, UnicodeDecodeError) as exc:
        yield ReadError(source, 1, f"unreadable CSV header: {exc}")
        return
    col = _pick(header, column)
    if col is None:
        yield ReadError(source, 1, f"no column {column!r} in header {header}; use --column")
        return
    id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    wl_col = header.index("workload") if "workload" in header else None
    yield from _rows(source, reader, col, id_col, wl_col)


def _rows(source, reader, col, id_col, wl_col) -> Iterator[Record | ReadError]:
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ReadError(source, line, f"broken CSV: {exc}")
            return
        except UnicodeDecodeError as exc:
            yield ReadError(source, line, f"invalid UTF-8 at byte {exc.start}; rest of file skipped")
            return
        if col >= len(row):
            yield ReadError(source, line, f"row has {len(row)} fields; the text column is number {col + 1}")
            continue
        if not row[col].strip():
            continue
        rid = row[id_col] if id_col is not None and id_col < len(row) and row[id_col] else str(line)
        wl = row[wl_col] if wl_col is not None and wl_col < len(row) and row[wl_col] else None
        yield Record(source, rid, line, (Message(0, "user", row[col]),), wl)


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
