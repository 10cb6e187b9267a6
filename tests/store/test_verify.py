"""`audit registry verify` covers every row a decision or report is built from, keys the chain, checks anchors.

Each tamper edits a real SQLite file with plain sqlite3, as someone with write
access to the file but not the fingerprint secret would, then runs the real
command line in-process: exit 3 and one line naming the table, row and event.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from audit.cli import main
from audit.store import anchor, digests, events, models
from audit.store.registry import Registry
from tests.store.conftest import populate

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"
MARK = "TAMPERED"  # every forged value carries it, so a test can tell it never reaches the message


@pytest.fixture
def reg_file(tmp_path) -> Path:
    """A registry with workloads, endpoints, data flows, a waiver, a completed scan (1) and a failed one (2)."""
    path = tmp_path / "registry.db"
    populate(f"sqlite:///{path}")
    return path


def verify(path: Path, *args: str, capsys) -> tuple[int, str, str]:
    """Run `audit registry verify` in-process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as done:
        main(["registry", "verify", "--db", str(path), *args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def tamper(path: Path, sql: str) -> None:
    """Edit the file directly: no triggers dropped (they guard events only), no foreign keys enforced."""
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()


def copy_row(table: str, where: str, changes: str) -> str:
    """SQL that inserts a copy of one row with some columns changed."""
    return (
        f"CREATE TEMP TABLE t AS SELECT * FROM {table} WHERE {where}; UPDATE t SET {changes}; "
        f"INSERT INTO {table} SELECT * FROM t;"
    )


def test_untouched_registry_verifies(reg_file, capsys):
    code, out, err = verify(reg_file, capsys=capsys)
    assert code == 0, err
    assert re.fullmatch(r"event log intact: 9 events and the rows they cover, head 9:[0-9a-f]{64}\n", out)


WORKLOAD = r"workloads row \d+ \(with its endpoints and data_flows\): does not match event \d+ \(altered\?\)"
SCAN_1 = r"scans row 1: does not match event \d+ \(scan.completed\) \(altered\?\)"
FINDINGS_1 = r"findings rows of scan 1: do not match event \d+ \(altered, inserted or deleted\?\)"
DECISIONS_1 = r"decisions rows of scan 1: do not match event \d+ \(altered, inserted or deleted\?\)"
TAMPERS = {
    "workloads.owner": (f"UPDATE workloads SET owner = '{MARK}' WHERE name = 'patient-intake'", WORKLOAD),
    "workloads.hipaa_entity": ("UPDATE workloads SET hipaa_entity = 'none' WHERE name = 'patient-intake'", WORKLOAD),
    "workloads inserted": (
        copy_row("workloads", "name = 'code-helper'", f"id = 99, name = '{MARK}'"),
        r"workloads row 99: no event added it \(inserted or renamed\?\)",
    ),
    "workloads deleted": (
        "DELETE FROM workloads WHERE name = 'code-helper'",
        r"workloads: the row added by event \d+ is missing \(deleted or renamed\?\)",
    ),
    "endpoints.hosting": ("UPDATE endpoints SET hosting = 'self_hosted' WHERE hosting = 'closed_api'", WORKLOAD),
    "endpoints.agreements": (f"""UPDATE endpoints SET agreements = '["BAA", "{MARK}"]'""", WORKLOAD),
    "endpoints deleted": ("DELETE FROM endpoints WHERE id = 1", WORKLOAD),
    "data_flows.redaction": ("UPDATE data_flows SET redaction = 1 - redaction WHERE id = 1", WORKLOAD),
    "data_flows.categories": (f"""UPDATE data_flows SET categories = '["{MARK}"]' WHERE id = 1""", WORKLOAD),
    "data_flows inserted": (copy_row("data_flows", "id = 1", "id = 99, position = 99"), WORKLOAD),
    "waivers.expires": (
        "UPDATE waivers SET expires = '2999-01-01'",
        r"waivers row 1: does not match event \d+ \(altered\?\)",
    ),
    "waivers.rule_id": (
        f"UPDATE waivers SET rule_id = '{MARK}'",
        r"waivers row 1: does not match event \d+ \(altered\?\)",
    ),
    "waivers.workload_id": (
        "UPDATE waivers SET workload_id = (SELECT id FROM workloads WHERE name = 'code-helper')",
        r"waivers row 1: does not match event \d+ \(altered\?\)",
    ),
    "waivers inserted": (
        copy_row("waivers", "id = 1", f"id = 2, rule_id = '{MARK}'"),
        r"waivers row 2: no waiver.added event \(inserted\?\)",
    ),
    "waivers deleted": ("DELETE FROM waivers", r"waivers row 1: missing, added by event \d+ \(deleted\?\)"),
    "scans.status completed->failed": (
        "UPDATE scans SET status = 'failed' WHERE id = 1",
        r"scans row 1: status does not match event \d+ \(scan.completed\) \(altered\?\)",
    ),
    "scans.status failed->completed": (
        "UPDATE scans SET status = 'completed' WHERE id = 2",
        r"scans row 2: status does not match event \d+ \(scan.failed\) \(altered\?\)",
    ),
    "scans.finished_at": ("UPDATE scans SET finished_at = '2999-01-01 00:00:00.000000' WHERE id = 1", SCAN_1),
    "scans.records_read": ("UPDATE scans SET records_read = records_read + 1 WHERE id = 1", SCAN_1),
    "scans.by_entity": (f"""UPDATE scans SET by_entity = '{{"{MARK}": 1}}' WHERE id = 1""", SCAN_1),
    "scans inserted": (
        copy_row("scans", "id = 1", "id = 3"),
        r"scans row 3: no scan event \(inserted\?\)",
    ),
    "scans deleted": ("DELETE FROM scans WHERE id = 2", r"scans row 2: missing, recorded by event \d+ \(deleted\?\)"),
    "findings.score": ("UPDATE findings SET score = 0.1 WHERE id = 1", FINDINGS_1),
    "findings.kind": ("UPDATE findings SET kind = 'context' WHERE id = 1", FINDINGS_1),
    "findings.masked": (f"UPDATE findings SET masked = '{MARK}' WHERE id = 1", FINDINGS_1),
    "findings.rule_ids": ("""UPDATE findings SET rule_ids = '[]'""", FINDINGS_1),
    "findings deleted": ("DELETE FROM findings WHERE id = 2", FINDINGS_1),
    "findings inserted": (copy_row("findings", "id = 1", "id = 99, start = 40"), FINDINGS_1),
    "findings inserted into a failed scan": (
        copy_row("findings", "id = 1", "id = 99, scan_id = 2"),
        r"findings rows of scan 2: no scan.completed event \(inserted\?\)",
    ),
    "decisions.tier": ("UPDATE decisions SET tier = 'unrestricted'", DECISIONS_1),
    "decisions.violation": ("UPDATE decisions SET violation = 1 - violation", DECISIONS_1),
    "decisions.rationale": (
        f"""UPDATE decisions SET rationale = '{{"rules": [], "top": [], "{MARK}": 1}}'""",
        DECISIONS_1,
    ),
    "decisions.regulations": ("UPDATE decisions SET regulations = '[]'", DECISIONS_1),
    "decisions deleted": ("DELETE FROM decisions", DECISIONS_1),
    "decisions inserted into a failed scan": (
        copy_row("decisions", "scan_id = 1", "id = 99, scan_id = 2"),
        r"decisions rows of scan 2: no scan.completed event \(inserted\?\)",
    ),
}


@pytest.mark.parametrize("sql,problem", TAMPERS.values(), ids=TAMPERS.keys())
def test_each_tampered_table_and_row_fails_verify(reg_file, capsys, sql, problem):
    tamper(reg_file, sql)
    code, out, err = verify(reg_file, capsys=capsys)
    assert code == 3 and out == ""
    assert re.fullmatch(f"audit: registry verify FAILED: {problem}\n", err), err
    assert MARK not in err


@pytest.fixture
def gateway_file(reg_file) -> Path:
    """The registry after two flushes of gateway decision counts (events 10 and 11)."""
    from audit.enforcement import DecisionCounter

    registry = Registry.open(f"sqlite:///{reg_file}")
    counter = DecisionCounter("guardrail")
    for workload in ("patient-intake", "code-helper"):
        counter.count(workload, "self_hosted", "self_hosted", ["hipaa/hipaa-phi"])
        counter.flush(registry)
    counter.refuse(None, "no-workload")  # left unflushed: no rows, no event
    registry.close()
    return reg_file


GATEWAY_10 = r"gateway_decisions rows of event 10: do not match it \(altered, inserted or deleted\?\)"
GATEWAY_TAMPERS = {
    "count": ("UPDATE gateway_decisions SET count = count + 1 WHERE id = 1", GATEWAY_10),
    "workload": (f"UPDATE gateway_decisions SET workload = '{MARK}' WHERE id = 1", GATEWAY_10),
    "tier": ("UPDATE gateway_decisions SET tier = 'unrestricted' WHERE id = 1", GATEWAY_10),
    "period_end": ("UPDATE gateway_decisions SET period_end = '2999-01-01 00:00:00.000000' WHERE id = 1", GATEWAY_10),
    "inserted into a flush": (copy_row("gateway_decisions", "id = 1", "id = 99, count = 5"), GATEWAY_10),
    "moved to the other flush": (
        "UPDATE gateway_decisions SET event_seq = 11 WHERE id = 1",
        GATEWAY_10,
    ),
    "naming a non-gateway event": (
        copy_row("gateway_decisions", "id = 1", "id = 99, event_seq = 3"),
        r"gateway_decisions rows naming event 3: no such gateway.recorded event \(inserted\?\)",
    ),
    "a whole flush deleted": (
        "DELETE FROM gateway_decisions WHERE event_seq = 11",
        r"gateway_decisions rows of event 11: missing \(deleted\?\)",
    ),
}


@pytest.mark.parametrize("sql,problem", GATEWAY_TAMPERS.values(), ids=GATEWAY_TAMPERS.keys())
def test_tampered_gateway_counts_fail_verify(gateway_file, capsys, sql, problem):
    code, out, err = verify(gateway_file, capsys=capsys)
    assert code == 0 and "11 events" in out, err
    tamper(gateway_file, sql)
    code, out, err = verify(gateway_file, capsys=capsys)
    assert code == 3 and out == ""
    assert re.fullmatch(f"audit: registry verify FAILED: {problem}\n", err), err
    assert MARK not in err


def forge_next(path: Path, key: bytes | None) -> None:
    """Append an event after the head, hashed with `key` (None: plain sha256, as the chain used to be)."""
    conn = sqlite3.connect(path)
    seq, prev = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    at, payload = "2030-01-01T00:00:00.000000+00:00", json.dumps({"id": 7})
    digest = events.event_hash(key, prev, seq + 1, at, "waiver.removed", "patient-intake", payload)
    conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", (seq + 1, at, "waiver.removed", "patient-intake",
                                                                    payload, prev, digest))  # fmt: skip
    conn.commit()
    conn.close()


