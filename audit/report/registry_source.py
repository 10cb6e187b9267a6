"""ReportData from the registry (audit.store): the latest decision per workload, with its history.

Imported only when a report is built from a registry, so reports from a scan file never load SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from audit.model import Tier, strictest
from audit.report import flows_section, gateway_section
from audit.report.formats.sarif import rule_id
from audit.report.registry_report import (
    EXAMPLES_PER_TYPE,
    TREND_SCANS,
    EndpointInfo,
    EntityCount,
    Reason,
    ReportData,
    ScanPoint,
    WaiverInfo,
    WorkloadReport,
    in_tier_order,
    redact_url,
    utc_now,
)


def read_registry(url: str, tool_version: str = "", today: dt.date | None = None) -> ReportData:
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
        gateway = gateway_section.collect(registry, {w.name: w.decision for w in workloads if w.history})
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
        generated_at=utc_now(),
        tool_version=tool_version,
        source=redact_url(url),
        workloads=workloads,
        scans=completed[-TREND_SCANS:],
        by_regulation=dict(by_regulation),
        by_entity=dict(by_entity.most_common()),
        policy_versions=list(dict.fromkeys(p.policy for p in completed)),
        today=today,
        flows=flows,
        gateway=gateway,
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
    if row is not None:  # the registry's own reading, the per-source union `registry list` and `show` print
        return _from_union(report, session, row, today)
    # seen in scans, no longer registered: what its latest scan recorded
    active: set[str] = set()
    report.decision = _effective(latest.tier, rules, active)
    report.hosting, report.violation = latest.hosting, latest.violation
    report.regulations = list(latest.regulations or [])
    report.records, report.records_with_findings = latest.records, latest.records_with_findings
    report.reasons = [_reason(r) for r in rules]
    report.findings = _entity_counts(session, latest.scan_id, name)
    report.tiers = _record_tiers(session, latest.scan_id, name, rules, active)
    return report


def _from_union(report: WorkloadReport, session, row, today) -> WorkloadReport:
    """Decision, reasons, record counts, findings and record tiers from `views.workload_union`: the report
    reads the same per-source union as `registry show`, and runs no query of its own for them."""
    from audit.store import views

    union = views.workload_union(session, row, today, examples=EXAMPLES_PER_TYPE)
    status = union.status
    report.decision = Tier(status.decision or Tier.UNRESTRICTED)  # None: no source shows it any more
    report.hosting, report.violation, report.regulations = status.hosting, status.violation, status.regulations
    report.hosting_tier = Tier(status.hosting_tier) if status.hosting_tier else None
    report.records, report.records_with_findings = union.records, union.records_with_findings
    report.reasons = [_reason(r) for r in union.rules]
    report.findings = [EntityCount(t, n, examples) for t, n, examples in union.findings]
    report.tiers = in_tier_order(Counter(union.record_tiers))
    return report


def _reason(r: dict) -> Reason:
    return Reason(
        rule_id(r.get("policy", ""), r["rule"]), r.get("regulation", ""), r.get("citation", ""), Tier(r["decision"]),
        r.get("description", ""), r.get("records", 0),
    )  # fmt: skip


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
    return in_tier_order(Counter(records.values()))


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
