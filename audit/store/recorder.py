"""`ScanRecorder`: the registry's observer for `api.scan_to`.

`start()` writes a scan row with status running. `add()` only counts and
keeps masked findings in memory. `finish()` writes findings, decisions, the
scan's counts and its event in ONE transaction, so a scan that fails or is
killed leaves no partial rows: its row stays running until `fail()` (or, after
a kill, the next registry use on this host) marks it failed.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

from audit import __version__
from audit.model import RecordResult, WorkloadProfile
from audit.store import digests, events
from audit.store.db import read_session, utcnow
from audit.store.decide import ActiveWaivers, SourceTally, WorkloadTally, bare, is_violation, rule_id
from audit.store.models import Decision, FindingRow, Scan, Waiver, Workload
from audit.store.registry import Registry, load_workload_profiles, mark_failed


class ScanRecorder:
    """Collects one scan's results and records them atomically at the end."""

    def __init__(
        self,
        registry: Registry,
        policy_identity: str = "none",
        workload: str | None = None,
        profiles: dict[str, WorkloadProfile] | None = None,
    ) -> None:
        self.registry = registry
        self.policy_identity = policy_identity
        self.workload = workload
        self.profiles = profiles
        self.scan_id: int | None = None
        self.tallies: dict[str, WorkloadTally] = {}
        self.by_source: dict[tuple[str, str], SourceTally] = {}  # (workload, source): see audit.store.state
        self.findings: list[dict] = []
        self.waivers: dict[str, ActiveWaivers] = {}

    def __enter__(self) -> ScanRecorder:
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and self.scan_id is not None:
            self.fail(f"{exc_type.__name__} during the scan")

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
        """Count one record and keep its masked findings (never values)."""
        name = result.workload
        if name:
            waivers = self.waivers.get(name, ActiveWaivers())
            self.tallies.setdefault(name, WorkloadTally()).add(result, waivers)
            self.by_source.setdefault((name, result.source), SourceTally()).add(result, waivers)
        for i, f in enumerate(result.findings):
            rules = [rule_id(h) for h in result.evaluation.rules if i in h.findings]
            self.findings.append(
                {"workload": name, "source": result.source, "record_id": result.record_id, "line": result.line,
                 "message": f.message, "role": f.role, "start": f.start, "end": f.end, "entity_type": f.entity_type,
                 "kind": f.kind, "score": f.score, "recognizer": f.recognizer, "masked": f.masked,
                 "fingerprint": f.fingerprint, "rule_ids": rules}
            )  # fmt: skip

    def finish(self, summary) -> list[Decision]:
        """Write everything for the scan in one transaction; returns the decisions."""
        inputs = input_hashes(self._read(summary.sources))
        with self.registry.writing() as session:
            scan = session.get(Scan, self.scan_id)
            if self.findings:
                session.execute(insert(FindingRow), [{**f, "scan_id": scan.id} for f in self.findings])
            decisions = [self._decision(scan.id, name, t) for name, t in sorted(self.tallies.items())]
            session.add_all(decisions)
            scan.status, scan.finished_at, scan.inputs = "completed", utcnow(), inputs
            scan.records_read, scan.records_skipped = summary.records_read, summary.records_skipped
            scan.records_with_findings, scan.findings_count = summary.records_with_findings, len(self.findings)
            scan.by_entity, scan.by_decision = dict(summary.by_entity), dict(summary.by_decision)
            session.flush()
            events.append(session, "scan.completed", f"scan {scan.id}", self._payload(scan, decisions))
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

    def _payload(self, scan: Scan, decisions: list[Decision]) -> dict:
        return {
            "scan": scan.id, "inputs": scan.inputs, "policy": scan.policy_identity,
            "records": scan.records_read, "skipped": scan.records_skipped, "findings": scan.findings_count,
            "decisions": {d.workload: {"tier": d.tier, "violation": d.violation} for d in decisions},
            "digest_version": digests.DIGEST_VERSION, "findings_sha256": digests.findings_digest(self.findings),
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
