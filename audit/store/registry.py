"""The registry's library API: open, import a manifest, waive, verify, record scans.

The CLI (`audit registry ...`, `audit db ...`) and `audit scan` call these; the
read side (list/show/history) lives in `audit.store.views`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from audit.errors import ConfigError, StoreError
from audit.manifest import DeclaredEndpoint, profile_for, unknown_workload
from audit.manifest import Workload as WorkloadSpec
from audit.model import WorkloadProfile
from audit.store import anchor, digests, events
from audit.store.db import first_line, make_engine, read_session, redact_url, utcnow, write_session
from audit.store.decide import bare
from audit.store.manifest import check_categories, load_manifest
from audit.store.migrate import ensure_schema
from audit.store.models import DataFlowRow, Endpoint, Event, Scan, Waiver, Workload


@dataclass
class ImportReport:
    """What an import changed: workload names by outcome, and the fields that changed."""

    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # in the registry, not in the manifest
    removed: list[str] = field(default_factory=list)  # absent and pruned


class Registry:
    """A handle on one registry database (schema checked and migrated on open)."""

    def __init__(self, engine: Engine, url: str, home: Path | None = None) -> None:
        self.engine = engine
        self.url = url
        self.home = home

    @classmethod
    def open(cls, url: str, create: bool = True, home: Path | None = None) -> Registry:
        """Open (creating a missing SQLite file when `create`) and bring the schema to head.

        `home` holds the fingerprint secret the event chain is keyed with (default: $AUDIT_HOME).
        """
        engine = make_engine(url, create=create)
        try:
            ensure_schema(engine, url)
        except SQLAlchemyError as exc:  # e.g. a full disk while SQLite sets up its write-ahead log
            engine.dispose()
            raise StoreError(f"{redact_url(url)}: cannot open the registry: {first_line(exc)}") from None
        return cls(engine, url, home)

    @cached_property
    def _home(self) -> Path:
        from audit.settings import audit_home

        return self.home or audit_home()

    @cached_property
    def _secret(self) -> bytes:
        from audit.fingerprint import load_secret

        return load_secret(self._home)

    @cached_property
    def chain_key(self) -> bytes:
        """The event chain's HMAC key, derived from the fingerprint secret (AUDIT_SECRET, or the install's)."""
        return events.chain_key(self._secret)

    @property
    def head_file(self) -> Path:
        """Where this registry's head is kept outside the database (`audit.store.anchor`)."""
        return anchor.head_path(self._home, self.url)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write session that can append events (it carries the chain key); commits on success, then records
        the new head in the head file."""
        with write_session(self.engine, info={events.KEY_INFO: self.chain_key}) as session:
            yield session
        appended = session.info.get(events.HEAD_INFO)
        if appended:
            problem = self._record_head(anchor.Head(*appended))
            if problem:
                print(f"audit: warning: {problem}", file=sys.stderr)

    def _record_head(self, head: anchor.Head) -> str | None:
        """Advance the head file to `head` (see `anchor.advance`); a problem writing it, as one line, or None."""
        try:
            anchor.advance(self.head_file, anchor.anchor_key(self._secret), self.url, head, self._hash_at)
        except OSError as exc:
            return f"{self.head_file}: cannot record the registry head: {exc.strerror or exc}"
        return None

    def _hash_at(self, seq: int) -> str | None:
        with read_session(self.engine) as session:
            event = session.get(Event, seq)
            return event.hash if event is not None else None

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def import_manifest(self, path: str | Path, root: str | Path | None = None, prune: bool = False) -> ImportReport:
        """Upsert every workload of a manifest (idempotent) and report what changed."""
        manifest = load_manifest(path, root)
        check_categories(manifest, str(path))  # an unknown category is a manifest error, not a silent pass
        report = ImportReport()
        with self.writing() as session:
            query = select(Workload).options(selectinload(Workload.endpoints), selectinload(Workload.data_flows))
            existing = {w.name: w for w in session.scalars(query)}
            for spec in manifest.workloads:
                row = _upsert(session, existing.get(spec.name), spec, str(path), report)
                _sync_flows(session, row, flow_rows(spec, manifest.endpoints), report)
                _log_workload(session, row, str(path), report)
            report.absent = sorted(set(existing) - {w.name for w in manifest.workloads})
            if prune:
                for name in report.absent:
                    session.delete(existing[name])
                    events.append(session, "workload.removed", name, {"manifest": str(path)})
                report.removed, report.absent = report.absent, []
        return report

    def profiles(self) -> dict[str, WorkloadProfile]:
        """The policy engine's view of every registered workload."""
        with read_session(self.engine) as session:
            return load_workload_profiles(session)

    def waive(
        self,
        workload: str,
        owner: str,
        reason: str,
        expires: date,
        rule: str | None = None,
        fingerprint: str | None = None,
    ) -> Waiver:
        """Record a waiver of a rule or a fingerprint for a workload until `expires`."""
        if (rule is None) == (fingerprint is None):
            raise ConfigError("waive exactly one of --rule or --fingerprint")
        if expires <= date.today():
            raise ConfigError(f"--expires {expires} is not in the future")
        if not owner.strip() or not reason.strip():
            raise ConfigError("a waiver needs an --owner and a --reason")
        with self.writing() as session:
            target = _workload(session, workload)
            _refuse_duplicate(session, target, rule, fingerprint)
            waiver = Waiver(
                workload=target, rule_id=rule, fingerprint=fingerprint, owner=owner, reason=reason,
                expires=expires, created_at=utcnow(),
            )  # fmt: skip
            session.add(waiver)
            session.flush()
            payload = {"id": waiver.id, "rule": rule, "fingerprint": fingerprint, "owner": owner,
                       "reason": reason, "expires": expires.isoformat()}  # fmt: skip
            events.append(session, "waiver.added", workload, payload)
        return waiver

    def verify(self, anchors: tuple[str, ...] = (), allow_legacy: bool = False) -> events.ChainReport:
        """Walk the keyed event chain, recheck the head file, the anchors and the rows the chain covers; report the
        first problem (a wholly unkeyed log is one, unless an anchor vouches for it or `allow_legacy`).

        When all holds, the head file advances to the verified head; a registry with events and no head file
        (written before heads were kept, or from another install) is a note, and gets one from now on."""
        for value in anchors:
            events.parse_anchor(value)
        key, path = self.chain_key, self.head_file
        label, untrusted = f"head file {path}", None
        try:
            recorded = anchor.read_head(path, anchor.anchor_key(self._secret), self.url)
        except anchor.HeadFileError as exc:
            recorded, untrusted = None, f"{label}: {exc}"
        with read_session(self.engine) as session:
            report = events.verify_chain(
                session, key, anchors, allow_legacy, (label, recorded.seq, recorded.hash) if recorded else None
            )
        if report.ok and untrusted:  # the chain's own problems first: another secret fails at event 1
            return dataclasses.replace(report, problem=untrusted)
        if not report.ok or not report.events:
            return report
        notes = []
        if recorded is None:
            notes.append(
                f"no head file for this registry ({path}): it was last written before heads were kept, or by "
                "another install, so a truncation before now cannot be told; its head is kept from now on"
            )
        problem = self._record_head(anchor.Head(report.head_seq, report.head_hash))
        if problem:
            notes.append(problem)
        return dataclasses.replace(report, notes=tuple(notes))

    def reap_stale_scans(self) -> list[int]:
        """Mark as failed the running scans of this host whose process is gone; returns their ids."""
        host = socket.gethostname()
        with self.writing() as session:
            running = session.scalars(select(Scan).where(Scan.status == "running", Scan.host == host)).all()
            dead = [s for s in running if not _alive(s.pid)]
            for scan in dead:
                mark_failed(session, scan, "the scanning process ended before the scan finished")
        return [s.id for s in dead]