def test_a_forged_event_with_a_correct_unkeyed_hash_fails(reg_file, capsys):
    forge_next(reg_file, None)
    code, _, err = verify(reg_file, capsys=capsys)
    assert code == 3 and err == "audit: registry verify FAILED: event 10: unkeyed hash after keyed events (forged?)\n"


def test_an_event_keyed_with_another_secret_fails(reg_file, capsys):
    forge_next(reg_file, events.chain_key(hashlib.sha256(b"another install").digest()))
    code, _, err = verify(reg_file, capsys=capsys)
    assert code == 3
    assert err == (
        "audit: registry verify FAILED: event 10: content does not match its hash (altered, or keyed with another "
        "secret?)\n"
    )


def test_verify_with_another_secret_fails(reg_file, capsys, monkeypatch):
    monkeypatch.setenv("AUDIT_SECRET", hashlib.sha256(b"another team's secret").hexdigest())
    code, _, err = verify(reg_file, capsys=capsys)
    assert code == 3, err
    assert "event 1: content does not match its hash (altered, or keyed with another secret?)" in err


def head_of(path: Path, capsys) -> str:
    code, out, _ = verify(path, capsys=capsys)
    assert code == 0
    return out.split()[-1]


def test_the_anchor_holds_while_the_log_grows(reg_file, capsys, tmp_path, monkeypatch):
    anchor = head_of(reg_file, capsys)
    registry = Registry.open(f"sqlite:///{reg_file}")
    registry.waive("code-helper", "dev", "test keys", date.today() + timedelta(days=3), fingerprint="f" * 32)
    registry.close()
    assert verify(reg_file, "--expect-head", anchor, capsys=capsys)[0] == 0
    monkeypatch.setenv("AUDIT_EXPECT_HEAD", anchor)
    assert verify(reg_file, capsys=capsys)[0] == 0
    code, _, err = verify(reg_file, "--expect-head-file", str(tmp_path / "none"), capsys=capsys)
    assert code == 2 and "none: cannot read the expected head" in err
    saved = tmp_path / "head.txt"
    code, out, _ = verify(reg_file, "--save-head", str(saved), capsys=capsys)
    assert code == 0 and saved.read_text() == out.split()[-1] + "\n" and out.split()[-1].startswith("10:")


