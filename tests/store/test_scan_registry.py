"""`audit scan` recording into the registry: real CLI runs, a real SQLite file.

Covers: decisions and violation exit code on the samples, no raw values in the
database file, two concurrent scans landing in one file, and a SIGKILLed scan
leaving no partial rows (marked failed on the next use).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit.store.registry import Registry
from tests.conftest import REPO, run_cli

SAMPLE = REPO / "samples" / "workloads.yaml"
LOGS = REPO / "samples" / "logs"
# Raw values in samples/logs (all fictitious); none may reach the registry file.
RAW_VALUES = ["Maria Delgado-Reyes", "Delgado", "00482913", "XKM884512377", "201-4477", "2014477", "4111111111111111"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> str:
    """A config with a generous per-message time budget: these tests run beside others on busy machines."""
    path = tmp_path_factory.mktemp("cfg") / "audit.toml"
    path.write_text("message_time_budget = 600\n")
    return str(path)


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, config):
    """The samples imported and scanned once into a fresh registry: (db path, scan result)."""
    home = tmp_path_factory.mktemp("home")
    db = tmp_path_factory.mktemp("reg") / "llm-audit.db"
    env = {"AUDIT_HOME": str(home), "CI": "true"}
    assert run_cli("registry", "import", str(SAMPLE), "--db", str(db), env=env).returncode == 0
    done = run_cli("scan", str(LOGS), "--db", str(db), "-o", "jsonl", "--fail-on", "never", "--config", config, env=env)
    return db, done


def test_scan_records_decisions_and_exits_1_on_violation(scanned):
    db, done = scanned
    assert done.returncode == 0, done.stderr  # --fail-on never: violations do not gate either
    [(scan_id, status, records, inputs)] = query(db, "SELECT id, status, records_read, inputs FROM scans")
    assert status == "completed" and records > 0
    assert all(len(i["sha256"]) == 64 and i["size"] > 0 for i in json.loads(inputs))
    decisions = dict(query(db, "SELECT workload, violation FROM decisions"))
    assert set(decisions) >= {"patient-intake", "card-support", "contract-review", "code-helper"}
    assert decisions["patient-intake"] == 1, "a closed API without a BAA, and PHI in the logs"
    assert decisions["contract-review"] == 0, "self-hosted: allowed whatever the data"
    assert query(db, "SELECT count(*) FROM findings WHERE scan_id = ?".replace("?", str(scan_id)))[0][0] > 0
    listed = run_cli("registry", "list", "--db", str(db), "--fail-on-violation", "--format", "json")
    assert listed.returncode == 1
    assert {r["name"] for r in json.loads(listed.stdout) if r["violation"]} >= {"patient-intake"}


def test_database_holds_no_raw_values(scanned):
    db, _ = scanned
    text = "".join(p.read_text(errors="ignore") for p in LOGS.rglob("*") if p.is_file() and p.suffix != ".gz")
    present = [v for v in RAW_VALUES if v in text or v == "2014477"]
    assert len(present) >= 5, "the sample logs changed: pick raw values that are in them"
    blob = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    for value in present:
        assert value.encode() not in blob, value
    assert query(db, "SELECT count(*) FROM findings WHERE masked LIKE '%*%'")[0][0] > 0


def test_scan_exit_code_is_1_for_a_violation(tmp_path, config):
    db = tmp_path / "r.db"
    assert run_cli("registry", "import", str(SAMPLE), "--db", str(db)).returncode == 0
    done = run_cli(
        "scan",
        str(LOGS / "openai_chat_patient_intake.jsonl"),
        "--db",
        str(db),
        "-o",
        "jsonl",
        "--fail-on",
        "strip",
        "--config",
        config,
    )
    assert done.returncode == 1, done.stderr
    assert b"violation: workload 'patient-intake'" in done.stderr


def test_no_registry_and_no_default_file_leave_nothing(tmp_path, config):
    log = tmp_path / "a.txt"
    log.write_text("write to jane.roe@example.org please\n")
    assert run_cli("scan", str(log), "-o", "jsonl", "--config", config, cwd=tmp_path).returncode == 1  # an e-mail
    assert not (tmp_path / "llm-audit.db").exists(), "a one-off scan creates no registry"
    assert run_cli("registry", "import", str(SAMPLE), "--db", str(tmp_path / "llm-audit.db")).returncode == 0
    assert run_cli("scan", str(log), "-o", "jsonl", "--no-registry", "--config", config, cwd=tmp_path).returncode == 1
    assert query(tmp_path / "llm-audit.db", "SELECT count(*) FROM scans") == [(0,)]
    assert run_cli("scan", str(log), "-o", "jsonl", "--config", config, cwd=tmp_path).returncode == 1  # default file
    assert query(tmp_path / "llm-audit.db", "SELECT count(*), max(status) FROM scans") == [(1, "completed")]


def _scan_proc(log: Path, db: Path, workload: str, out: Path, config: str) -> subprocess.Popen:
    args = ["scan", str(log), "--db", str(db), "--workload", workload, "-o", "jsonl", "--out", str(out), "-q"]
    args += ["--config", config]
    return subprocess.Popen([sys.executable, "-m", "audit", *args], cwd=REPO, stderr=subprocess.PIPE)


def test_two_concurrent_scans_both_land(tmp_path, config):
    db = tmp_path / "shared.db"
    assert run_cli("registry", "import", str(SAMPLE), "--db", str(db)).returncode == 0
    logs = []
    for name in ("a", "b"):
        log = tmp_path / f"{name}.txt"
        log.write_text("".join(f"ticket {i}: contact user{i}.{name}@example.org\n" for i in range(60)))
        logs.append(log)
    procs = [
        _scan_proc(log, db, w, tmp_path / f"{w}.jsonl", config)
        for log, w in zip(logs, ("code-helper", "card-support"), strict=True)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 1, err  # e-mail addresses reach the default gate
    rows = query(db, "SELECT workload, status, records_read, findings_count FROM scans ORDER BY workload")
    assert [(w, s, r) for w, s, r, _ in rows] == [("card-support", "completed", 60), ("code-helper", "completed", 60)]
    assert all(f >= 60 for *_, f in rows)
    assert query(db, "SELECT count(DISTINCT scan_id) FROM findings") == [(2,)]
    assert Registry.open(f"sqlite:///{db}").verify().ok


def test_killed_scan_leaves_no_partial_rows(tmp_path, config):
    db = tmp_path / "kill.db"
    assert run_cli("registry", "import", str(SAMPLE), "--db", str(db)).returncode == 0
    big = tmp_path / "big.txt"
    big.write_text(
        "".join(
            f"row {i}: call Dr. Avery Quinn at 555-01{i % 100:02d} or a.quinn{i}@example.net\n" for i in range(40000)
        )
    )
    out = tmp_path / "out.jsonl"
    proc = _scan_proc(big, db, "code-helper", out, config)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:  # wait until results are streaming
        if any(p.stat().st_size > 0 for p in tmp_path.glob(".out.jsonl.*.tmp")):  # the output's temp file
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the scan finished before it could be killed: make the input bigger"
    assert query(db, "SELECT status FROM scans") == [("running",)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists(), "outputs are renamed into place only when the scan completes"
    assert query(db, "SELECT count(*) FROM findings") == [(0,)]
    assert query(db, "SELECT count(*) FROM decisions") == [(0,)]
    reg = Registry.open(f"sqlite:///{db}")
    assert len(reg.reap_stale_scans()) == 1
    assert query(db, "SELECT status, error FROM scans") == [
        ("failed", "the scanning process ended before the scan finished")
    ]
    assert reg.verify().ok
