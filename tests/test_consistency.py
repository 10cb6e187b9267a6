"""Every surface gives the same answer about a workload: one read model, read everywhere (issue 15)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import REPO, invoke, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """The samples imported and scanned into one registry, then a rule waived on code-helper."""
    work = tmp_path_factory.mktemp("consistency")
    db = str(work / "reg.db")
    assert run_cli("registry", "import", "samples/workloads.yaml", "--db", db).returncode == 0
    out = str(work / "scan.jsonl")
    scan = run_cli(
        "scan", "samples/logs", "--db", db, "-q", "--fail-on", "never", "--no-cache", "-o", "jsonl", "--out", out
    )
    assert scan.returncode == 0, scan.stderr.decode()
    later = (date.today() + timedelta(days=30)).isoformat()
    waive = ("--workload", "code-helper", "--rule", "credential-strip", "--owner", "o", "--reason", "r")
    assert run_cli("registry", "waive", *waive, "--expires", later, "--db", db).returncode == 0
    return work, db


def _json(*args: str):
    proc = run_cli(*args, cwd=REPO)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_registry_list_show_and_report_agree_on_decisions_and_violations(registry):
    work, db = registry
    listed = {w["name"]: w for w in _json("registry", "list", "--db", db, "--format", "json")}
    report_path = work / "report.json"
    done = run_cli("report", "--format", "json", "-o", str(report_path), "--db", db)
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(report_path.read_text())
    reported = {w["name"]: w for w in report["workloads"]}
    assert set(listed) <= set(reported)
    for name, row in listed.items():
        shown = _json("registry", "show", name, "--db", db, "--json")
        assert (reported[name]["decision"], reported[name]["violation"]) == (row["decision"], row["violation"]), name
        assert shown["status"]["decision"] == row["decision"] and shown["status"]["violation"] == row["violation"]
    assert sorted(report["summary"]["violations"]) == sorted(n for n, w in listed.items() if w["violation"])
    assert listed["code-helper"]["violation"] is False  # its only strip rule is waived


def _run_json(*args: str, code: int):
    proc = run_cli(*args, cwd=REPO)
    assert proc.returncode == code, (args, proc.stderr.decode())
    return json.loads(proc.stdout)


def test_every_surface_gives_each_workload_the_same_tier_violation_waivers_and_drift(registry):
    """registry list/show, the report, flows check, recommend and route export read one state (issue 15)."""
    work, db = registry
    listed = {w["name"]: w for w in _run_json("registry", "list", "--db", db, "--format", "json", code=0)}
    shown = {n: _run_json("registry", "show", n, "--db", db, "--json", code=0) for n in listed}
    report_path = work / "report-all.json"
    assert run_cli("report", "--format", "json", "-o", str(report_path), "--db", db).returncode == 0
    report = json.loads(report_path.read_text())
    reported = {w["name"]: w for w in report["workloads"]}
    flows = _run_json("flows", "check", "--db", db, "--format", "json", code=1)  # drift and a violation: exit 1
    recommended = {
        r["workload"]: r for r in _run_json("recommend", "--db", db, "--format", "json", code=0)["recommendations"]
    }
    export = run_cli("route", "export", "--target", "litellm", "--db", db, "-o", str(work / "litellm.yaml"))
    assert export.returncode == 0, export.stderr.decode()
    allowed = {
        line.split(":")[0]: line.split(": ")[1] == "closed API allowed"
        for line in export.stderr.decode().splitlines()
        if line.split(":")[0] in listed
    }

    drift = {d["workload"] for d in flows["drift"]}
    assert drift == set(report["summary"]["drift"]) == {n for n, s in shown.items() if s["flow_checks"]["drift"]}
    for name, row in listed.items():
        tier, violation = row["decision"], row["violation"]
        waivers = sorted(w["rule"] or w["fingerprint"] for w in shown[name]["waivers"])
        assert (shown[name]["status"]["decision"], shown[name]["status"]["violation"]) == (tier, violation), name
        assert (reported[name]["decision"], reported[name]["violation"]) == (tier, violation), name
        assert sorted(w["rule"] or w["fingerprint"] for w in reported[name]["waivers"]) == waivers, name
        assert recommended[name]["floor"] == tier, name  # the samples' scans are at least as strict as declared
        closed = any(e["hosting"] == "closed_api" for e in shown[name]["endpoints"])
        assert allowed[name] == (closed and tier not in ("strip", "self_hosted")), name
    assert listed["code-helper"]["decision"] == "redact_then_closed"  # credential-strip waived


def test_explain_and_replay_read_the_same_workloads_as_the_scan(registry):
    """explain gives each scanned record the scan's workload and decision; replay routes alike from the registry
    and from the manifest the registry was imported from."""
    work, db = registry
    lines = [json.loads(line) for line in (work / "scan.jsonl").read_text().splitlines()]
    assert len(lines) > 20
    for line in lines:  # in-process: explaining from the findings file loads no model
        code, out, err = invoke("explain", str(work / "scan.jsonl"), "--record", line["record"], "--db", db)
        assert code == 0, err
        assert f"decision {line['decision']}; " in out, (line["record"], out)
        assert f"; workload {line['workload']}" in out or line["workload"] is None, (line["record"], out)
    replay = ("route", "replay", "samples/logs", "--format", "json")
    from_registry = _run_json(*replay, "--db", db, code=0)
    assert from_registry == _run_json(*replay, "--manifest", "samples/workloads.yaml", "--db", db, code=0)
