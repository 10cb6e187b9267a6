"""`ScanRecorder`: the registry's observer for `api.scan_to`.

`start()` writes a scan row with status running. `add()` counts each record
into per-workload and per-source tallies (the decision needs only those) and
spools its masked findings, a batch at a time, to a `FindingSpool`: a private
temporary SQLite file on local disk, never the registry. `finish()` then
copies the spooled findings into the registry in chunks, with the decisions,
the scan's counts and its event, in ONE transaction. So memory stays flat
however many findings a scan has, and a scan that fails or is killed still
leaves no partial rows: its row stays running until `fail()` (or, after a
kill, the next registry use on this host) marks it failed.

Why not write findings into the registry as the scan goes: on SQLite a write
transaction holds the database's write lock from its start (BEGIN IMMEDIATE),
so one transaction around a long scan would stall every other writer (the
gateway's counts, other scans) past the busy timeout; and findings committed
before the scan completes are rows no scan.completed event vouches for, which
`registry verify` reports as inserted (and a killed scan would leave them).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

from audit import __version__
from audit.errors import StoreError
from audit.model import RecordResult, WorkloadProfile
from audit.store import digests, events
from audit.store.db import read_session, utcnow
from audit.store.decide import ActiveWaivers, SourceTally, WorkloadTally, bare, is_violation, rule_id
from audit.store.models import Decision, FindingRow, Scan, Waiver, Workload
from audit.store.registry import Registry, load_workload_profiles, mark_failed

SPOOL_BATCH = 5_000  # findings held in memory before they go to the spool (a few MB)
COPY_CHUNK = 2_000  # findings per INSERT when the spool is copied into the registry


class FindingSpool:
    """One scan's findings rows on their way to the registry, in a private temporary SQLite database.

    SQLite opens a database named "" as an on-disk temporary file that is unlinked
    at once and gone when the connection closes (or the process dies), so nothing
    is left behind. Each row is kept as the canonical JSON line of its values in
    `digests.FINDING_KEYS` order: the line the scan's findings digest hashes, from
    which the row is rebuilt when copied. Rows hold masked previews and keyed
    fingerprints only, as the registry does.
    """

    def __init__(self, batch: int = SPOOL_BATCH) -> None:
        self.batch = batch
        self.pending: list[str] = []
        self.count = 0
        self.db = sqlite3.connect("")
        self.db.execute("CREATE TABLE spool (seq INTEGER PRIMARY KEY, line TEXT NOT NULL)")

    def add(self, row: dict) -> None:
        """Queue one findings row (its keys: digests.FINDING_KEYS); a full batch goes to disk."""
        self.pending.append(events.canonical(digests.values(row, digests.FINDING_KEYS)))
        self.count += 1
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the queued rows to the spool."""
        if self.pending:
            with _spool_errors(), self.db:
                self.db.executemany("INSERT INTO spool (line) VALUES (?)", ((line,) for line in self.pending))
            self.pending = []

    def digest(self) -> str:
        """`digests.findings_digest` of every row, computed with the spool sorting the lines (on disk if large)."""
        self.flush()
        sha, sep = hashlib.sha256(), b""
        with _spool_errors():
            for (line,) in self.db.execute("SELECT line FROM spool ORDER BY line"):  # BINARY: code point order
                sha.update(sep + line.encode("utf-8"))
                sep = b"\n"
        return sha.hexdigest()

    def chunks(self, size: int | None = None) -> Iterator[list[dict]]:
        """The rows in the order they were added, `size` (default COPY_CHUNK) at a time."""
        size = size or COPY_CHUNK
        self.flush()
        with _spool_errors():
            cursor = self.db.execute("SELECT line FROM spool ORDER BY seq")
            while rows := cursor.fetchmany(size):
                yield [dict(zip(digests.FINDING_KEYS, json.loads(line), strict=True)) for (line,) in rows]

    def close(self) -> None:
        """Drop the spool (SQLite deletes its file)."""
        self.db.close()


