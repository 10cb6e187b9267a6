"""Many writers at once: every scan lands and the event chain stays one unbroken line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select

from audit.store.db import read_session
from audit.store.models import Event, FindingRow, Scan

WRITERS, SCANS_EACH = 4, 8
pytestmark = pytest.mark.slow


WRITER = """
import sys

import pytest
from audit.model import Evaluation, Finding, RecordResult
from audit.summary import ScanSummary
from audit.store.recorder import ScanRecorder
from audit.store.registry import Registry

url, n, SCANS_EACH = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
registry = Registry.open(url)
for i in range(SCANS_EACH):
    finding = Finding(0, "user", 0, 5, "EMAIL_ADDRESS", 0.9, "t", "a***@e***.o**", f"fp-{n}-{i}")
    result = RecordResult("x.jsonl", "1", 1, f"w{n}", (finding,), Evaluation())
    summary = ScanSummary()
    summary.add(result)
    with ScanRecorder(registry) as rec:
        rec.add(result)
        rec.finish(summary)
registry.close()
"""


def test_parallel_recorders_all_land(db_url):
    args = [sys.executable, "-c", WRITER, db_url]
    procs = [subprocess.Popen([*args, str(n), str(SCANS_EACH)], stderr=subprocess.PIPE) for n in range(WRITERS)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    from audit.store.registry import Registry

    registry = Registry.open(db_url)
    with read_session(registry.engine) as s:
        assert (
            s.scalar(select(func.count()).select_from(Scan).where(Scan.status == "completed")) == WRITERS * SCANS_EACH
        )
        assert s.scalar(select(func.count()).select_from(FindingRow)) == WRITERS * SCANS_EACH
        assert s.scalar(select(func.count()).select_from(Event)) == 2 * WRITERS * SCANS_EACH
    report = registry.verify()
    assert report.ok and report.events == 2 * WRITERS * SCANS_EACH
