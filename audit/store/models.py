"""The registry's tables, as typed SQLAlchemy 2.0 ORM classes.

Nothing here holds a raw matched value: findings keep the masked preview and
the keyed fingerprint only. Timestamps are UTC. The latest migration in
`migrations/versions/` must create exactly these tables (a test compares them).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints the same everywhere."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON, list: JSON, datetime: DateTime(timezone=True)}


class Workload(Base):
    """A workload declared in a manifest. `spec` is its whole normalised manifest entry."""

    __tablename__ = "workloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    owner: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    domain: Mapped[str | None] = mapped_column(String(100))
    hipaa_entity: Mapped[str] = mapped_column(String(32), default="none")
    monthly_tokens: Mapped[int | None] = mapped_column(BigInteger)
    spec: Mapped[dict]
    spec_hash: Mapped[str] = mapped_column(String(64))
    manifest_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    endpoints: Mapped[list[Endpoint]] = relationship(
        back_populates="workload", cascade="all, delete-orphan", order_by="Endpoint.name"
    )
    waivers: Mapped[list[Waiver]] = relationship(back_populates="workload", cascade="all, delete-orphan")
    data_flows: Mapped[list[DataFlowRow]] = relationship(
        back_populates="workload", cascade="all, delete-orphan", order_by="DataFlowRow.position"
    )


class Endpoint(Base):
    """A model endpoint a workload sends prompts to, with where it answers and its prices (added in 0004)."""

    __tablename__ = "endpoints"
    __table_args__ = (UniqueConstraint("workload_id", "name", name="workload_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workload_id: Mapped[int] = mapped_column(ForeignKey("workloads.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    provider: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(200))
    hosting: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(100))
    agreements: Mapped[list]
    api_base: Mapped[str | None] = mapped_column(Text)  # where a self-hosted server (or a proxy) answers
    input_per_million: Mapped[float | None] = mapped_column(Float)  # None: pricing.yaml defaults
    output_per_million: Mapped[float | None] = mapped_column(Float)

    workload: Mapped[Workload] = relationship(back_populates="endpoints")


class DataFlowRow(Base):
    """A data flow a workload declares: source, fideslang categories, endpoint, redaction.

    `endpoint` is the name the flow gives (None: the workload's only endpoint, or its implied one).
    `endpoint_spec` holds the endpoint itself when it is not one of the workload's own (a shared
    top-level endpoint of the manifest, or an inline one), as it stood at import time.
    """

    __tablename__ = "data_flows"
    __table_args__ = (UniqueConstraint("workload_id", "position", name="workload_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workload_id: Mapped[int] = mapped_column(ForeignKey("workloads.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    categories: Mapped[list]
    endpoint: Mapped[str | None] = mapped_column(String(100))
    endpoint_spec: Mapped[dict | None]
    redaction: Mapped[bool] = mapped_column(Boolean, default=False)

    workload: Mapped[Workload] = relationship(back_populates="data_flows")


class Scan(Base):
    """One `audit scan` run. Status goes running -> completed | failed; rows of a failed scan are never written."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    tool_version: Mapped[str] = mapped_column(String(50))
    git_commit: Mapped[str | None] = mapped_column(String(40))
    policy_identity: Mapped[str] = mapped_column(Text)
    workload: Mapped[str | None] = mapped_column(String(100))  # the --workload option, if any
    inputs: Mapped[list]  # [{"path", "sha256", "size"}]
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    records_read: Mapped[int] = mapped_column(Integer, default=0)
    records_skipped: Mapped[int] = mapped_column(Integer, default=0)
    records_with_findings: Mapped[int] = mapped_column(Integer, default=0)
    findings_count: Mapped[int] = mapped_column(Integer, default=0)
    by_entity: Mapped[dict]
    by_decision: Mapped[dict]
    error: Mapped[str | None] = mapped_column(Text)

    findings: Mapped[list[FindingRow]] = relationship(back_populates="scan", cascade="all, delete-orphan")
    decisions: Mapped[list[Decision]] = relationship(back_populates="scan", cascade="all, delete-orphan")


class FindingRow(Base):
    """One masked finding of a scan: preview and fingerprint, never the value."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_workload_scan", "workload", "scan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    workload: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)
    record_id: Mapped[str] = mapped_column(String(200))
    line: Mapped[int] = mapped_column(Integer)
    message: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(32))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    entity_type: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    recognizer: Mapped[str] = mapped_column(String(100))
    masked: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    rule_ids: Mapped[list]

    scan: Mapped[Scan] = relationship(back_populates="findings")


class Decision(Base):
    """A workload's decision for one scan, with the rules behind it (`rules`: every rule, counted)."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("scan_id", "workload", name="scan_workload"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    workload: Mapped[str] = mapped_column(String(100), index=True)
    tier: Mapped[str] = mapped_column(String(32))
    raw_tier: Mapped[str] = mapped_column(String(32))
    regulations: Mapped[list]
    records: Mapped[int] = mapped_column(Integer)
    records_with_findings: Mapped[int] = mapped_column(Integer)
    hosting: Mapped[str | None] = mapped_column(String(32))
    violation: Mapped[bool] = mapped_column(Boolean, default=False)
    rationale: Mapped[dict]  # {"top": [...], "rules": [...], "waived": {...}}

    scan: Mapped[Scan] = relationship(back_populates="decisions")


class Waiver(Base):
    """An accepted exception for one workload: a rule or a finding fingerprint, until it expires."""

    __tablename__ = "waivers"
    __table_args__ = (CheckConstraint("(rule_id IS NULL) <> (fingerprint IS NULL)", name="rule_xor_fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workload_id: Mapped[int] = mapped_column(ForeignKey("workloads.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str | None] = mapped_column(String(200))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    expires: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]

    workload: Mapped[Workload] = relationship(back_populates="waivers")


class Event(Base):
    """One entry of the append-only log. `hash` = HMAC-SHA256(chain key, prev_hash + canonical JSON); see events."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON text, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class GatewayDecision(Base):
    """Counts of what a gateway decided for one period [period_start, period_end): never text, never values.

    One row per (workload, tier, target, refusal) with `rule` NULL carries the request count; one more row per
    rule that drove those requests carries how many of them it drove, so totals never double-count. A refused
    request has a `refusal` code, plus a tier and target when it was decided first (e.g. blocked).
    `event_seq` is the gateway.recorded event that wrote it.
    """

    __tablename__ = "gateway_decisions"
    __table_args__ = (Index("ix_gateway_decisions_workload_period", "workload", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    workload: Mapped[str | None] = mapped_column(String(100))  # as the request named it (untrusted, bounded)
    tier: Mapped[str | None] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(32))
    refusal: Mapped[str | None] = mapped_column(String(32))
    rule: Mapped[str | None] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(BigInteger)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    recorded_at: Mapped[datetime]
