"""The registry's read side: list, show and history, as plain dataclasses ready to render.

A workload's state is the union of what its sources last showed (see
audit.store.state), not whatever scan ran last. Decisions are re-read under the
rule waivers in force today, so a waiver granted after a scan changes what
`list` and `show` say without a rescan.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audit.errors import ConfigError
from audit.manifest import unknown_workload
from audit.model import Tier, strictest
from audit.store.db import as_utc, read_session, utcnow
from audit.store.decide import bare, effective_tier, is_violation
from audit.store.models import DataFlowRow, Decision, Event, FindingRow, Scan, Waiver, Workload
from audit.store.registry import Registry, workload_profile
from audit.store.state import Readers, SourceState, WorkloadState, latest_readers, workload_state


@dataclass
class WorkloadStatus:
    """One row of `audit registry list`."""

    name: str
    owner: str
    domain: str | None
    hipaa_entity: str
    hosting: str | None
    agreements: list[str]
    decision: str | None  # None: never scanned
    regulations: list[str]
    last_scan: str | None
    violation: bool
    hosting_tier: str | None = None  # where it may run once strip values are removed (decide.hosting_tier)
    profile_changed: bool = False  # its declarations (endpoints, agreements, HIPAA role) changed after a source's scan

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


@dataclass
class WorkloadDetail:
    """Everything `audit registry show` prints."""

    status: WorkloadStatus
    description: str
    monthly_tokens: int | None
    endpoints: list[dict]
    data_sources: list[dict]
    data_flows: list[dict] = field(default_factory=list)
    reasons: list[dict] = field(default_factory=list)
    findings_by_type: dict[str, int] = field(default_factory=dict)
    waivers: list[dict] = field(default_factory=list)
    scan_id: int | None = None  # the newest scan among its sources'
    sources: list[dict] = field(default_factory=list)  # what each source last showed, with its age

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {**asdict(self), "status": self.status.as_dict()}


def list_workloads(
    registry: Registry,
    decision: str | None = None,
    regulation: str | None = None,
    owner: str | None = None,
    stale_days: int | None = None,
) -> list[WorkloadStatus]:
    """Registered workloads with their decision over their sources, filtered."""
    with read_session(registry.engine) as session:
        readers = latest_readers(session)
        rows = [_status(session, w, workload_state(session, w.name, readers)) for w in _workloads(session)]
    if decision:
        rows = [r for r in rows if (r.decision or "none") == decision]
    if regulation:
        rows = [r for r in rows if regulation.upper() in (x.upper() for x in r.regulations)]
    if owner:
        rows = [r for r in rows if r.owner == owner]
    if stale_days is not None:
        rows = [r for r in rows if _stale(r.last_scan, stale_days)]
    return rows


def show_workload(registry: Registry, name: str) -> WorkloadDetail:
    """One workload in full: endpoints, decision and reasons over its sources, findings by type, waivers."""
    with read_session(registry.engine) as session:
        w = session.scalars(_workload_query().where(Workload.name == name)).first()
        if w is None:
            known = session.scalars(select(Workload.name)).all()
            raise ConfigError(unknown_workload(name, known) or f"no workload named {name!r} in the registry")
        state = workload_state(session, name)
        detail = WorkloadDetail(
            status=_status(session, w, state), description=w.description, monthly_tokens=w.monthly_tokens,
            endpoints=[{"name": e.name, "provider": e.provider, "model": e.model, "hosting": e.hosting,
                        "region": e.region, "agreements": e.agreements} for e in w.endpoints],
            data_sources=w.spec.get("data_sources", []), data_flows=[declared_flow(f) for f in w.data_flows],
            waivers=[_waiver(v) for v in w.waivers],
        )  # fmt: skip
    if state.sources:
        waived = {bare(r) for r in waived_rules(w)}
        detail.scan_id = state.newest().scan_id
        detail.reasons = [{**r, "waived": bare(r["rule"]) in waived} for r in state.top_rules()]
        detail.findings_by_type = state.entities()
        detail.sources = [_source(s, waived_rules(w)) for s in state.sources]
    return detail


@dataclass
class WorkloadUnion:
    """What `audit report` shows of a workload, all read from the same per-source union as `registry show`:
    its status, every rule (records summed), record counts, identifiers by type with masked examples, and
    records with findings by their own strictest tier."""

    status: WorkloadStatus
    rules: list[dict] = field(default_factory=list)
    records: int | None = None
    records_with_findings: int | None = None
    findings: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (entity type, count, examples)
    record_tiers: dict[Tier, int] = field(default_factory=dict)


def workload_union(
    session: Session, w: Workload, today: date | None = None, readers: Readers | None = None, examples: int = 3
) -> WorkloadUnion:
    """The workload as the union of what its sources last showed (see audit.store.state), for the report."""
    state = workload_state(session, w.name, readers)
    out = WorkloadUnion(_status(session, w, state, today))
    if not state.sources:
        return out
    out.rules = state.top_rules(limit=None)
    out.records, out.records_with_findings = state.records()
    rows = _union_findings(session, w.name, state)
    identifiers = [r for r in rows if r.kind == "identifier"]
    counts = Counter(r.entity_type for r in identifiers)
    for entity_type, n in sorted(counts.items(), key=lambda c: (-c[1], c[0])):
        masked = list(dict.fromkeys(r.masked for r in identifiers if r.entity_type == entity_type))
        out.findings.append((entity_type, n, masked[:examples]))
    off = {bare(r) for r in waived_rules(w, today)}
    tier_of = {bare(r["rule"]): Tier(r["decision"]) for r in out.rules if bare(r["rule"]) not in off}
    records: dict[tuple, Tier] = {}
    for r in rows:
        tiers = [tier_of[x] for x in r.rule_ids or [] if x in tier_of]
        if tiers or r.kind == "identifier":
            key = (r.source, r.record_id, r.line)
            records[key] = strictest((records.get(key, Tier.UNRESTRICTED), *tiers))
    out.record_tiers = dict(Counter(records.values()))
    return out


def _union_findings(session: Session, name: str, state: WorkloadState) -> list[FindingRow]:
    """The workload's findings rows from each source's entry (a legacy whole-scan entry: all of its scan)."""
    whole = {s.scan_id for s in state.sources if s.source.startswith("(scan ")}
    pairs = {(s.scan_id, s.source) for s in state.sources} - {(i, f"(scan {i})") for i in whole}
    scans = {i for i, _ in pairs} | whole
    rows = session.scalars(
        select(FindingRow).where(FindingRow.workload == name, FindingRow.scan_id.in_(scans)).order_by(FindingRow.id)
    ).all()
    return [r for r in rows if r.scan_id in whole or (r.scan_id, r.source) in pairs]


def declared_flow(f: DataFlowRow) -> dict:
    """A stored data flow as plain JSON-ready values."""
    return {"name": f.name, "source": f.source, "categories": list(f.categories), "endpoint": f.endpoint,
            "endpoint_spec": f.endpoint_spec, "redaction": f.redaction}  # fmt: skip


def latest_entity_counts(registry: Registry, names: list[str] | None = None) -> dict[str, dict[str, int]]:
    """workload -> {entity type: findings} summed over what its sources last showed; never-scanned ones left out."""
    with read_session(registry.engine) as session:
        if names is None:
            names = list(session.scalars(select(Workload.name).order_by(Workload.name)))
        readers = latest_readers(session)
        states = {name: workload_state(session, name, readers) for name in names}
    return {name: state.entities() for name, state in states.items() if state.sources}


def history(registry: Registry, name: str) -> list[dict]:
    """Every decision for a workload, newest first, plus its registry events."""
    with read_session(registry.engine) as session:
        rows = session.execute(
            select(Decision, Scan).join(Scan).where(Decision.workload == name).order_by(Scan.started_at.desc())
        ).all()
        scans = [
            {"type": "scan", "at": _stamp(s.started_at), "scan": s.id,
             "status": s.status, "decision": d.tier, "violation": d.violation, "records": d.records,
             "regulations": d.regulations, "policy": s.policy_identity}
            for d, s in rows
        ]  # fmt: skip
        evs = session.scalars(select(Event).where(Event.subject == name).order_by(Event.seq.desc())).all()
        changes = [{"type": e.kind, "at": _stamp(datetime.fromisoformat(e.at)), "event": e.seq} for e in evs]
    if not scans and not changes:
        raise ConfigError(f"no history for {name!r} in the registry")
    return sorted(scans + changes, key=lambda r: r["at"], reverse=True)


def _workload_query():
    return select(Workload).options(
        selectinload(Workload.endpoints), selectinload(Workload.waivers), selectinload(Workload.data_flows)
    )


def _workloads(session: Session) -> list[Workload]:
    return list(session.scalars(_workload_query().order_by(Workload.name)))


def waived_rules(w: Workload, today: date | None = None) -> set[str]:
    """Rule ids waived for the workload on `today`: a waiver holds before its expiry date, not on it."""
    today = today or date.today()
    return {v.rule_id for v in w.waivers if v.rule_id and v.expires > today}


def workload_status(
    session: Session, w: Workload, today: date | None = None, readers: Readers | None = None
) -> WorkloadStatus:
    """The one reading of a workload's state (decision over its sources under the waivers in force, violation,
    hosting) that `registry list`, `registry show` and `audit report` all show."""
    return _status(session, w, workload_state(session, w.name, readers), today)


def _status(session: Session, w: Workload, state: WorkloadState, today: date | None = None) -> WorkloadStatus:
    profile = workload_profile(w)
    waived = waived_rules(w, today)
    tier, hosting = state.tier(waived), state.hosting_tier(waived)
    newest = state.newest()
    return WorkloadStatus(
        name=w.name, owner=w.owner, domain=w.domain, hipaa_entity=w.hipaa_entity, hosting=profile.hosting,
        agreements=sorted(profile.agreements), decision=tier.value if tier else None,
        regulations=state.regulations(), last_scan=_stamp(newest.scanned_at) if newest else None,
        violation=bool(tier and is_violation(profile.hosting, tier)), hosting_tier=hosting.value if hosting else None,
        profile_changed=_profile_changed(session, w.name, state),
    )  # fmt: skip


PROFILE_FIELDS = frozenset({"endpoints", "hipaa_entity", "domain", "data_flows"})
PROFILE_CHANGED = "profile changed since the last scan: rescan"


def _profile_changed(session: Session, name: str, state: WorkloadState) -> bool:
    """True when an import changed what a scan decides with (endpoints, agreements, HIPAA role, domain, flows)
    after the oldest of the scans its state rests on: that decision was made under the old declarations."""
    if not state.sources:
        return False
    oldest = as_utc(min(s.scanned_at for s in state.sources))
    changes = session.scalars(
        select(Event).where(Event.subject == name, Event.kind == "workload.changed").order_by(Event.seq.desc())
    )
    for e in changes:
        at = datetime.fromisoformat(e.at)
        if as_utc(at) <= oldest:
            return False
        if PROFILE_FIELDS & set(json.loads(e.payload).get("fields", [])):
            return True
    return False


def _source(s: SourceState, waived: set[str]) -> dict:
    decision = effective_tier(s.tier, s.rules, waived).value
    return {"source": s.source, "scan": s.scan_id, "last_scanned": _stamp(s.scanned_at), "age": _age(s.scanned_at),
            "decision": decision, "regulations": s.regulations, "records": s.records, "findings": sum(s.entities.values())}  # fmt: skip


def _age(at: datetime) -> str:
    seconds = max(0, int((utcnow() - as_utc(at)).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _waiver(v: Waiver) -> dict:
    return {"id": v.id, "rule": v.rule_id, "fingerprint": v.fingerprint, "owner": v.owner, "reason": v.reason,
            "expires": v.expires.isoformat(), "active": v.expires > date.today()}  # fmt: skip


def _stamp(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stale(last_scan: str | None, days: int) -> bool:
    if last_scan is None:
        return True
    return (utcnow() - datetime.strptime(last_scan, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)).days >= days
