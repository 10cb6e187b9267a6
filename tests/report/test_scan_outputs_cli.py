"""`audit scan` with several outputs, baselines and --since, through the real CLI."""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest
import xmlschema
from junitparser import JUnitXml

from tests.conftest import REPO, run_cli

from .conftest import FIXTURES

RAW = ("maria.lopez@example.org", "ops-team@example.net", "jane.roe@example.com")
pytestmark = pytest.mark.slow


@pytest.fixture
def logs(tmp_path):
    """The two fixture logs copied into a scratch working directory."""
    for name in ("chat.jsonl", "notes.txt"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def records(proc) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.decode().splitlines() if line.startswith("{")]


def test_sarif_and_junit_in_one_run_validate(logs):
    proc = run_cli("scan", ".", "--sarif", "out.sarif", "--junit", "out.xml", "--github-annotations", cwd=logs)
    assert proc.returncode == 1, proc.stderr.decode()  # the fixtures reach the default gate
    sarif = json.loads((logs / "out.sarif").read_text())
    jsonschema.validate(sarif, json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text()))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"chat.jsonl", "notes.txt"}
    xml = JUnitXml.fromfile(str(logs / "out.xml"))
    assert {s.name for s in xml} == {"chat.jsonl", "notes.txt"}
    xmlschema.XMLSchema(str(REPO / "tests" / "fixtures" / "junit-10.xsd")).validate(str(logs / "out.xml"))
    out = proc.stdout.decode()
    assert "Scan summary" in out and "::error file=notes.txt,line=2" in out  # at the gate: an error
    for raw in RAW:
        assert (
            raw not in out and raw not in (logs / "out.sarif").read_text() and raw not in (logs / "out.xml").read_text()
        )


def test_baseline_round_trip_hides_exactly_the_accepted_findings(logs):
    created = run_cli("baseline", "create", "chat.jsonl", "-o", ".llm-audit-baseline.json", cwd=logs)
    assert created.returncode == 0, created.stderr.decode()
    text = (logs / ".llm-audit-baseline.json").read_text()
    assert all(raw not in text for raw in RAW)

    scanned = run_cli("scan", ".", "-o", "jsonl", "--baseline", ".llm-audit-baseline.json", cwd=logs)
    assert scanned.returncode == 1, scanned.stderr.decode()  # notes.txt, not baselined, still reaches it
    assert {r["source"] for r in records(scanned)} == {"notes.txt"}  # chat.jsonl was fully accepted

    with (logs / "chat.jsonl").open("a") as fh:
        fh.write('{"id": "req-4", "messages": [{"role": "user", "content": "cc new.person@example.org"}]}\n')
    again = run_cli("scan", "chat.jsonl", "-o", "jsonl", "--baseline", ".llm-audit-baseline.json", cwd=logs)
    new = records(again)
    assert [r["record"] for r in new] == ["req-4"]
    assert "accepted findings hidden" in again.stderr.decode()

    # accept everything: nothing is reported and nothing gates, whatever the policy decided
    assert run_cli("baseline", "create", ".", "-o", ".llm-audit-baseline.json", cwd=logs).returncode == 0
    quiet = run_cli(
        "scan",
        ".",
        "-o",
        "jsonl",
        "--baseline",
        ".llm-audit-baseline.json",
        "--fail-on",
        "redact_then_closed",
        cwd=logs,
    )
    assert quiet.returncode == 0 and records(quiet) == [], quiet.stderr.decode()


def test_since_scans_only_changed_and_untracked_files(logs):
    def git(*args):
        subprocess.run(["git", *args], cwd=logs, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "chat.jsonl", "notes.txt")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "logs")
    with (logs / "notes.txt").open("a") as fh:
        fh.write("Ping sam.smith@example.com tomorrow.\n")
    (logs / "fresh.txt").write_text("write to lee.kim@example.com\n")
    proc = run_cli("scan", ".", "-o", "json", "--since", "HEAD", cwd=logs)
    assert proc.returncode == 1, proc.stderr.decode()  # the fixtures reach the default gate
    assert sorted(json.loads(proc.stdout)["summary"]["sources"]) == ["fresh.txt", "notes.txt"]
    assert "2 changed files" in proc.stderr.decode()


@pytest.mark.parametrize("rev", ["--output=victim.txt", "-p", "HEAD --output=victim.txt", "no-such-rev"])
def test_since_never_passes_an_option_to_git(logs, rev):
    from audit.baseline import changed_files
    from audit.errors import ConfigError

    subprocess.run(["git", "init", "-q"], cwd=logs, check=True)
    git_id = ["-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", *git_id, "commit", "-q", "--allow-empty", "-m", "x"], cwd=logs, check=True)
    victim = logs / "victim.txt"
    victim.write_text("keep me")
    with pytest.raises(ConfigError, match="--since"):
        changed_files(rev, ["."], cwd=str(logs))
    assert victim.read_text() == "keep me"


def test_the_baseline_recipe_exits_0_with_a_registry_and_counts_accepted_records(tmp_path):
    """docs/ci.md's recipe, with a registry beside it: accepted findings neither gate nor read as unrestricted."""
    logs = tmp_path / "logs"
    shutil.copytree(REPO / "samples" / "logs", logs)
    shutil.copy(REPO / "samples" / "workloads.yaml", tmp_path / "workloads.yaml")
    assert run_cli("registry", "import", "workloads.yaml", cwd=tmp_path).returncode == 0  # ./llm-audit.db
    made = run_cli("baseline", "create", "logs/", "-o", ".llm-audit-baseline.json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr.decode()
    scan = run_cli("scan", "logs/", "--baseline", ".llm-audit-baseline.json", "-o", "json", cwd=tmp_path)
    assert scan.returncode == 0, scan.stderr.decode()
    summary = json.loads(scan.stdout)["summary"]
    assert summary["records_with_findings"] == 0 and summary["records_accepted"] > 0
    assert summary["by_decision"].get("unrestricted", 0) + summary["records_accepted"] == summary["records_read"]
