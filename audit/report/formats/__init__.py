"""Scan output formats: one small module each, registered here.

A format is a class built with (out, options) that receives each record result
with `add(result)` and writes whatever remains in `finish(summary)`. Streaming
formats (jsonl, github) write in `add`; document formats (json, SARIF, JUnit) in `finish`.

`Fanout` feeds one scan to several formats (`--sarif`, `--junit` next to the
table), optionally through a result filter (a baseline), and keeps the strictest
decision of what the formats saw, for the exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol, TextIO

from audit.model import RecordResult, Tier
from audit.report.formats.github import GithubFormat
from audit.report.formats.json_format import JsonFormat
from audit.report.formats.jsonl import JsonlFormat
from audit.report.formats.junit import JunitFormat
from audit.report.formats.sarif import SarifFormat
from audit.report.formats.table import TableFormat
from audit.summary import ScanSummary


@dataclass(frozen=True)
class FormatOptions:
    """What formats may need beyond the results."""

    tool_version: str = "0"
    policy_set: object = None
    quiet: bool = False
    fail_on: str = "redact_then_closed"  # the exit-code gate; JUnit fails records at or above it
    base_dir: str | None = None  # SARIF/GitHub paths are relative to this (default: the working directory)
    sarif_root: str | None = None  # SARIF URIs are relative to this (else base_dir, the git top level, the cwd)


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
    "json": JsonFormat,
    "sarif": SarifFormat,
    "junit": JunitFormat,
    "github": GithubFormat,
}


@dataclass(frozen=True)
class Target:
    """One output of a scan: a format name and where it writes (None: the scan's own sink)."""

    format: str
    out: TextIO | None = None


class Fanout:
    """Several formats fed from one stream; usable wherever a format class is expected.

    `api.scan_to` calls the instance like a class (`fanout(sink, options)`); it
    builds each target's format with those options plus `extra`, and returns itself.
    `result_filter` maps each result to the one the formats see (e.g. a baseline).
    """

    def __init__(
        self,
        targets: list[Target],
        result_filter: Callable[[RecordResult], RecordResult] | None = None,
        **extra,
    ) -> None:
        self.targets = targets
        self.result_filter = result_filter
        self.extra = extra
        self.formats: list = []
        self.strictest = Tier.UNRESTRICTED
        self.strictest_by_workload: dict[str | None, Tier] = {}  # of the results the formats saw
        self._summary = None

    def __call__(self, out: TextIO, options: FormatOptions) -> Fanout:
        opts = replace(options, **self.extra)
        self.formats = [FORMATS[t.format](t.out if t.out is not None else out, opts) for t in self.targets]
        return self

    def add(self, result: RecordResult) -> None:
        """Pass one (filtered) result to every format."""
        if self.result_filter is not None:
            filtered = self.result_filter(result)
            self._summary = self._summary or ScanSummary()
            if result.has_output and not filtered.has_output:
                self._summary.add_accepted()
            else:
                self._summary.add(filtered)
            result = filtered
        if result.decision.stricter_than(self.strictest):
            self.strictest = result.decision
        seen = self.strictest_by_workload.get(result.workload, Tier.UNRESTRICTED)
        if result.decision.stricter_than(seen):
            self.strictest_by_workload[result.workload] = result.decision
        for fmt in self.formats:
            fmt.add(result)

    def finish(self, summary) -> None:
        """Finish every format with the summary of what they saw."""
        if self.result_filter is not None:
            summary = _filtered_summary(self._summary or ScanSummary(), summary)
        for fmt in self.formats:
            fmt.finish(summary)


def _filtered_summary(seen, original):
    """The original summary with the finding counts of the filtered results (reading counts kept)."""
    return replace(
        original,
        records_with_findings=seen.records_with_findings,
        records_accepted=seen.records_accepted,
        by_entity=seen.by_entity,
        by_decision=seen.by_decision,
        by_regulation=seen.by_regulation,
    )