def truncate_newest(path: Path) -> None:
    """Drop the newest event: no gap in seq, so only an anchor can tell."""
    tamper(path, "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = (SELECT max(seq) FROM events);")


@pytest.mark.parametrize("source", ["option", "env", "file"])
def test_a_truncated_log_fails_every_kind_of_anchor(reg_file, capsys, tmp_path, monkeypatch, source):
    saved = tmp_path / "head.txt"
    assert verify(reg_file, "--save-head", str(saved), capsys=capsys)[0] == 0
    anchor = saved.read_text().strip()
    assert anchor.startswith("9:")
    args = {"option": ["--expect-head", anchor], "env": [], "file": ["--expect-head-file", str(saved)]}[source]
    if source == "env":
        monkeypatch.setenv("AUDIT_EXPECT_HEAD", anchor)
    truncate_newest(reg_file)
    code, _, err = verify(reg_file, *args, capsys=capsys)
    assert code == 3
    assert err == f"audit: registry verify FAILED: anchor: event 9 is missing (log truncated?); expected {anchor}\n"


def test_a_bare_hash_anchor_and_a_rewritten_one(reg_file, capsys):
    seq, hash_ = head_of(reg_file, capsys).split(":")
    assert verify(reg_file, "--expect-head", hash_, capsys=capsys)[0] == 0
    other = "0" * 64
    code, _, err = verify(reg_file, "--expect-head", f"{seq}:{other}", capsys=capsys)
    assert code == 3 and f"anchor: event {seq} has another hash (log rewritten?)" in err
    code, _, err = verify(reg_file, "--expect-head", other, capsys=capsys)
    assert code == 3 and "anchor: no event has the expected hash" in err


