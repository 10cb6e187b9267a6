"""The samples scanned into a registry, findings spooled in many small batches, against the expected state.

The expected state (test_streaming_samples.json) was written by the recorder that held every finding in
memory and wrote them in one go; the streaming recorder must leave the registry exactly as it did: the
same decisions and reasons (`registry list` / `registry show --json`), the same findings rows in the same
order, the same scan counts, and a chain that verifies. After reviewing a deliberate change (a detector or a
rule), rewrite the file with:
AUDIT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/store/test_streaming_samples.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from audit.store import digests, recorder
from audit.store.db import read_session
from audit.store.models import FindingRow, Scan
from audit.store.registry import Registry
from tests.conftest import REPO, invoke

EXPECTED = Path(__file__).with_suffix(".json")
LIST_KEYS = ("name", "decision", "regulations", "violation", "hosting_tier")
REASON_KEYS = ("rule", "decision", "records", "waived")
SOURCE_KEYS = ("source", "decision", "regulations", "records", "findings")
SCAN_KEYS = ("records_read", "records_skipped", "records_with_findings", "findings_count", "by_entity", "by_decision")

pytestmark = pytest.mark.slow


def registry_state(db: Path) -> dict:
    """What a user reads from the registry after the scan, without times and ids."""
    code, out, err = invoke("registry", "list", "--db", str(db), "--format", "json")
    assert code == 0, err
    listed = json.loads(out)
    state: dict = {"workloads": {}, "findings": [], "scan": {}}
    for row in listed:
        code, out, err = invoke("registry", "show", row["name"], "--db", str(db), "--json")
        assert code == 0, err
        shown = json.loads(out)
        state["workloads"][row["name"]] = {
            "list": {k: row[k] for k in LIST_KEYS},
            "reasons": [{k: r[k] for k in REASON_KEYS} for r in shown["reasons"]],
            "findings_by_type": shown["findings_by_type"],
            "sources": [{k: s[k] for k in SOURCE_KEYS} for s in shown["sources"]],
        }
    registry = Registry.open(f"sqlite:///{db}", create=False)
    with read_session(registry.engine) as session:
        [scan] = session.scalars(select(Scan)).all()
        state["scan"] = {"status": scan.status, **{k: getattr(scan, k) for k in SCAN_KEYS}}
        rows = session.scalars(select(FindingRow).order_by(FindingRow.id)).all()
        state["findings"] = [digests.values(r, digests.FINDING_KEYS) for r in rows]
    registry.close()
    return state


def test_samples_scan_leaves_the_expected_registry_state(tmp_path, monkeypatch):
    monkeypatch.setattr(recorder, "SPOOL_BATCH", 7, raising=False)  # many batches for the samples' findings
    monkeypatch.setattr(recorder, "COPY_CHUNK", 5, raising=False)
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AUDIT_SECRET", hashlib.sha256(b"llm-audit streaming test").hexdigest())  # fixed fingerprints
    monkeypatch.setenv("CI", "true")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "samples" / "logs", tmp_path / "logs")
    (tmp_path / "audit.toml").write_text("message_time_budget = 600\n")  # busy machines
    db = tmp_path / "registry.db"
    code, _, err = invoke("registry", "import", str(REPO / "samples" / "workloads.yaml"), "--db", str(db))
    assert code == 0, err
    code, _, err = invoke(
        "scan", "logs", "--db", str(db), "--fail-on", "never", "--jobs", "1", "--quiet", "--config", "audit.toml"
    )
    assert code == 0, err
    code, _, err = invoke("registry", "verify", "--db", str(db))
    assert code == 0, err

    state = json.loads(json.dumps(registry_state(db)))  # as JSON holds it: tuples become lists
    if os.environ.get("AUDIT_UPDATE_GOLDEN") == "1":
        EXPECTED.write_text(json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert state["scan"]["findings_count"] == len(state["findings"]) > 7 * 5, "the samples must span many batches"
    assert state["scan"] == expected["scan"]
    assert state["workloads"] == expected["workloads"]
    assert state["findings"] == expected["findings"]
