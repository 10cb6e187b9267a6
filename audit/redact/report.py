"""What one redaction run did, in counts: never a value. Printed, and recorded in the registry as evidence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

EVENT_KIND = "redact.completed"


@dataclass
class RedactReport:
    """Counts of one run: files, records, replacements per entity type and per policy rule, failures."""

    mode: str
    files_written: int = 0
    files_unreadable: int = 0
    records: int = 0
    records_changed: int = 0
    records_unreadable: int = 0  # dropped from the output: they could not be parsed
    records_unscanned: int = 0  # written with the unscanned texts removed
    replaced: Counter = field(default_factory=Counter)  # entity type -> values replaced
    stripped: Counter = field(default_factory=Counter)  # entity type -> values removed (strip rules, secrets)
    kept: Counter = field(default_factory=Counter)  # entity type -> values Safe Harbor lets stay (age <= 89, a year)
    rules: Counter = field(default_factory=Counter)  # rule id -> records it fired on
    outputs: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)
    residual: int | None = None  # --verify: identifiers found in the output that are not ours
    residual_types: Counter = field(default_factory=Counter)
    residual_limit_exceeded: bool = False
    batches: int = 0  # a database redacted in place: transactions committed

    @property
    def failed(self) -> bool:
        """True when some input could not be read or scanned (exit 3)."""
        return bool(self.files_unreadable or self.records_unreadable or self.records_unscanned)

    @property
    def replacements(self) -> int:
        """Values replaced or removed."""
        return sum(self.replaced.values()) + sum(self.stripped.values())

    def payload(self) -> dict:
        """The registry event's payload: counts, types, rule ids and output paths only."""
        return {
            "mode": self.mode,
            "files_written": self.files_written,
            "files_unreadable": self.files_unreadable,
            "records": self.records,
            "records_changed": self.records_changed,
            "records_unreadable": self.records_unreadable,
            "records_unscanned": self.records_unscanned,
            "replaced": dict(sorted(self.replaced.items())),
            "stripped": dict(sorted(self.stripped.items())),
            "kept": dict(sorted(self.kept.items())),
            "rules": dict(sorted(self.rules.items())),
            "outputs": self.outputs,
            "backups": self.backups,
            "residual": self.residual,
            "residual_types": dict(sorted(self.residual_types.items())),
            "batches": self.batches,
        }

    def lines(self) -> list[str]:
        """The report as `name key=value` lines, one fact per line, grep-friendly like the scan's summary lines."""
        out = [
            f"redact mode={self.mode} files={self.files_written} records={self.records} "
            f"changed={self.records_changed} unreadable={self.records_unreadable} unscanned={self.records_unscanned} "
            f"unreadable_files={self.files_unreadable}"
        ]
        out += [f"replaced entity={k} count={v}" for k, v in sorted(self.replaced.items())]
        out += [f"removed entity={k} count={v}" for k, v in sorted(self.stripped.items())]
        out += [f"kept entity={k} count={v}" for k, v in sorted(self.kept.items())]
        out += [f"rule id={k} records={v}" for k, v in sorted(self.rules.items())]
        out += [f"backup path={p}" for p in self.backups]
        if self.batches:
            out.append(f"database batches={self.batches} rows={self.records}")
        if self.residual is not None:
            out.append(f"verify residual={self.residual} replaced={self.replacements}")
            out += [f"residual entity={k} count={v}" for k, v in sorted(self.residual_types.items())]
        return out


def record_event(registry, report: RedactReport) -> int:
    """Append the run's `redact.completed` event to the registry's audit trail; returns its seq."""
    from audit.store import events

    with registry.writing() as session:
        return events.append(session, EVENT_KIND, f"redact {report.mode}", report.payload()).seq
