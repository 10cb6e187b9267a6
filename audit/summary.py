"""`ScanSummary`: the counts of one scan, shared by the pipeline, the executors and the output formats.

It lives apart from the pipeline so the output formats (and anyone reading a
summary) import no part of the scan machinery.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from audit.model import ReadError, ReadNotice, RecordResult

T = TypeVar("T")


@dataclass
class ScanSummary:
    """Counts for the terminal summary, the registry and the exit code."""

    records_read: int = 0
    records_skipped: int = 0
    records_with_findings: int = 0
    by_entity: Counter = field(default_factory=Counter)
    by_decision: Counter = field(default_factory=Counter)
    by_regulation: Counter = field(default_factory=Counter)
    errors: list[ReadError] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    messages_unscanned: int = 0  # over the time budget or failed analysis; their records are incomplete
    records_accepted: int = 0  # every finding accepted by the baseline: neither flagged nor "unrestricted"
    notices: list[ReadNotice] = field(default_factory=list)  # empty inputs, records read field by field

    def add(self, result: RecordResult) -> None:
        """Count one scanned record."""
        self.records_read += 1
        self.by_decision[result.decision.value] += 1
        if result.has_output:
            self.records_with_findings += 1
        for f in result.identifiers:
            self.by_entity[f.entity_type] += 1
        for reg in result.evaluation.regulations:
            self.by_regulation[reg] += 1

    def add_accepted(self) -> None:
        """Count one record whose findings the baseline accepted, all of them."""
        self.records_read += 1
        self.records_accepted += 1

    def add_error(self, error: ReadError) -> None:
        """Count one unreadable record."""
        self.records_skipped += 1
        if len(self.errors) < 1000:
            self.errors.append(error)

    def add_unscanned(self, error: ReadError) -> None:
        """Count one message that could not be analysed (its record is still reported)."""
        self.messages_unscanned += 1
        if len(self.errors) < 1000:
            self.errors.append(error)

    def add_notice(self, notice: ReadNotice) -> None:
        """Keep one notice about an input (the first 1000)."""
        if len(self.notices) < 1000:
            self.notices.append(notice)

    @property
    def empty_inputs(self) -> list[str]:
        """The inputs that held no records at all."""
        return [n.source for n in self.notices if n.kind == "empty"]

    def add_source(self, source: str) -> None:
        """Note an input source, once, in the order first seen."""
        if (not self.sources or self.sources[-1] != source) and source not in self.sources:
            self.sources.append(source)


def readable(
    items: Iterable[T | ReadError], summary: ScanSummary, on_error: Callable[[ReadError], None] | None = None
) -> Iterator[T]:
    """The items that are not ReadErrors; errors are counted in `summary` and passed to `on_error`, sources noted.

    Local scans pass records through it, Spark scans finished results: both count the same way.
    """
    for item in items:
        if isinstance(item, ReadNotice):
            summary.add_notice(item)
            continue
        if isinstance(item, ReadError):
            summary.add_error(item)
            if on_error:
                on_error(item)
            continue
        summary.add_source(item.source)
        yield item