@contextmanager
def _spool_errors() -> Iterator[None]:
    """A failing spool (a full temporary directory, say) as a StoreError naming the cause, not the rows."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot spool the scan's findings to a temporary file ({type(exc).__name__}: {exc})"
        ) from None


class ScanRecorder:
    """Collects one scan's results and records them atomically at the end (findings spooled on the way)."""

    def __init__(
        self,
        registry: Registry,
        policy_identity: str = "none",
        workload: str | None = None,
        profiles: dict[str, WorkloadProfile] | None = None,
        spool_batch: int | None = None,
    ) -> None:
        self.registry = registry
        self.policy_identity = policy_identity
        self.workload = workload
        self.profiles = profiles
        self.scan_id: int | None = None
        self.tallies: dict[str, WorkloadTally] = {}
        self.by_source: dict[tuple[str, str], SourceTally] = {}  # (workload, source): see audit.store.state
        self.spool = FindingSpool(spool_batch or SPOOL_BATCH)
        self.waivers: dict[str, ActiveWaivers] = {}

    def __enter__(self) -> ScanRecorder:
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None and self.scan_id is not None:
                self.fail(f"{exc_type.__name__} during the scan")
        finally:
            self.spool.close()

    def start(self) -> int:
        """Reap dead scans, write this scan's running row, and load profiles and waivers."""
        self.registry.reap_stale_scans()
        with self.registry.writing() as session:
            if self.profiles is None:
                self.profiles = load_workload_profiles(session)
            self.waivers = _active_waivers(session)
            scan = Scan(
                status="running", started_at=utcnow(), tool_version=__version__, git_commit=tool_commit(),
                policy_identity=self.policy_identity, workload=self.workload, inputs=[],
                host=socket.gethostname(), pid=os.getpid(), by_entity={}, by_decision={},
                records_read=0, records_skipped=0, records_with_findings=0, findings_count=0,
            )  # fmt: skip
            session.add(scan)
            session.flush()
            self.scan_id = scan.id
            payload = {"scan": scan.id, "pid": scan.pid, "scan_sha256": digests.scan_digest(scan)}
            events.append(session, "scan.started", f"scan {scan.id}", payload)
        return self.scan_id

    def add(self, result: RecordResult) -> None:
        """Count one record and spool its masked findings (never values)."""
        name = result.workload
        if name:
            waivers = self.waivers.get(name, ActiveWaivers())
            self.tallies.setdefault(name, WorkloadTally()).add(result, waivers)
            self.by_source.setdefault((name, result.source), SourceTally()).add(result, waivers)
        for i, f in enumerate(result.findings):
            rules = [rule_id(h) for h in result.evaluation.rules if i in h.findings]
            self.spool.add(
                {"workload": name, "source": result.source, "record_id": result.record_id, "line": result.line,
                 "message": f.message, "role": f.role, "start": f.start, "end": f.end, "entity_type": f.entity_type,
                 "kind": f.kind, "score": f.score, "recognizer": f.recognizer, "masked": f.masked,
                 "fingerprint": f.fingerprint, "rule_ids": rules}
            )  # fmt: skip

    def finish(self, summary) -> list[Decision]:
        """Write everything for the scan in one transaction; returns the decisions."""
        inputs = input_hashes(self._read(summary.sources))
        findings_sha256 = self.spool.digest()  # before the transaction: the registry's write lock is not held for it
        with self.registry.writing() as session:
            scan = session.get(Scan, self.scan_id)
            for chunk in self.spool.chunks():
                session.execute(insert(FindingRow), [{**f, "scan_id": scan.id} for f in chunk])
            decisions = [self._decision(scan.id, name, t) for name, t in sorted(self.tallies.items())]
            session.add_all(decisions)
            scan.status, scan.finished_at, scan.inputs = "completed", utcnow(), inputs
            scan.records_read, scan.records_skipped = summary.records_read, summary.records_skipped
            scan.records_with_findings, scan.findings_count = summary.records_with_findings, self.spool.count
            scan.by_entity, scan.by_decision = dict(summary.by_entity), dict(summary.by_decision)
            session.flush()
            payload = self._payload(scan, decisions, findings_sha256)
            events.append(session, "scan.completed", f"scan {scan.id}", payload)
        self.spool.close()
        return decisions

    def fail(self, reason: str) -> None:
        """Mark the scan failed; nothing of it but its row is kept."""
        with self.registry.writing() as session:
            scan = session.get(Scan, self.scan_id)
            if scan is not None and scan.status == "running":
                mark_failed(session, scan, reason)

    def _decision(self, scan_id: int, name: str, tally: WorkloadTally) -> Decision:
        profile = (self.profiles or {}).get(name)
        hosting = profile.hosting if profile else None
        return Decision(
            scan_id=scan_id, workload=name, tier=tally.tier.value, raw_tier=tally.raw.value,
            regulations=sorted(tally.regulations), records=tally.records,
            records_with_findings=tally.records_with_findings, hosting=hosting,
            violation=is_violation(hosting, tally.tier), rationale={**tally.rationale(), "sources": self._sources(name)},
        )  # fmt: skip

    def _read(self, sources: list[str]) -> list[str]:
        """Every source the scan read: those a decision keeps an entry for are among them (see audit.store.state)."""
        return list(dict.fromkeys([*sources, *(source for _, source in sorted(self.by_source))]))

    def _sources(self, name: str) -> dict[str, dict]:
        return {source: t.entry() for (n, source), t in sorted(self.by_source.items()) if n == name}

    def _payload(self, scan: Scan, decisions: list[Decision], findings_sha256: str) -> dict:
        return {
            "scan": scan.id, "inputs": scan.inputs, "policy": scan.policy_identity,
            "records": scan.records_read, "skipped": scan.records_skipped, "findings": scan.findings_count,
            "decisions": {d.workload: {"tier": d.tier, "violation": d.violation} for d in decisions},
            "digest_version": digests.DIGEST_VERSION, "findings_sha256": findings_sha256,
            "decisions_sha256": digests.decisions_digest(decisions), "scan_sha256": digests.scan_digest(scan),
        }  # fmt: skip


def _active_waivers(session) -> dict[str, ActiveWaivers]:
    rows = session.execute(
        select(Workload.name, Waiver.rule_id, Waiver.fingerprint)
        .join(Waiver.workload)
        .where(Waiver.expires > date.today())
    ).all()
    out: dict[str, tuple[set, set]] = {}
    for name, rule, fp in rows:
        rules, prints = out.setdefault(name, (set(), set()))
        (rules if rule else prints).add(bare(rule) if rule else fp)
    return {n: ActiveWaivers(frozenset(r), frozenset(p)) for n, (r, p) in out.items()}


def input_hashes(sources: list[str]) -> list[dict]:
    """sha256 and size of each input file that was read (standard input has neither)."""
    out = []
    for source in sources:
        path = Path(source)
        if not path.is_file():
            out.append({"path": source, "sha256": None, "size": None})
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        out.append({"path": source, "sha256": digest.hexdigest(), "size": path.stat().st_size})
    return out


def tool_commit() -> str | None:
    """The git commit of the llm-audit checkout, when running from one."""
    root = Path(__file__).resolve().parent.parent.parent
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def read_scan(registry: Registry, scan_id: int) -> Scan | None:
    """One scan row (for tests and `history`)."""
    with read_session(registry.engine) as session:
        return session.get(Scan, scan_id)