def load_workload_profiles(session: Session) -> dict[str, WorkloadProfile]:
    """Every registered workload's WorkloadProfile, built from its endpoints."""
    rows = session.scalars(select(Workload).options(selectinload(Workload.endpoints))).all()
    return {w.name: workload_profile(w) for w in rows}


def workload_profile(w: Workload) -> WorkloadProfile:
    """The profile of one stored workload (see manifest.profile_for for the agreement rule)."""
    return profile_for(w.name, w.hipaa_entity, w.domain, [(e.hosting, e.agreements) for e in w.endpoints])


def mark_failed(session: Session, scan: Scan, reason: str) -> None:
    """Set a scan's status to failed (its findings were never written) and log it."""
    scan.status, scan.finished_at, scan.error = "failed", utcnow(), reason
    payload = {"scan": scan.id, "error": reason, "scan_sha256": digests.scan_digest(scan)}
    events.append(session, "scan.failed", f"scan {scan.id}", payload)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _refuse_duplicate(session: Session, target: Workload, rule: str | None, fingerprint: str | None) -> None:
    """ConfigError when a waiver in force already covers the same rule (with or without its pack) or fingerprint."""
    for v in session.scalars(select(Waiver).where(Waiver.workload_id == target.id, Waiver.expires > date.today())):
        same = (rule and v.rule_id and bare(v.rule_id) == bare(rule)) or (fingerprint and v.fingerprint == fingerprint)
        if same:
            what = f"rule {v.rule_id}" if v.rule_id else f"fingerprint {v.fingerprint}"
            raise ConfigError(
                f"waiver {v.id} already covers {what} for {target.name} until {v.expires}: one waiver per rule"
            )