@pytest.mark.parametrize("anchor", ["9", "9:abc", "x:" + "0" * 64, "0" * 63])
def test_a_malformed_anchor_is_a_usage_error(reg_file, capsys, anchor):
    code, _, err = verify(reg_file, "--expect-head", anchor, capsys=capsys)
    assert code == 2 and "--expect-head: an anchor is SEQ:HASH" in err


def legacy_registry(path: Path, n: int) -> None:
    """A registry whose first `n` events predate the keyed chain (plain sha256)."""
    Registry.open(f"sqlite:///{path}").close()
    prev = events.GENESIS
    conn = sqlite3.connect(path)
    for seq in range(1, n + 1):
        at, payload = f"2025-01-01T00:00:0{seq}.000000+00:00", json.dumps({"i": seq})
        digest = events.event_hash(None, prev, seq, at, "test.event", "s", payload)
        conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", (seq, at, "test.event", "s", payload, prev, digest)
        )
        prev = digest
    conn.commit()
    conn.close()


def test_a_legacy_unkeyed_prefix_still_verifies_and_keyed_events_follow(tmp_path, capsys):
    path = tmp_path / "old.db"
    legacy_registry(path, 3)
    code, _, err = verify(path, capsys=capsys)  # wholly unkeyed: a rewritten chain looks the same (issue 25)
    assert code == 3 and "every event is unkeyed" in err
    code, out, err = verify(path, "--allow-legacy", capsys=capsys)
    assert code == 0 and "3 events" in out and "events 1-3 predate the keyed chain" in err
    registry = Registry.open(f"sqlite:///{path}")
    registry.import_manifest(SAMPLE)
    report = registry.verify()
    registry.close()
    assert report.ok and report.legacy == 3 and report.events == 7
    forge_next(path, None)
    code, _, err = verify(path, capsys=capsys)
    assert code == 3 and "event 8: unkeyed hash after keyed events (forged?)" in err


