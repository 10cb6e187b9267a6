"""The report's data: a plain `ReportData`, filled from the registry or from a JSON scan file.

Renderers (html, markdown, json_report) take only ReportData, so they are
tested with constructed data and never touch the database. Findings arrive
masked: the registry keeps no raw values. A JSON scan made with --show-values
does carry values; they are used only when the report asks for --show-values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from audit.errors import InputError
from audit.model import TIER_ORDER, Tier, strictest
from audit.report import flows_section
from audit.report.flows_section import FlowSection
from audit.report.formats.sarif import rule_id
from audit.report.wording import PolicyPack, policy_packs

EXPIRING_DAYS = 30
EXAMPLES_PER_TYPE = 3
TREND_SCANS = 30
UNASSIGNED = "(no workload)"


@dataclass
class EndpointInfo:
    """A declared model endpoint of a workload."""

    name: str
    provider: str = ""
    model: str = ""
    hosting: str = ""
    region: str | None = None
    agreements: list[str] = field(default_factory=list)


@dataclass
class Reason:
    """A rule behind a workload's decision."""

    rule: str
    regulation: str
    citation: str
    decision: Tier
    description: str = ""
    records: int = 0


@dataclass
class EntityCount:
    """Findings of one entity type in a workload, with a few masked examples."""

    entity_type: str
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass
class WaiverInfo:
    """A waiver of a rule or a fingerprint."""

    workload: str
    owner: str
    reason: str
    expires: dt.date
    rule: str | None = None
    fingerprint: str | None = None

    def days_left(self, today: dt.date) -> int:
        """Days until it expires (negative once expired)."""
        return (self.expires - today).days


@dataclass
class ScanPoint:
    """One scan: for the history table and the trend chart."""

    id: int
    started_at: str
    records_read: int
    records_with_findings: int
    findings: int
    policy: str
    tool_version: str = ""
    status: str = "completed"
    decision: Tier | None = None  # the workload's decision in this scan (per-workload history only)


@dataclass
class WorkloadReport:
    """Everything the report says about one workload."""

    name: str
    decision: Tier = Tier.UNRESTRICTED
    owner: str = ""
    description: str = ""
    hosting: str | None = None
    violation: bool = False
    records: int = 0
    records_with_findings: int = 0
    regulations: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    endpoints: list[EndpointInfo] = field(default_factory=list)
    findings: list[EntityCount] = field(default_factory=list)
    waivers: list[WaiverInfo] = field(default_factory=list)
    history: list[ScanPoint] = field(default_factory=list)
    tiers: dict[Tier, int] = field(default_factory=dict)  # records with findings by their own strictest tier


@dataclass
class ReportData:
    """The whole report."""

    generated_at: str
    tool_version: str
    source: str  # where the data came from (registry URL without credentials, or a scan file)
    workloads: list[WorkloadReport] = field(default_factory=list)
    scans: list[ScanPoint] = field(default_factory=list)
    by_regulation: dict[str, int] = field(default_factory=dict)
    by_entity: dict[str, int] = field(default_factory=dict)
    policy_versions: list[str] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)
    flows: FlowSection = field(default_factory=FlowSection)  # registry reports only
    event_head: str | None = None  # registry reports only: the event log's head as SEQ:HASH (only hex), unverified

    def head_check(self) -> str | None:
        """The command that proves the registry still holds what this report was built from."""
        return f"audit registry verify --expect-head {self.event_head}" if self.event_head else None

    def stripped(self) -> list[WorkloadReport]:
        """Workloads whose data must be stripped before any model sees it."""
        return [w for w in self.workloads if w.decision is Tier.STRIP]

    def self_hosted(self) -> list[WorkloadReport]:
        """Workloads that must stay on self-hosted models (strip workloads are listed by `stripped`)."""
        return [w for w in self.workloads if w.decision is Tier.SELF_HOSTED]

    def has_trend(self) -> bool:
        """True when there are at least two scans, so findings over scans is a trend and not a dot."""
        return len(self.scans) >= 2

    def policy_packs(self) -> list[PolicyPack]:
        """Every policy pack (id, version, content hash) the report's scans used, by id then version."""
        packs = {p for identity in self.policy_versions for p in policy_packs(identity)}
        return sorted(packs, key=lambda p: (p.id, p.version, p.digest))

    def violations(self) -> list[WorkloadReport]:
        """Workloads whose declared hosting does not allow their decision."""
        return [w for w in self.workloads if w.violation]

    def expiring_waivers(self, days: int = EXPIRING_DAYS) -> list[WaiverInfo]:
        """Waivers expired or expiring within `days`, soonest first."""
        found = [v for w in self.workloads for v in w.waivers if v.days_left(self.today) <= days]
        return sorted(found, key=lambda v: v.expires)


