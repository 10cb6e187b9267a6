"""Parquet in, Parquet out: rows read in record batches with pyarrow, written back under the file's own schema.

Each row is a Unit whose value is the row as Python data (`to_pylist`): text cells are strings
(a cell holding JSON is rewritten inside and re-encoded by `audit.redact.edit`, as in JSON Lines),
and text stored as binary is decoded so that it is scanned as the readers scan it. Typed cells
(numbers, timestamps, decimals) are kept as they are, except long integers, which the readers
scan as identifiers: a replaced one stays an integer when its replacement is digits, else the
cell becomes null. Column and field names are the schema, never rewritten. The output has the
input's schema (field types, nullability, metadata) and is written a batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from audit.model import ReadError
from audit.readers.parquet import BATCH_ROWS, rows


def read_units(source: str, stream, layout) -> Iterator:
    """A Unit per row (or a ReadError for a file or a batch pyarrow cannot read); sets `layout.schema`."""
    from audit.redact.rewrite import Unit

    for item in rows(source, stream, on_schema=lambda schema: setattr(layout, "schema", schema)):
        if isinstance(item, ReadError):
            yield item
        else:
            number, row = item
            yield Unit({k: _texts(v) for k, v in row.items()}, source, number, number)


def _texts(value: Any) -> Any:
    """Binary cells that hold UTF-8 text as strings (so they are scanned); everything else as it is."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    if isinstance(value, dict):
        return {k: _texts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_texts(v) for v in value]
    if isinstance(value, tuple):  # a map entry
        return tuple(_texts(v) for v in value)
    return value


class ParquetWriter:
    """Rows written under `schema`, BATCH_ROWS at a time, to a binary stream."""

    def __init__(self, out, schema) -> None:
        import pyarrow
        import pyarrow.parquet

        self._pa = pyarrow
        self.schema = schema
        self._fields = list(schema)
        self._writer = pyarrow.parquet.ParquetWriter(pyarrow.PythonFile(out, mode="w"), schema)
        self._rows: list[dict] = []

    def write(self, row: dict) -> None:
        """One redacted row; its cells conformed to the schema's types."""
        self._rows.append(_fields(row, self._fields))
        if len(self._rows) >= BATCH_ROWS:
            self._flush()

    def close(self) -> None:
        """Write what is held and the file footer; the underlying stream stays open."""
        self._flush()
        self._writer.close()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []


def conform(value: Any, kind) -> Any:
    """`value` (a redacted cell) in the Python shape pyarrow writes as `kind`."""
    import pyarrow.types as t

    if value is None:
        return None
    if t.is_integer(kind) and isinstance(value, str):  # a long number replaced by digits, or by a strip marker
        return int(value) if value.isascii() and value.isdigit() else None
    if (t.is_binary(kind) or t.is_large_binary(kind)) and isinstance(value, str):
        return value.encode("utf-8")
    if t.is_struct(kind) and isinstance(value, dict):
        return _fields(value, [kind.field(i) for i in range(kind.num_fields)])
    if t.is_map(kind) and isinstance(value, list):
        return [(conform(k, kind.key_type), conform(v, kind.item_type)) for k, v in value]
    if (t.is_list(kind) or t.is_large_list(kind) or t.is_fixed_size_list(kind)) and isinstance(value, list):
        return [conform(v, kind.value_type) for v in value]
    return value


def _fields(row: dict, fields: list) -> dict:
    """A row or struct by its schema's fields, matched by position: a name is the schema's, even one the
    redaction rewrote as a value (`audit.redact.edit` keeps the order of keys)."""
    values = list(row.values())
    return {f.name: conform(v, f.type) for f, v in zip(fields, values, strict=True)}
