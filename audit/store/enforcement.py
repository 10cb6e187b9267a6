"""Gateway decisions in the registry: counts per period written under one event, and read back for reports.

`record_gateway_counts` writes one flush (the counts of one period [start, end) of one source) in one
transaction: a `gateway.recorded` event carrying the digest of the rows, then the rows naming that event,
so `audit registry verify` can recheck them (audit.store.coverage). `read_gateway` sums the rows.
Rows hold workload names, tier and target codes, refusal codes, rule ids and counts: never request text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from audit.store import digests, events
from audit.store.db import as_utc, read_session, utcnow
from audit.store.models import GatewayDecision
from audit.store.registry import Registry

EVENT_KIND = "gateway.recorded"


@dataclass(frozen=True)
class GatewayCount:
    """One row to write or one sum read back: requests (rule None) or the requests one rule drove."""

    workload: str | None
    tier: str | None
    target: str | None
    refusal: str | None
    rule: str | None
    count: int


@dataclass
class GatewayRecord:
    """Everything the registry holds about gateway decisions in a window, summed over its periods."""

    counts: list[GatewayCount] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    period_start: datetime | None = None  # the earliest period's start
    period_end: datetime | None = None  # the latest period's end


def record_gateway_counts(
    registry: Registry, source: str, period_start: datetime, period_end: datetime, counts: Iterable[GatewayCount]
) -> int | None:
    """Write one flush in one transaction; returns its event's seq, or None when there was nothing to write."""
    period_start, period_end, recorded_at = _utc(period_start), _utc(period_end), utcnow()
    rows = [
        {"source": source, "workload": c.workload, "tier": c.tier, "target": c.target, "refusal": c.refusal,
         "rule": c.rule, "count": c.count, "period_start": period_start, "period_end": period_end,
         "recorded_at": recorded_at}
        for c in counts if c.count > 0
    ]  # fmt: skip
    if not rows:
        return None
    requests = sum(r["count"] for r in rows if r["rule"] is None)
    payload = {
        "source": source, "period_start": period_start.isoformat(timespec="microseconds"),
        "period_end": period_end.isoformat(timespec="microseconds"), "rows": len(rows), "requests": requests,
        "rows_sha256": digests.gateway_digest(rows),
    }  # fmt: skip
    with registry.writing() as session:
        event = events.append(session, EVENT_KIND, f"gateway {source}", payload)
        session.execute(insert(GatewayDecision), [{**r, "event_seq": event.seq} for r in rows])
        return event.seq


def read_gateway(registry: Registry, since: datetime | None = None, until: datetime | None = None) -> GatewayRecord:
    """Counts summed per (workload, tier, target, refusal, rule) over the periods that overlap [since, until)."""
    where = []
    if since is not None:
        where.append(GatewayDecision.period_end > _utc(since))
    if until is not None:
        where.append(GatewayDecision.period_start < _utc(until))
    g = GatewayDecision
    keys = (g.workload, g.tier, g.target, g.refusal, g.rule)
    with read_session(registry.engine) as session:
        sums = session.execute(select(*keys, func.sum(g.count)).where(*where).group_by(*keys)).all()
        start, end = session.execute(select(func.min(g.period_start), func.max(g.period_end)).where(*where)).one()
        sources = list(session.scalars(select(g.source).where(*where).distinct().order_by(g.source)))
    counts = [GatewayCount(w, t, tg, r, rule, int(n)) for w, t, tg, r, rule, n in sums]
    counts.sort(key=lambda c: (c.workload or "", c.tier or "", c.target or "", c.refusal or "", c.rule or ""))
    return GatewayRecord(counts, sources, as_utc(start), as_utc(end))


def _utc(value: datetime) -> datetime:
    """The same instant in UTC (SQLite stores the wall-clock fields only, so every stamp must be UTC)."""
    return as_utc(value).astimezone(UTC)