def redact_url(url: str) -> str:
    """A database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# From a JSON scan file (`audit scan -o json --out scan.json`): no registry needed.


def from_scan_json(path: str | Path, show_values: bool = False, tool_version: str = "") -> ReportData:
    """ReportData from one `audit scan -o json` document (decisions per workload, no endpoints)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        records, summary = doc["records"], doc["summary"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not an `audit scan -o json` document: {exc}") from None
    by_workload: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        by_workload[rec.get("workload") or UNASSIGNED].append(rec)
    workloads = [_workload_from_records(name, recs, show_values) for name, recs in sorted(by_workload.items())]
    findings = sum(len(r["findings"]) for r in records)
    policy = str(doc.get("policy") or "none")
    scan = ScanPoint(1, "", summary["records_read"], summary["records_with_findings"], findings, policy)
    return ReportData(
        generated_at=_now(),
        tool_version=tool_version or doc.get("tool", {}).get("version", ""),
        source=str(path),
        workloads=workloads,
        scans=[scan],
        by_regulation=dict(summary.get("by_regulation", {})),
        by_entity=dict(summary.get("by_entity", {})),
        policy_versions=[policy],
    )


def _workload_from_records(name: str, records: list[dict], show_values: bool) -> WorkloadReport:
    reasons: dict[str, Reason] = {}
    for rec in records:
        for r in rec["rules"]:
            rid = f"{r['policy']}/{r['rule']}"
            reason = reasons.setdefault(
                rid,
                Reason(
                    rid, r.get("regulation", ""), r.get("citation", ""), Tier(r["decision"]), r.get("description", "")
                ),
            )
            reason.records += 1
    counts: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for rec in records:
        for f in rec["findings"]:
            counts[f["entity_type"]] += 1
            shown = f.get("value") if show_values and f.get("value") else f["masked"]
            if shown not in examples[f["entity_type"]] and len(examples[f["entity_type"]]) < EXAMPLES_PER_TYPE:
                examples[f["entity_type"]].append(shown)
    regulations = sorted({reg for rec in records for reg in rec.get("regulations", [])})
    tiers = Counter(Tier(rec["decision"]) for rec in records)
    return WorkloadReport(
        name=name,
        decision=strictest(Tier(r["decision"]) for r in records),
        records=len(records),
        records_with_findings=len(records),
        regulations=regulations,
        reasons=sorted(reasons.values(), key=lambda r: (r.decision.rank, -r.records, r.rule)),
        findings=[EntityCount(t, n, examples[t]) for t, n in counts.most_common()],
        tiers=_in_tier_order(tiers),
    )


# From the registry (audit.store): the latest decision per workload, with history.


def from_registry(url: str, tool_version: str = "", today: dt.date | None = None) -> ReportData:
    """ReportData from the registry at `url` (masked findings only: the registry keeps no values)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from audit.store import events
    from audit.store.db import read_session
    from audit.store.models import Decision, Scan, Workload
    from audit.store.registry import Registry

    today = today or dt.date.today()
    registry = Registry.open(url, create=False)
    try:
        with read_session(registry.engine) as session:
            rows = session.scalars(
                select(Workload).options(selectinload(Workload.endpoints), selectinload(Workload.waivers))
            ).all()
            scans = session.scalars(select(Scan).order_by(Scan.id)).all()
            decisions = session.scalars(select(Decision).order_by(Decision.scan_id)).all()
            points = {s.id: _scan_point(s) for s in scans}
            history: dict[str, list[Decision]] = defaultdict(list)
            for d in decisions:
                history[d.workload].append(d)
            workloads = [_registered(session, w, history.get(w.name, []), points, today) for w in rows]
            names = {w.name for w in rows}
            workloads += [_registered(session, None, h, points, today, n) for n, h in history.items() if n not in names]
            head = events.safe_anchor(*events.head(session))
        flows = flows_section.collect(registry)
    finally:
        registry.close()
    workloads.sort(key=lambda w: (w.decision.rank, w.name))
    by_regulation: Counter = Counter()
    by_entity: Counter = Counter()
    for w in workloads:
        for r in w.reasons:
            by_regulation[r.regulation] += r.records
        for f in w.findings:
            by_entity[f.entity_type] += f.count
    completed = [p for p in points.values() if p.status == "completed"]
    return ReportData(
        generated_at=_now(),
        tool_version=tool_version,
        source=redact_url(url),
        workloads=workloads,
        scans=completed[-TREND_SCANS:],
        by_regulation=dict(by_regulation),
        by_entity=dict(by_entity.most_common()),
        policy_versions=list(dict.fromkeys(p.policy for p in completed)),
        today=today,
        flows=flows,
        event_head=head,
    )


def _scan_point(scan) -> ScanPoint:
    started = scan.started_at.strftime("%Y-%m-%d %H:%M") if scan.started_at else ""
    return ScanPoint(
        scan.id, started, scan.records_read, scan.records_with_findings, scan.findings_count,
        scan.policy_identity, scan.tool_version, scan.status,
    )  # fmt: skip


def _registered(session, row, decisions, points, today, name=None) -> WorkloadReport:
    """One workload's report: its latest decision re-read under today's waivers, plus history."""
    name = row.name if row is not None else name
    waivers = [
        WaiverInfo(name, v.owner, v.reason, v.expires, v.rule_id, v.fingerprint) for v in (row.waivers if row else [])
    ]
    report = WorkloadReport(name=name, owner=row.owner if row else "", description=row.description if row else "")
    report.endpoints = [
        EndpointInfo(e.name, e.provider, e.model, e.hosting, e.region, list(e.agreements or []))
        for e in (row.endpoints if row else [])
    ]
    report.waivers = sorted(waivers, key=lambda v: v.expires)
    report.history = [_with_decision(points[d.scan_id], d) for d in decisions if d.scan_id in points]
    if not decisions:
        return report
    latest = decisions[-1]
    rules = (latest.rationale or {}).get("rules", [])
    active = {v.rule for v in waivers if v.rule and v.days_left(today) >= 0}
    report.decision = _effective(latest.tier, rules, active)
    report.hosting, report.violation = latest.hosting, latest.violation
    report.records, report.records_with_findings = latest.records, latest.records_with_findings
    report.regulations = list(latest.regulations or [])
    report.reasons = [
        Reason(
            rule_id(r.get("policy", ""), r["rule"]),
            r.get("regulation", ""),
            r.get("citation", ""),
            Tier(r["decision"]),
            r.get("description", ""),
            r.get("records", 0),
        )
        for r in rules
    ]
    report.findings = _entity_counts(session, latest.scan_id, name)
    report.tiers = _record_tiers(session, latest.scan_id, name, rules, active)
    return report


def _in_tier_order(counts: Counter) -> dict[Tier, int]:
    return {t: counts[t] for t in TIER_ORDER if counts[t]}


def _record_tiers(session, scan_id: int, workload: str, rules: list[dict], waived: set[str]) -> dict[Tier, int]:
    """Records with findings by their own strictest rule, read from the rules each finding fired.

    The decision keeps only per-rule counts, and one record can fire rules of several tiers,
    so summing those would count a record once per rule.
    """
    from sqlalchemy import select

    from audit.store.models import FindingRow

    off = {r.split("/", 1)[-1] for r in waived}
    tier_of = {r["rule"].split("/", 1)[-1]: Tier(r["decision"]) for r in rules}
    tier_of = {rule: tier for rule, tier in tier_of.items() if rule not in off}
    rows = session.execute(
        select(FindingRow.source, FindingRow.record_id, FindingRow.line, FindingRow.kind, FindingRow.rule_ids).where(
            FindingRow.scan_id == scan_id, FindingRow.workload == workload
        )
    ).all()
    records: dict[tuple, Tier] = {}
    for source, record_id, line, kind, rule_ids in rows:
        tiers = [tier_of[r] for r in rule_ids or [] if r in tier_of]
        if tiers or kind == "identifier":
            key = (source, record_id, line)
            records[key] = strictest((records.get(key, Tier.UNRESTRICTED), *tiers))
    return _in_tier_order(Counter(records.values()))


def _effective(tier: str, rules: list[dict], waived: set[str]) -> Tier:
    try:
        from audit.store.decide import effective_tier
    except ImportError:
        return Tier(tier)
    return effective_tier(tier, rules, waived)


def _with_decision(point: ScanPoint, decision) -> ScanPoint:
    """The scan as seen by one workload: its records and its decision in that scan."""
    fields = {
        **point.__dict__,
        "records_read": decision.records,
        "records_with_findings": decision.records_with_findings,
    }
    return ScanPoint(**{**fields, "decision": Tier(decision.tier)})


def _entity_counts(session, scan_id: int, workload: str) -> list[EntityCount]:
    from sqlalchemy import func, select

    from audit.store.models import FindingRow

    where = (FindingRow.scan_id == scan_id, FindingRow.workload == workload, FindingRow.kind == "identifier")
    counts = session.execute(
        select(FindingRow.entity_type, func.count()).where(*where).group_by(FindingRow.entity_type)
    ).all()
    out = []
    for entity_type, n in sorted(counts, key=lambda c: (-c[1], c[0])):
        masked = session.scalars(
            select(FindingRow.masked)
            .where(*where, FindingRow.entity_type == entity_type)
            .distinct()
            .limit(EXAMPLES_PER_TYPE)
        ).all()
        out.append(EntityCount(entity_type, n, list(masked)))
    return out
