"""Rows against the events that wrote them: what `verify` checks after the chain itself.

Replaying the (verified) log gives a `Ledger`: the latest event of every
workload, scan and waiver, and every flush of gateway decision counts. Every
row that a decision or a report is built from must match its latest event:
workloads with their endpoints and data flows, waivers, scans (status
included), findings, decisions and gateway decision counts. A row no event
wrote, or an event whose row is gone, is a problem too. Messages name the
table, the row id and the event, never a stored value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audit.store import digests
from audit.store.models import Decision, Event, FindingRow, GatewayDecision, Scan, Waiver, Workload

SCAN_STATUS = {"scan.started": "running", "scan.completed": "completed", "scan.failed": "failed"}
GATEWAY_RECORDED = "gateway.recorded"  # audit.store.enforcement writes it


@dataclass(frozen=True)
class Seen:
    """The latest event about one row: its seq, kind, subject and payload."""

    seq: int
    kind: str
    subject: str
    payload: dict


@dataclass
class Ledger:
    """What the events say the tables hold, built event by event in chain order."""

    workloads: dict[str, Seen] = field(default_factory=dict)
    scans: dict[int, Seen] = field(default_factory=dict)
    waivers: dict[int, Seen] = field(default_factory=dict)
    gateway: dict[int, Seen] = field(default_factory=dict)  # by event seq: each flush's rows name their event

    def add(self, ev: Event) -> None:
        """Account for one event."""
        seen = Seen(ev.seq, ev.kind, ev.subject, json.loads(ev.payload))
        if ev.kind in SCAN_STATUS:
            self.scans[seen.payload["scan"]] = seen
        elif ev.kind in ("workload.added", "workload.changed"):
            self.workloads[ev.subject] = seen
        elif ev.kind == "workload.removed":
            self.workloads.pop(ev.subject, None)
            self.waivers = {i: w for i, w in self.waivers.items() if w.subject != ev.subject}  # cascaded
        elif ev.kind == "waiver.added":
            self.waivers[seen.payload["id"]] = seen
        elif ev.kind == GATEWAY_RECORDED:
            self.gateway[ev.seq] = seen


def check_rows(session: Session, ledger: Ledger) -> str | None:
    """The first row that does not match the ledger, as one line; None when all match."""
    for check in (_workloads, _waivers, _scans, _findings, _decisions, _gateway):
        problem = check(session, ledger)
        if problem:
            return problem
    return None


def _workloads(session: Session, ledger: Ledger) -> str | None:
    query = select(Workload).options(selectinload(Workload.endpoints), selectinload(Workload.data_flows))
    rows = session.scalars(query.order_by(Workload.id)).all()
    for row in rows:
        seen = ledger.workloads.get(row.name)
        if seen is None:
            return f"workloads row {row.id}: no event added it (inserted or renamed?)"
        recorded, version = seen.payload.get("state_sha256"), seen.payload.get("digest_version", 1)
        # Events from before migration 0004 did not hash the endpoints' api_base and prices: those must
        # then be what the workload's spec (which the event does hash) declares.
        legacy_mismatch = version < 2 and not digests.endpoints_match_spec(row)
        if (recorded is not None and digests.workload_digest(row, version) != recorded) or legacy_mismatch:
            return f"workloads row {row.id} (with its endpoints and data_flows): does not match event {seen.seq} (altered?)"
    return _first_missing(
        {r.name for r in rows}, ledger.workloads,
        lambda _name, seen: f"workloads: the row added by event {seen.seq} is missing (deleted or renamed?)",
    )  # fmt: skip


def _waivers(session: Session, ledger: Ledger) -> str | None:
    rows = session.execute(select(Waiver, Workload.name).outerjoin(Workload).order_by(Waiver.id)).all()
    for row, name in rows:
        seen = ledger.waivers.get(row.id)
        if seen is None:
            return f"waivers row {row.id}: no waiver.added event (inserted?)"
        p = seen.payload
        recorded = [seen.subject, p["rule"], p["fingerprint"], p["owner"], p["reason"], p["expires"]]
        if [name, *digests.values(row, digests.WAIVER_KEYS)] != recorded:
            return f"waivers row {row.id}: does not match event {seen.seq} (altered?)"
    return _first_missing(
        {row.id for row, _ in rows}, ledger.waivers,
        lambda waiver_id, seen: f"waivers row {waiver_id}: missing, added by event {seen.seq} (deleted?)",
    )  # fmt: skip


def _scans(session: Session, ledger: Ledger) -> str | None:
    rows = session.scalars(select(Scan).order_by(Scan.id)).all()
    for row in rows:
        seen = ledger.scans.get(row.id)
        if seen is None:
            return f"scans row {row.id}: no scan event (inserted?)"
        if row.status != SCAN_STATUS[seen.kind]:
            return f"scans row {row.id}: status does not match event {seen.seq} ({seen.kind}) (altered?)"
        recorded = seen.payload.get("scan_sha256")
        if recorded is not None and digests.scan_digest(row) != recorded:
            return f"scans row {row.id}: does not match event {seen.seq} ({seen.kind}) (altered?)"
    return _first_missing(
        {r.id for r in rows}, ledger.scans,
        lambda scan_id, seen: f"scans row {scan_id}: missing, recorded by event {seen.seq} (deleted?)",
    )  # fmt: skip


def _first_missing(present: set, recorded: dict, message) -> str | None:
    """The message for the first row the ledger recorded that the table no longer holds."""
    return next((message(key, seen) for key, seen in recorded.items() if key not in present), None)


def _completed(ledger: Ledger) -> dict[int, Seen]:
    return {i: s for i, s in ledger.scans.items() if s.kind == "scan.completed"}


def _findings(session: Session, ledger: Ledger) -> str | None:
    completed = _completed(ledger)
    for scan_id, seen in completed.items():
        keys = digests.FINDING_KEYS if seen.payload.get("digest_version") else digests.FINDING_KEYS_V1
        rows = session.scalars(select(FindingRow).where(FindingRow.scan_id == scan_id)).all()
        if digests.findings_digest(rows, keys) != seen.payload["findings_sha256"]:
            return f"findings rows of scan {scan_id}: do not match event {seen.seq} (altered, inserted or deleted?)"
    return _strays(session, FindingRow, "findings", completed)


def _decisions(session: Session, ledger: Ledger) -> str | None:
    completed = _completed(ledger)
    for scan_id, seen in completed.items():
        rows = session.scalars(select(Decision).where(Decision.scan_id == scan_id)).all()
        recorded = seen.payload.get("decisions_sha256")
        if recorded is not None:
            same = digests.decisions_digest(rows) == recorded
        else:  # legacy events kept only each workload's tier and violation flag
            same = {d.workload: {"tier": d.tier, "violation": d.violation} for d in rows} == seen.payload["decisions"]
        if not same:
            return f"decisions rows of scan {scan_id}: do not match event {seen.seq} (altered, inserted or deleted?)"
    return _strays(session, Decision, "decisions", completed)


def _strays(session: Session, model, table: str, completed: dict[int, Seen]) -> str | None:
    """Rows of a scan that never completed: no event vouches for them."""
    for scan_id in session.scalars(select(model.scan_id).distinct().order_by(model.scan_id)):
        if scan_id not in completed:
            return f"{table} rows of scan {scan_id}: no scan.completed event (inserted?)"
    return None


def _gateway(session: Session, ledger: Ledger) -> str | None:
    """Each flush's rows against its event's digest, in one pass; rows naming no gateway.recorded event are strays."""
    rows = session.scalars(select(GatewayDecision).order_by(GatewayDecision.event_seq)).yield_per(1000)
    found = set()
    for seq, group in groupby(rows, key=lambda r: r.event_seq):
        found.add(seq)
        seen = ledger.gateway.get(seq)
        if seen is None:
            return f"gateway_decisions rows naming event {seq}: no such gateway.recorded event (inserted?)"
        if digests.gateway_digest(list(group)) != seen.payload["rows_sha256"]:
            return f"gateway_decisions rows of event {seq}: do not match it (altered, inserted or deleted?)"
    return _first_missing(
        found, ledger.gateway,
        lambda seq, _seen: f"gateway_decisions rows of event {seq}: missing (deleted?)",
    )  # fmt: skip
