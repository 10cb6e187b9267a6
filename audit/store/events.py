"""The append-only, hash-chained event log.

Each event stores hash = sha256(prev_hash + canonical JSON of {seq, at, kind,
subject, payload}). `verify_chain` walks the log in order and reports the first
broken link: a changed row (hash mismatch), a re-linked row (prev_hash
mismatch) or a deleted one (a gap in seq); then it rechecks each completed
scan's findings rows against the digest in its `scan.completed` event. Deleting the newest events leaves
no gap; compare the reported head with one recorded elsewhere (`--expect-head`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from audit.store.db import utcnow
from audit.store.models import Event, FindingRow

GENESIS = "0" * 64


def canonical(value) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, seq: int, at: str, kind: str, subject: str, payload: str) -> str:
    """The chained hash of one event; `payload` is its canonical JSON text as stored."""
    body = canonical({"seq": seq, "at": at, "kind": kind, "subject": subject, "payload": json.loads(payload)})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(session: Session, kind: str, subject: str, payload: dict) -> Event:
    """Add the next event to the chain, inside the caller's (write) transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE events IN EXCLUSIVE MODE"))
    last = session.scalars(select(Event).order_by(Event.seq.desc()).limit(1)).first()
    seq = last.seq + 1 if last else 1
    prev = last.hash if last else GENESIS
    at = utcnow().isoformat(timespec="microseconds")
    body = canonical(payload)
    event = Event(
        seq=seq, at=at, kind=kind, subject=subject, payload=body, prev_hash=prev,
        hash=event_hash(prev, seq, at, kind, subject, body),
    )  # fmt: skip
    session.add(event)
    session.flush()
    return event


FINDING_KEYS = ("workload", "source", "record_id", "message", "start", "end", "entity_type", "fingerprint", "masked")


def findings_digest(findings: list[dict]) -> str:
    """Order-independent sha256 of a scan's findings, kept in its event so `verify` can recheck the rows."""
    lines = sorted(canonical([f[k] for k in FINDING_KEYS]) for f in findings)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk: events checked, the head, and the first problem (None when intact)."""

    events: int
    head_seq: int
    head_hash: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when every link holds."""
        return self.problem is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole log and report the first broken link."""
    prev, expected, count = GENESIS, 1, 0
    for ev in session.scalars(select(Event).order_by(Event.seq)).yield_per(1000):
        problem = _check(ev, prev, expected)
        if problem:
            return ChainReport(count, expected - 1, prev, problem)
        prev, expected, count = ev.hash, ev.seq + 1, count + 1
    return ChainReport(count, expected - 1, prev, _check_findings(session))


def _check_findings(session: Session) -> str | None:
    """Each completed scan's findings rows against the digest its event recorded."""
    for ev in session.scalars(select(Event).where(Event.kind == "scan.completed").order_by(Event.seq)):
        payload = json.loads(ev.payload)
        rows = session.scalars(select(FindingRow).where(FindingRow.scan_id == payload["scan"])).all()
        found = findings_digest([{k: getattr(r, k) for k in FINDING_KEYS} for r in rows])
        if found != payload.get("findings_sha256", found):
            return f"scan {payload['scan']}: findings rows do not match event {ev.seq} (altered or deleted?)"
    return None


def _check(ev: Event, prev: str, expected: int) -> str | None:
    if ev.seq != expected:
        missing = f"{expected}" if ev.seq == expected + 1 else f"{expected}-{ev.seq - 1}"
        return f"event {missing} missing before event {ev.seq} (deleted?)"
    if ev.prev_hash != prev:
        return f"event {ev.seq}: prev_hash does not match the hash of event {ev.seq - 1}"
    try:
        recomputed = event_hash(prev, ev.seq, ev.at, ev.kind, ev.subject, ev.payload)
    except (TypeError, ValueError):
        return f"event {ev.seq}: payload is not valid JSON (altered?)"
    if recomputed != ev.hash:
        return f"event {ev.seq} ({ev.kind} {ev.subject}): content does not match its hash (altered?)"
    return None
