"""A workload's state is the union of what its sources last showed (issue 15, item 6).

A narrow scan of one file replaces what that file showed and nothing else; a
mistyped path records no failed scan. Real CLI runs on the samples.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.slow

LOGS = REPO / "samples" / "logs"
PLAINTEXT = LOGS / "plaintext_code_helper.txt"
OTHER = str(LOGS / "openai_responses_code_helper.jsonl")
QUIET = ("-q", "--fail-on", "never", "--no-cache", "-o", "jsonl")


@pytest.fixture(scope="module")
def narrowed(tmp_path_factory):
    """The samples imported and scanned, then only the plaintext code-helper log scanned again: the db path."""
    work = tmp_path_factory.mktemp("sources")
    db = str(work / "reg.db")
    env = {"AUDIT_HOME": str(work / "home"), "CI": "true"}
    assert run_cli("registry", "import", "samples/workloads.yaml", "--db", db, env=env).returncode == 0
    for paths in ([str(LOGS)], [str(PLAINTEXT), "--workload", "code-helper"]):
        done = run_cli("scan", *paths, "--db", db, *QUIET, env=env)
        assert done.returncode == 0, done.stderr.decode()
    return db, env


def _json(db: str, env: dict, *args: str):
    done = run_cli(*args, "--db", db, env=env)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_a_narrow_scan_keeps_what_other_sources_showed(narrowed):
    db, env = narrowed
    shown = _json(db, env, "registry", "show", "code-helper", "--json")
    assert shown["status"]["decision"] == "strip" and shown["status"]["violation"] is True
    assert {"API_KEY", "CONNECTION_STRING"} <= set(shown["findings_by_type"])
    drift = {d["category"] for d in shown["flow_checks"]["drift"]}
    assert "user.authorization.credentials" in drift
    sources = {s["source"]: s for s in shown["sources"]}
    assert {OTHER, str(PLAINTEXT)} <= set(sources)
    assert sources[OTHER]["scan"] < sources[str(PLAINTEXT)]["scan"]  # each as its own latest scan saw it
    assert sources[OTHER]["decision"] == "strip" and sources[OTHER]["last_scanned"] and sources[OTHER]["age"]


def test_flows_check_still_reports_the_drift(narrowed):
    db, env = narrowed
    done = run_cli("flows", "check", "--db", db, env=env)
    assert "drift workload=code-helper category=user.authorization.credentials" in done.stdout.decode()


def test_registry_list_and_report_read_the_same_union(narrowed, tmp_path):
    db, env = narrowed
    listed = {w["name"]: w for w in _json(db, env, "registry", "list", "--format", "json")}
    assert listed["code-helper"]["decision"] == "strip"
    out = tmp_path / "report.json"
    assert run_cli("report", "--format", "json", "-o", str(out), "--db", db, env=env).returncode == 0
    reported = {w["name"]: w for w in json.loads(out.read_text())["workloads"]}
    assert (reported["code-helper"]["decision"], reported["code-helper"]["violation"]) == ("strip", True)


def test_the_event_log_still_covers_every_row(narrowed):
    db, env = narrowed
    done = run_cli("registry", "verify", "--db", db, env=env)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_rescanning_a_source_replaces_what_it_showed(tmp_path):
    db, env = str(tmp_path / "reg.db"), {"AUDIT_HOME": str(tmp_path / "home"), "CI": "true"}
    assert run_cli("registry", "import", "samples/workloads.yaml", "--db", db, env=env).returncode == 0
    log = tmp_path / "helper.txt"
    log.write_text(PLAINTEXT.read_text())
    other = tmp_path / "other.txt"
    other.write_text("how do I reverse a list in python?\n")
    run_cli("scan", str(log), str(other), "--workload", "code-helper", "--db", db, *QUIET, env=env)
    log.write_text("how do I sort a dict by value?\n")
    run_cli("scan", str(log), "--workload", "code-helper", "--db", db, *QUIET, env=env)
    shown = _json(db, env, "registry", "show", "code-helper", "--json")
    assert shown["status"]["decision"] == "unrestricted" and shown["findings_by_type"] == {}
    assert {s["source"] for s in shown["sources"]} == {str(log), str(other)}


def test_a_mistyped_path_records_no_failed_scan(tmp_path):
    db, env = str(tmp_path / "reg.db"), {"AUDIT_HOME": str(tmp_path / "home"), "CI": "true"}
    assert run_cli("registry", "import", "samples/workloads.yaml", "--db", db, env=env).returncode == 0
    done = run_cli("scan", "no-such-file.log", "--workload", "code-helper", "--db", db, env=env)
    assert done.returncode == 3
    assert "no-such-file.log: no such file or directory" in done.stderr.decode()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM scans").fetchone() == (0,)
    history = _json(db, env, "registry", "history", "code-helper", "--json")
    assert not [h for h in history if h["type"] == "scan"]