UNCOVERED = {"id", "scan_id", "workload_id", "event_seq", "created_at", "updated_at"}  # links, unread stamps


@pytest.mark.parametrize(
    "model,keys",
    [
        (models.Workload, digests.WORKLOAD_KEYS),
        (models.Endpoint, digests.ENDPOINT_KEYS),
        (models.DataFlowRow, digests.FLOW_KEYS),
        (models.Waiver, digests.WAIVER_KEYS),
        (models.Scan, digests.SCAN_KEYS),
        (models.FindingRow, digests.FINDING_KEYS),
        (models.Decision, digests.DECISION_KEYS),
        (models.GatewayDecision, digests.GATEWAY_KEYS),
    ],
)
def test_every_column_a_report_can_read_is_covered(model, keys):
    """A column added later must join its digest (or be named here as deliberately unread)."""
    assert {c.name for c in model.__table__.columns} - UNCOVERED == set(keys)


NEW_KEYS = ("digest_version", "scan_sha256", "decisions_sha256", "state_sha256")


def as_legacy(path: Path) -> None:
    """Rewrite the log as a registry from before the keyed chain, the row digests and the head file wrote it."""
    shutil.rmtree(Path(os.environ["AUDIT_HOME"]) / anchor.HEADS_DIR)
    conn = sqlite3.connect(path)
    conn.executescript("DROP TRIGGER events_no_update")
    v1 = {}
    for scan_id in {r[0] for r in conn.execute("SELECT scan_id FROM findings")}:
        cols = ", ".join(f'"{k}"' for k in digests.FINDING_KEYS_V1)
        rows = conn.execute(f"SELECT {cols} FROM findings WHERE scan_id = ?", (scan_id,)).fetchall()
        v1[scan_id] = digests.findings_digest(
            [dict(zip(digests.FINDING_KEYS_V1, r, strict=True)) for r in rows], digests.FINDING_KEYS_V1
        )
    prev = events.GENESIS
    for seq, at, kind, subject, payload in conn.execute(
        "SELECT seq, at, kind, subject, payload FROM events ORDER BY seq"
    ).fetchall():
        body = {k: v for k, v in json.loads(payload).items() if k not in NEW_KEYS}
        if kind == "scan.completed":
            body["findings_sha256"] = v1[body["scan"]]
        text = events.canonical(body)
        digest = events.event_hash(None, prev, seq, at, kind, subject, text)
        conn.execute("UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?", (text, prev, digest, seq))
        prev = digest
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "sql,problem",
    [
        (None, None),
        ("UPDATE scans SET status = 'failed' WHERE id = 1", "scans row 1: status does not match event 7"),
        ("UPDATE findings SET masked = 'x' WHERE id = 1", "findings rows of scan 1: do not match event 7"),
        ("UPDATE decisions SET tier = 'unrestricted'", "decisions rows of scan 1: do not match event 7"),
        ("UPDATE waivers SET reason = 'x'", "waivers row 1: does not match event 5"),
    ],
)
def test_a_registry_from_before_the_keyed_chain_still_verifies_what_its_events_recorded(reg_file, capsys, sql, problem):
    as_legacy(reg_file)
    if sql:
        tamper(reg_file, sql)
    code, out, err = verify(reg_file, "--allow-legacy", capsys=capsys)  # a wholly unkeyed log needs it (issue 25)
    if problem is None:
        assert code == 0 and "9 events" in out and "events 1-9 predate the keyed chain" in err
        assert "audit: warning: no head file for this registry" in err
    else:
        assert code == 3 and problem in err
