"""Plain text: one prompt per line; the record id is the line number."""

from __future__ import annotations

from collections.abc import Iterator

from audit.model import Message, ReadError, Record


def read_lines(
    source: str, lines: Iterator[tuple[int, str]], workload: str | None = None
) -> Iterator[Record | ReadError]:
    """One single-message record per non-blank line."""
    for number, line in lines:
        text = line.rstrip("\r\n")
        if text.strip():
            yield Record(source, str(number), number, (Message(0, "user", text),), workload)
