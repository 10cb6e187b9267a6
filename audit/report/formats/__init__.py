"""Scan output formats: one small module each, registered here.

A format is a class built with (out, options) that receives each record result
with `add(result)` and writes whatever remains in `finish(summary)`. Streaming
formats (jsonl) write in `add`; document formats (json, SARIF, JUnit) in `finish`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TextIO

from audit.model import RecordResult
from audit.report.formats.jsonl import JsonlFormat
from audit.report.formats.table import TableFormat


@dataclass(frozen=True)
class FormatOptions:
    """What formats may need beyond the results."""

    tool_version: str = "0"
    policy_set: object = None
    quiet: bool = False


class OutputFormat(Protocol):
    """The interface every format implements."""

    def __init__(self, out: TextIO, options: FormatOptions) -> None: ...

    def add(self, result: RecordResult) -> None:
        """Take one record's result (clean records included)."""

    def finish(self, summary) -> None:
        """Write what remains, given the scan summary."""


FORMATS: dict[str, type] = {
    "table": TableFormat,
    "jsonl": JsonlFormat,
}