def _workload(session: Session, name: str) -> Workload:
    found = session.scalars(select(Workload).where(Workload.name == name)).first()
    if found is None:
        problem = unknown_workload(name, session.scalars(select(Workload.name)).all())
        raise ConfigError(problem or f"no workload named {name!r} in the registry (import a manifest first)")
    return found


def spec_hash(spec: dict) -> str:
    """Content hash of a normalised workload spec, to tell changed from unchanged."""
    return hashlib.sha256(events.canonical(spec).encode()).hexdigest()


def _upsert(session: Session, row: Workload | None, spec: WorkloadSpec, path: str, report: ImportReport) -> Workload:
    data = spec.model_dump(mode="json")
    digest = spec_hash(data)
    if row is not None and row.spec_hash == digest:  # the spec holds every endpoint field, api_base and prices too
        report.unchanged.append(spec.name)
        return row
    now = utcnow()
    if row is None:
        row = Workload(name=spec.name, created_at=now)
        session.add(row)
        report.added.append(spec.name)
    else:
        report.changed[spec.name] = sorted(k for k in data if data[k] != row.spec.get(k))
    row.owner, row.description, row.domain = spec.owner, spec.description, spec.domain
    row.hipaa_entity, row.monthly_tokens = str(spec.hipaa_entity), spec.monthly_tokens
    row.spec, row.spec_hash, row.manifest_path, row.updated_at = data, digest, path, now
    row.endpoints.clear()
    session.flush()  # old endpoints go before new ones with the same names arrive
    row.endpoints = [
        Endpoint(name=e.name, provider=e.provider, model=e.model, hosting=str(e.hosting), region=e.region,
                 agreements=sorted(map(str, e.agreements)), api_base=e.api_base,
                 input_per_million=e.input_per_million, output_per_million=e.output_per_million)
        for e in spec.endpoints
    ]  # fmt: skip
    session.flush()
    return row


def flow_rows(spec: WorkloadSpec, shared: tuple[DeclaredEndpoint, ...]) -> list[dict]:
    """The data_flows rows of a workload: each flow with the endpoint it names resolved when not the workload's own."""
    own = {e.name for e in spec.endpoints}
    by_name = {e.name: e.model_dump(mode="json") for e in shared}
    rows = []
    for position, flow in enumerate(spec.data_flows):
        inline = flow.inline_endpoint()
        name = inline["name"] if inline else flow.endpoint
        resolved = inline if inline else (None if name is None or name in own else by_name.get(name))
        rows.append({"position": position, "name": flow.name, "source": flow.source,
                     "categories": list(flow.categories), "endpoint": name, "endpoint_spec": resolved,
                     "redaction": flow.redaction})  # fmt: skip
    return rows


def _sync_flows(session: Session, row: Workload, wanted: list[dict], report: ImportReport) -> None:
    """Replace the stored flows when they differ (also when only a shared endpoint they name changed)."""
    if [_flow_dict(f) for f in row.data_flows] == wanted:
        return
    row.data_flows.clear()
    session.flush()
    row.data_flows = [DataFlowRow(**f) for f in wanted]
    session.flush()
    if row.name in report.added or "data_flows" in report.changed.get(row.name, []):
        return
    if row.name in report.unchanged:
        report.unchanged.remove(row.name)
    report.changed.setdefault(row.name, []).append("data_flows")


def _log_workload(session: Session, row: Workload, path: str, report: ImportReport) -> None:
    """One event per added or changed workload, with the digest of its rows as they now stand."""
    if row.name in report.added:
        kind, fields = "workload.added", sorted(row.spec)
    elif row.name in report.changed:
        kind, fields = "workload.changed", report.changed[row.name]
    else:
        return
    payload = {"spec_sha256": row.spec_hash, "fields": fields, "manifest": path,
               "digest_version": digests.WORKLOAD_DIGEST_VERSION, "state_sha256": digests.workload_digest(row)}  # fmt: skip
    events.append(session, kind, row.name, payload)


def _flow_dict(f: DataFlowRow) -> dict:
    return {"position": f.position, "name": f.name, "source": f.source, "categories": list(f.categories),
            "endpoint": f.endpoint, "endpoint_spec": f.endpoint_spec, "redaction": f.redaction}  # fmt: skip
