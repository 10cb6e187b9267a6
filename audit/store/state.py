"""A workload's state as the union of what its sources last showed, not whatever scan ran last.

A source is an input file as a scan read it (the path in `scans.inputs`). For
each source, the latest completed scan that read it says what that source
holds for each workload: a scan's decision keeps one entry per source in its
rationale (`sources`). A workload's state is every such entry; its decision is
the strictest over them, its regulations, rules and entity counts the union.
So a scan of one file replaces what that file showed and nothing else.

Decisions recorded before per-source entries existed count whole for each of
their scan's inputs that no later scan read (entities from their findings rows);
one whose scan kept no inputs counts only while it is the workload's newest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.model import Tier, strictest
from audit.store.decide import TOP_REASONS, effective_tier, hosting_tier
from audit.store.models import Decision, FindingRow, Scan

Reader = tuple[int, datetime]  # (scan id, finished at) of a completed scan
# source -> the workload a scan attributed every record to (None: the records' own) -> the latest such scan reading it
Readers = dict[str, dict[str | None, Reader]]


@dataclass(frozen=True)
class SourceState:
    """What one source showed for one workload in the latest completed scan that read it."""

    source: str
    scan_id: int
    scanned_at: datetime
    tier: str
    rules: list[dict]
    regulations: list[str]
    records: int | None
    entities: dict[str, int]
    records_with_findings: int | None = None


@dataclass
class WorkloadState:
    """Every source's latest entry for one workload; empty when no completed scan saw it."""

    sources: list[SourceState] = field(default_factory=list)

    def tier(self, waived: set[str]) -> Tier | None:
        """The strictest source decision under the rule waivers `waived`; None when never scanned."""
        if not self.sources:
            return None
        return strictest(effective_tier(s.tier, s.rules, waived) for s in self.sources)

    def hosting_tier(self, waived: set[str]) -> Tier | None:
        """Where the workload may run once strip values are removed (`decide.hosting_tier` over the sources);
        None when never scanned."""
        if not self.sources:
            return None
        return strictest(hosting_tier(s.tier, s.rules, waived) for s in self.sources)

    def regulations(self) -> list[str]:
        """Every regulation any source triggered, sorted."""
        return sorted({r for s in self.sources for r in s.regulations})

    def entities(self) -> dict[str, int]:
        """Findings by entity type summed over the sources, most frequent first."""
        total: Counter = Counter()
        for s in self.sources:
            total.update(s.entities)
        return dict(total.most_common())

    def top_rules(self, limit: int | None = TOP_REASONS) -> list[dict]:
        """The strictest and most frequent rules over the sources (records summed), as a rationale's `top`;
        every rule with `limit` None."""
        merged: dict[str, dict] = {}
        for s in self.sources:
            for r in s.rules:
                entry = merged.setdefault(r["rule"], {**r, "records": 0})
                entry["records"] += r.get("records", 0)
        ordered = sorted(merged.values(), key=lambda r: (Tier(r["decision"]).rank, -r["records"], r["rule"]))
        return ordered[:limit]

    def records(self) -> tuple[int | None, int | None]:
        """(records, records with findings) summed over the sources; None where an entry did not keep it."""

        def total(values):
            values = list(values)
            return None if any(v is None for v in values) else sum(values)

        return total(s.records for s in self.sources), total(s.records_with_findings for s in self.sources)

    def newest(self) -> SourceState | None:
        """The source scanned last."""
        return max(self.sources, key=lambda s: (s.scanned_at, s.scan_id), default=None)


def latest_readers(session: Session) -> Readers:
    """For every source ever read, the latest completed scan that read it, per workload the scan was attributed to."""
    rows = session.execute(
        select(Scan.id, Scan.finished_at, Scan.inputs, Scan.workload).where(Scan.status == "completed")
        .order_by(Scan.finished_at, Scan.id)
    ).all()  # fmt: skip
    out: Readers = {}
    for scan_id, at, inputs, attributed in rows:
        for i in inputs or []:
            out.setdefault(i["path"], {})[attributed] = (scan_id, at)
    return out


def readers_for(readers: Readers, name: str) -> dict[str, Reader]:
    """Per source, the latest completed scan that speaks for `name`: one that took the records' own workloads,
    or one attributed to `name`. A scan attributed elsewhere (`--workload other`) never takes a source away."""
    out = {}
    for source, by in readers.items():
        picks = [by[k] for k in (None, name) if k in by]
        if picks:
            out[source] = max(picks, key=lambda p: (p[1], p[0]))
    return out


def workload_state(session: Session, name: str, readers: Readers | None = None) -> WorkloadState:
    """The workload's entries from each source's latest completed scan that speaks for it (see `readers_for`)."""
    readers = readers_for(latest_readers(session) if readers is None else readers, name)
    completed = select(Decision.scan_id).join(Scan).where(Decision.workload == name, Scan.status == "completed")
    newest = session.scalars(completed.order_by(Scan.finished_at.desc(), Scan.id.desc()).limit(1)).first()
    current = {scan_id for scan_id, _ in readers.values()} | {newest}  # older scans were read over by later ones
    rows = session.execute(
        select(Decision, Scan.finished_at).join(Scan)
        .where(Decision.workload == name, Scan.status == "completed", Decision.scan_id.in_(current))
    ).all()  # fmt: skip
    entries = [e for d, at in rows for e in _entries(session, d, readers, at if d.scan_id == newest else None)]
    return WorkloadState(sorted(entries, key=lambda e: e.source))


def _entries(
    session: Session, d: Decision, readers: dict[str, Reader], newest_at: datetime | None
) -> list[SourceState]:
    per_source = (d.rationale or {}).get("sources")
    if per_source is None:
        per_source = _legacy(session, d)
        if not per_source and newest_at is not None:  # kept no inputs: stands until the workload's next scan
            whole = {"tier": d.tier, "rules": (d.rationale or {}).get("rules", []), "regulations": d.regulations}
            entities = _entity_counts(session, d.scan_id, d.workload)
            return [
                SourceState(f"(scan {d.scan_id})", d.scan_id, newest_at, **whole, records=d.records, entities=entities)
            ]
    return [
        SourceState(source, d.scan_id, readers[source][1], v["tier"], v.get("rules", []), v.get("regulations", []),
                    v.get("records"), v.get("entities", {}), v.get("records_with_findings"))
        for source, v in per_source.items()
        if readers.get(source, (None,))[0] == d.scan_id
    ]  # fmt: skip


def _legacy(session: Session, d: Decision) -> dict[str, dict]:
    """A decision without per-source entries, counted whole for each input of its scan."""
    rules = (d.rationale or {}).get("rules", [])
    out = {}
    for source in (i["path"] for i in session.get(Scan, d.scan_id).inputs or []):
        entities = _entity_counts(session, d.scan_id, d.workload, FindingRow.source == source)
        out[source] = {"tier": d.tier, "rules": rules, "regulations": d.regulations, "entities": entities}
    return out


def _entity_counts(session: Session, scan_id: int, workload: str, *where) -> dict[str, int]:
    stmt = (
        select(FindingRow.entity_type, func.count())
        .where(FindingRow.scan_id == scan_id, FindingRow.workload == workload, *where)
        .group_by(FindingRow.entity_type)
    )  # fmt: skip
    return dict(session.execute(stmt).all())
