"""The hash-chained event log: intact chains verify; edits and deletions are caught."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from audit.store import events
from audit.store.db import sqlite_path
from tests.conftest import run_cli

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"


def add_events(registry, n: int) -> None:
    with registry.writing() as s:
        for i in range(n):
            events.append(s, "test.event", f"subject-{i}", {"i": i, "note": "ünïcode"})


def tamper(registry, sql: str) -> None:
    """Run raw SQL as an attacker would: around the append-only triggers."""
    path = sqlite_path(registry.url)
    if path:
        conn = sqlite3.connect(path)
        conn.executescript(f"DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete; {sql};")
        conn.close()
        return
    with registry.engine.begin() as conn:
        conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_no_change"))
        conn.exec_driver_sql(sql)
        conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_no_change"))


def test_intact_chain_verifies(registry):
    registry.import_manifest(SAMPLE)
    add_events(registry, 5)
    report = registry.verify()
    assert report.ok and report.events == 9 and report.head_seq == 9 and len(report.head_hash) == 64


def test_empty_log_verifies(registry):
    report = registry.verify()
    assert report.ok and report.events == 0 and report.head_hash == events.GENESIS


def test_updated_event_is_detected(registry):
    add_events(registry, 5)
    tamper(registry, "UPDATE events SET subject = 'someone-else' WHERE seq = 3")
    report = registry.verify()
    assert not report.ok and report.problem.startswith("event 3: content does not match its hash")
    assert report.events == 2


def test_updated_payload_is_detected(registry):
    add_events(registry, 3)
    tamper(registry, """UPDATE events SET payload = '{"i":99,"note":"x"}' WHERE seq = 2""")
    assert "event 2" in registry.verify().problem


def test_rehashed_event_breaks_the_next_link(registry):
    add_events(registry, 4)
    # flip the first hex digit (a constant 'f' would change nothing when the hash already starts with one)
    flipped = "CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END || substr(hash, 2)"
    tamper(registry, f"UPDATE events SET hash = {flipped} WHERE seq = 2")
    problem = registry.verify().problem
    assert problem.startswith("event 2") or problem.startswith("event 3")


def test_deleted_event_is_detected_by_the_gap(registry):
    add_events(registry, 5)
    tamper(registry, "DELETE FROM events WHERE seq = 3")
    assert registry.verify().problem == "event 3 missing before event 4 (deleted?)"


def test_deleted_range_is_named(registry):
    add_events(registry, 6)
    tamper(registry, "DELETE FROM events WHERE seq IN (2, 3, 4)")
    assert registry.verify().problem == "event 2-4 missing before event 5 (deleted?)"


def test_triggers_refuse_casual_updates_and_deletes(registry):
    add_events(registry, 2)
    for sql in ("UPDATE events SET kind = 'x' WHERE seq = 1", "DELETE FROM events WHERE seq = 1"):
        with pytest.raises(Exception, match="append-only"):
            with registry.engine.begin() as conn:
                conn.execute(text(sql))
    assert registry.verify().ok


def test_cli_verify_reports_the_broken_link(registry, tmp_path):
    add_events(registry, 3)
    ok = run_cli("registry", "verify", "--db", registry.url)
    assert ok.returncode == 0 and b"event log intact: 3 events" in ok.stdout
    head = ok.stdout.split()[-1].decode()
    assert run_cli("registry", "verify", "--db", registry.url, "--expect-head", head).returncode == 0
    assert run_cli("registry", "verify", "--db", registry.url, "--expect-head", "0" * 64).returncode == 3
    tamper(registry, "DELETE FROM events WHERE seq = 3")  # the newest: no gap, but the head moved
    moved = run_cli("registry", "verify", "--db", registry.url, "--expect-head", head)
    assert moved.returncode == 3 and b"anchor: event 3 is missing (log truncated?)" in moved.stderr


def test_altered_or_deleted_findings_are_detected(registry):
    from audit.model import Evaluation, Finding, RecordResult
    from audit.store.recorder import ScanRecorder
    from audit.summary import ScanSummary

    found = (
        Finding(0, "user", 0, 5, "US_SSN", 0.9, "t", "***-**-6789", "fp1"),
        Finding(0, "user", 9, 14, "PERSON", 0.8, "t", "J***", "fp2"),
    )
    result = RecordResult("x.jsonl", "1", 1, "w", found, Evaluation())
    summary = ScanSummary()
    summary.add(result)
    with ScanRecorder(registry) as rec:
        rec.add(result)
        rec.finish(summary)
    assert registry.verify().ok
    with registry.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM findings WHERE entity_type = 'PERSON'")
    assert registry.verify().problem == "findings rows of scan 1: do not match event 2 (altered, inserted or deleted?)"
