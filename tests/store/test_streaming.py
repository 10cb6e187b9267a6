"""Findings spooled in batches during a scan, then copied into the registry at the end (`audit.store.recorder`).

The recorder keeps only counts in memory; these tests check that what reaches the registry is exactly what
the one-transaction writer stored: every finding of a scan larger than one batch, in scan order, covered by
the scan.completed event (so `verify` holds), and nothing of a failed scan.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from audit.errors import StoreError
from audit.model import Tier
from audit.store import digests, recorder
from audit.store.db import read_session
from audit.store.models import FindingRow, Scan
from audit.store.recorder import FindingSpool, ScanRecorder
from audit.store.registry import Registry
from audit.summary import ScanSummary

RECORDS = 23  # findings 1 + 2 + ... per record: many batches of 4 and copy chunks of 5


def _results(make):
    out = []
    for n in range(1, RECORDS + 1):
        findings = tuple(
            make.finding("EMAIL_ADDRESS" if i % 2 else "PERSON", f"fp-{n}-{i}", f"m{n}-{i}***", start=i * 10)
            for i in range(n % 3 + 1)
        )
        out.append(make.result(f"w{n % 2}", findings, (("hipaa-phi", Tier.SELF_HOSTED, (0,)),), str(n)))
    return out


def _rows(registry, scan_id: int) -> list[FindingRow]:
    with read_session(registry.engine) as session:
        return session.scalars(select(FindingRow).where(FindingRow.scan_id == scan_id).order_by(FindingRow.id)).all()


def test_a_scan_larger_than_one_batch_stores_every_finding_in_scan_order(registry, make, monkeypatch):
    monkeypatch.setattr(recorder, "COPY_CHUNK", 5)
    results = _results(make)
    summary = ScanSummary()
    with ScanRecorder(registry, spool_batch=4) as rec:
        for result in results:
            summary.add(result)
            rec.add(result)
            assert len(rec.spool.pending) < 4, "a full batch leaves memory for the spool"
        rec.finish(summary)
    expected = [(r.record_id, f.fingerprint, f.masked) for r in results for f in r.findings]
    assert len(expected) == 47 and len(expected) > 4 * 5
    rows = _rows(registry, rec.scan_id)
    assert [(row.record_id, row.fingerprint, row.masked) for row in rows] == expected
    assert rows[0].rule_ids == ["hipaa-phi"] and rows[1].rule_ids == []
    with read_session(registry.engine) as session:
        assert session.get(Scan, rec.scan_id).findings_count == 47
    report = registry.verify()
    assert report.ok, report.problem  # the event's findings_sha256 matches the rows
    assert report.events == 2


def test_spooled_digest_is_the_registry_digest_of_the_same_rows(registry, make):
    """The digest the spool computes by sorting on disk equals digests.findings_digest over the stored rows."""
    results = _results(make)
    with ScanRecorder(registry, spool_batch=3) as rec:
        for result in results:
            rec.add(result)
        spooled = rec.spool.digest()
        rec.finish(ScanSummary())
    assert spooled == digests.findings_digest(_rows(registry, rec.scan_id))
    assert spooled != digests.findings_digest([])


def test_a_scan_that_fails_after_batches_were_spooled_leaves_no_findings(registry, make):
    results = _results(make)
    with pytest.raises(RuntimeError), ScanRecorder(registry, spool_batch=2) as rec:
        for result in results:
            rec.add(result)
        raise RuntimeError("killed half-way")
    with read_session(registry.engine) as session:
        assert session.get(Scan, rec.scan_id).status == "failed"
        assert session.scalar(select(func.count()).select_from(FindingRow)) == 0
    assert registry.verify().ok


def test_the_spool_holds_one_batch_in_memory_and_gives_rows_back_as_added():
    spool = FindingSpool(batch=3)
    rows = [dict.fromkeys(digests.FINDING_KEYS, None) | {"record_id": str(n), "rule_ids": [], "score": 0.5}
            for n in range(10)]  # fmt: skip
    for row in rows:
        spool.add(row)
    assert (spool.count, len(spool.pending)) == (10, 1)
    assert [len(chunk) for chunk in spool.chunks(4)] == [4, 4, 2]
    assert [r for chunk in spool.chunks(4) for r in chunk] == rows
    assert spool.digest() == digests.findings_digest(rows)
    spool.close()


def test_a_failing_spool_is_a_store_error_without_the_rows(make):
    spool = FindingSpool(batch=1)
    spool.db.close()  # as a full temporary directory would fail the write
    with pytest.raises(StoreError, match="cannot spool the scan's findings") as caught:
        spool.add(dict.fromkeys(digests.FINDING_KEYS, "secret-ish") | {"rule_ids": []})
    assert "secret-ish" not in str(caught.value)


KILLED = """
import json, os, signal, sys
from audit.model import Evaluation, Finding, RecordResult
from audit.store.recorder import ScanRecorder
from audit.store.registry import Registry

url, spool_dir = sys.argv[1], sys.argv[2]
rec = ScanRecorder(Registry.open(url), spool_batch=1000)
rec.start()
for n in range(30_000):  # about 6 MB of rows: past the spool's page cache, so it writes its file
    finding = Finding(0, "user", 0, 5, "EMAIL_ADDRESS", 0.9, "t", "a***@e***.o**", f"fp-{n:032d}")
    rec.add(RecordResult("x.jsonl", str(n), n, "w", (finding,), Evaluation()))
rec.spool.flush()
held = []
for fd in os.listdir("/proc/self/fd"):
    try:
        held.append(os.readlink(f"/proc/self/fd/{fd}"))
    except FileNotFoundError:  # the descriptor listdir itself used
        pass
print(json.dumps([[h for h in held if h.startswith(spool_dir)], os.listdir(spool_dir)]), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_scan_leaves_no_spool_file_and_no_findings(tmp_path):
    url, spool_dir = f"sqlite:///{tmp_path / 'registry.db'}", tmp_path / "spool"
    spool_dir.mkdir()
    env = {**os.environ, "SQLITE_TMPDIR": str(spool_dir)}
    done = subprocess.run([sys.executable, "-c", KILLED, url, str(spool_dir)], env=env, capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    held, listed = json.loads(done.stdout)
    assert len(held) == 1 and held[0].endswith("(deleted)"), "the spool is a file on disk, unlinked while open"
    assert listed == [] and list(spool_dir.iterdir()) == []
    registry = Registry.open(url)
    try:
        assert len(registry.reap_stale_scans()) == 1
        with read_session(registry.engine) as session:
            assert session.scalar(select(func.count()).select_from(FindingRow)) == 0
        assert registry.verify().ok
    finally:
        registry.close()
