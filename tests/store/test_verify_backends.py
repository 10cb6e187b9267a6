"""`audit registry verify` on each backend: the keyed chain and the row digests survive a PostgreSQL round trip.

test_verify.py tampers a SQLite file with plain sqlite3; here the same kinds of
edits go through SQLAlchemy in SQL both backends take, so a digest that read a
column differently on PostgreSQL (time zones, floats, JSON, booleans) would fail
the untouched registry, and a tamper that PostgreSQL hid would pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from audit.cli import main
from audit.store.registry import Registry
from tests.store.conftest import populate

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"
MARK = "TAMPERED"


@pytest.fixture
def populated(db_url) -> str:
    """`db_url` with workloads, endpoints, data flows, a waiver, a completed scan (1) and a failed one (2)."""
    populate(db_url)
    return db_url


def verify(url: str, *args: str, capsys) -> tuple[int, str, str]:
    """Run `audit registry verify` in-process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as done:
        main(["registry", "verify", "--db", url, *args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_an_untouched_registry_verifies_with_its_anchor(populated, capsys):
    code, out, err = verify(populated, capsys=capsys)
    assert code == 0, err
    found = re.fullmatch(r"event log intact: 9 events and the rows they cover, head (9:[0-9a-f]{64})\n", out)
    assert found, out
    code, out, err = verify(populated, "--expect-head", found[1], capsys=capsys)
    assert code == 0, err


def test_reimporting_the_same_manifest_changes_nothing(populated):
    registry = Registry.open(populated)
    try:
        registry.import_manifest(SAMPLE)
        report = registry.verify()
    finally:
        registry.close()
    assert report.ok, report.problem
    assert report.events == 9, "the same manifest read back from the database must digest the same"


WORKLOAD = r"workloads row \d+ \(with its endpoints and data_flows\): does not match event \d+ \(altered\?\)"
FINDINGS_1 = r"findings rows of scan 1: do not match event \d+ \(altered, inserted or deleted\?\)"
DECISIONS_1 = r"decisions rows of scan 1: do not match event \d+ \(altered, inserted or deleted\?\)"
SCAN_1 = r"scans row 1: does not match event \d+ \(scan.completed\) \(altered\?\)"
TAMPERS = {
    "workloads.owner": (f"UPDATE workloads SET owner = '{MARK}' WHERE name = 'patient-intake'", WORKLOAD),
    "endpoints.hosting": ("UPDATE endpoints SET hosting = 'self_hosted' WHERE hosting = 'closed_api'", WORKLOAD),
    "data_flows.redaction": ("UPDATE data_flows SET redaction = NOT redaction WHERE id = 1", WORKLOAD),
    "waivers.expires": ("UPDATE waivers SET expires = '2999-01-01'", r"waivers row 1: does not match event \d+ \(altered\?\)"),
    "scans.status": (
        "UPDATE scans SET status = 'failed' WHERE id = 1",
        r"scans row 1: status does not match event \d+ \(scan.completed\) \(altered\?\)",
    ),
    "scans.finished_at": ("UPDATE scans SET finished_at = '2999-01-01 00:00:00+00:00' WHERE id = 1", SCAN_1),
    "scans.records_read": ("UPDATE scans SET records_read = records_read + 1 WHERE id = 1", SCAN_1),
    "findings.score": ("UPDATE findings SET score = 0.1 WHERE id = 1", FINDINGS_1),
    "findings deleted": ("DELETE FROM findings WHERE id = 2", FINDINGS_1),
    "decisions.tier": ("UPDATE decisions SET tier = 'unrestricted'", DECISIONS_1),
    "decisions.violation": ("UPDATE decisions SET violation = NOT violation", DECISIONS_1),
}  # fmt: skip


@pytest.mark.parametrize("sql,problem", TAMPERS.values(), ids=TAMPERS.keys())
def test_a_tampered_row_fails_verify(populated, capsys, sql, problem):
    engine = create_engine(populated)
    with engine.begin() as conn:
        assert conn.execute(text(sql)).rowcount >= 1, "the tamper must change a row"
    engine.dispose()
    code, out, err = verify(populated, capsys=capsys)
    assert code == 3 and out == ""
    assert re.fullmatch(f"audit: registry verify FAILED: {problem}\n", err), err
    assert MARK not in err
