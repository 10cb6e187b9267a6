"""Helpers for reader tests: write an input, read it back through the public reader API."""

from __future__ import annotations

import json
from pathlib import Path

from audit.model import ReadError, Record
from audit.readers import ReadOptions, read_paths


def jsonl(*objects) -> str:
    """JSON Lines text of `objects` (strings are written as they are)."""
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects)


def read(tmp_path: Path, content: str | bytes, name: str = "log.jsonl", **options) -> list[Record | ReadError]:
    """Everything the readers yield for one file holding `content`."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return list(read_paths([str(path)], ReadOptions(**options)))


def records(items) -> list[Record]:
    """Only the records."""
    return [i for i in items if isinstance(i, Record)]


def errors(items) -> list[ReadError]:
    """Only the errors."""
    return [i for i in items if isinstance(i, ReadError)]


def only_record(items) -> Record:
    """The single record, asserting there is exactly one and no error."""
    assert not errors(items), errors(items)
    (record,) = items
    return record


def texts(record: Record) -> list[tuple[str, str]]:
    """(role, text) of each message the format read, without the fields scanned beside them (see `fields`)."""
    return [(m.role, m.text) for m in record.messages if not m.path]


def fields(record: Record) -> list[tuple[str, str]]:
    """(path, text) of each field read beside the messages (unread leaves, or every leaf of an unknown shape)."""
    return [(m.path, m.text) for m in record.messages if m.path]
