"""Parquet files (LangSmith bulk exports, S3/GCS exports, Spark output): each row is read as one JSON object.

A file is Parquet when it starts with `PAR1`, whatever its name. Rows are read in record
batches (memory stays flat), each row a dict of its columns; a string cell that holds a JSON
object or array (a `messages` or `response` column, as exports write them) is decoded, so the
registered formats see the structure they know. Line numbers are 1-based row numbers.

pyarrow is optional: without it a Parquet file is one error naming the extra to install.
"""

from __future__ import annotations

import datetime
import gzip
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from audit.leaves import parse_nested
from audit.model import ReadError, Record

MAGIC = b"PAR1"
BATCH_ROWS = 1000
EXTRA = "pip install 'llm-audit[parquet]'"

ReadObject = Callable[[int, dict], Iterable[Record | ReadError]]


def read_rows(source: str, stream, read_object: ReadObject) -> Iterator[Record | ReadError]:
    """What `read_object(row_number, row)` makes of each row of the Parquet file in `stream`.

    A file that is not valid Parquet, or data damaged part-way, is one ReadError; rows before it are kept.
    """
    for item in rows(source, stream):
        if isinstance(item, ReadError):
            yield item
        else:
            line, row = item
            yield from read_object(line, {str(k): _cell(v) for k, v in row.items()})


def rows(source: str, stream, on_schema: Callable | None = None) -> Iterator[tuple[int, dict] | ReadError]:
    """(1-based row number, row as Python data) for each row of the Parquet file in `stream`, a batch at a time;
    a file pyarrow cannot open, or data damaged part-way, ends it with one ReadError. `on_schema(schema)` is called
    with the file's Arrow schema before the first row (the redactor writes its output under it)."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        yield ReadError(source, 0, f"a Parquet file; reading it needs pyarrow: {EXTRA}")
        return
    damaged = (pyarrow.ArrowException, OSError, ValueError)
    with _seekable(stream) as file:
        try:
            parquet = pyarrow.parquet.ParquetFile(file)
            if on_schema is not None:
                on_schema(parquet.schema_arrow)
            batches = parquet.iter_batches(batch_size=BATCH_ROWS)
        except damaged as exc:  # the message names offsets and types at most, but never risk quoting a cell
            yield ReadError(source, 0, f"not a readable Parquet file ({type(exc).__name__}); skipped")
            return
        line = 0
        while True:
            try:
                batch = next(batches, None)
            except damaged as exc:
                yield ReadError(source, line + 1, f"Parquet data is damaged ({type(exc).__name__}); rest of file lost")
                return
            if batch is None:
                return
            for row in batch.to_pylist():
                line += 1
                yield line, row


@contextmanager
def _seekable(stream):
    """`stream` itself when it can seek cheaply (Parquet's index is at the end), else a spooled copy on disk."""
    if stream.seekable() and not isinstance(stream, gzip.GzipFile):  # seeking back in gzip decompresses again
        yield stream
        return
    with tempfile.TemporaryFile(prefix="audit-parquet-") as copy:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.seek(0)
        yield copy


def _cell(value, top: bool = True):
    """A Parquet value as JSON-like data: JSON strings decoded (top-level cells), times as ISO text, bytes as text."""
    if isinstance(value, str):
        nested = parse_nested(value) if top else None
        return value if nested is None else nested
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes):  # text stored as binary is read; a blob (an image) is no text to scan
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(value, Decimal | datetime.timedelta):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _cell(v, False) for k, v in value.items()}
    if isinstance(value, list | tuple):  # a map column comes as a list of (key, value) pairs
        return [_cell(v, False) for v in value]
    return value
