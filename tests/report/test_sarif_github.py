"""SARIF for GitHub code scanning: rule metadata GitHub reads, and URIs under a stated root."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from audit.model import Tier
from audit.policy.loader import build_policy_set
from audit.report.formats import FORMATS
from audit.report.formats.sarif import artifact_location, git_toplevel
from audit.report.formats.sarif_rules import SECURITY_SEVERITY, md_escape, rule_descriptor, rule_name
from tests.conftest import REPO, run_cli

from .conftest import FIXTURES, render


@pytest.fixture(scope="module")
def sarif_schema():
    return json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())


def rules_of(doc) -> list[dict]:
    return doc["runs"][0]["tool"]["driver"]["rules"]


def uris_of(doc) -> set[str]:
    return {
        json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"], sort_keys=True)
        for r in doc["runs"][0]["results"]
    }


def github_bucket(severity: str) -> str:
    """How GitHub code scanning names a security-severity score."""
    score = float(severity)
    return "critical" if score > 9.0 else "high" if score >= 7.0 else "medium" if score >= 4.0 else "low"


def test_every_rule_carries_what_github_code_scanning_reads(results, summary, sarif_schema):
    policy_set = build_policy_set([REPO / "policies"])
    doc = json.loads(render(FORMATS["sarif"], results, summary, base_dir=".", policy_set=policy_set))
    jsonschema.validate(doc, sarif_schema)
    rules = rules_of(doc)
    assert len(rules) > len(policy_set.entries)  # every shipped rule, plus entity/<TYPE> catch-alls
    for rule in rules:
        props = rule["properties"]
        assert rule["name"] and rule["name"].isalnum(), rule["id"]
        assert rule["help"]["text"] and rule["help"]["markdown"], rule["id"]
        assert isinstance(props["security-severity"], str), rule["id"]
        assert 0.0 <= float(props["security-severity"]) <= 10.0, rule["id"]
        assert "security" in props["tags"], rule["id"]
    for entry in policy_set.entries:
        rule = next(r for r in rules if r["id"] == f"{entry.pack}/{entry.rule.id}")
        markdown = rule["help"]["markdown"]
        assert md_escape(entry.rule.citation) in markdown and entry.regulation in markdown
        assert rule["properties"]["decision"] == Tier(entry.rule.decision).value


@pytest.mark.parametrize(
    ("tier", "bucket", "todo"),
    [
        (Tier.STRIP, "critical", "Strip the value"),
        (Tier.SELF_HOSTED, "high", "self-hosted model"),
        (Tier.CLOSED_WITH_AGREEMENT, "medium", "agreement"),
        (Tier.REDACT_THEN_CLOSED, "low", "Redact the value before"),
    ],
)
def test_security_severity_and_remediation_follow_the_decision_tier(tier, bucket, todo):
    rule = rule_descriptor("hipaa/x", "PHI <b>sent</b>", "45 CFR 164.502(e)", "Sign a BAA.", "HIPAA", tier)
    assert rule["properties"]["security-severity"] == SECURITY_SEVERITY[tier]
    assert github_bucket(rule["properties"]["security-severity"]) == bucket
    markdown = rule["help"]["markdown"]
    assert "**Regulation:** HIPAA, 45 CFR 164.502(e)" in markdown
    assert todo in markdown and "Sign a BAA." in markdown and todo in rule["help"]["text"]
    assert "<b>" not in markdown  # pack text is shown literally, never as HTML


def test_rule_names_are_identifiers():
    assert rule_name("hipaa/phi-closed-api") == "PhiClosedApi"
    assert rule_name("entity/US_SSN") == "EntityUsSsn"


def test_a_file_outside_the_cwd_is_relative_to_the_sarif_root(tmp_path, monkeypatch, results, summary):
    logs, work = tmp_path / "repo" / "logs", tmp_path / "repo" / "work"
    logs.mkdir(parents=True)
    work.mkdir()
    monkeypatch.chdir(work)
    moved = [replace(r, source=f"../{r.source}") for r in results]
    doc = json.loads(render(FORMATS["sarif"], moved, summary, sarif_root=str(tmp_path / "repo")))
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "repo").as_uri() + "/"
    assert uris_of(doc) == {
        json.dumps({"uri": f"logs/{name}", "uriBaseId": "%SRCROOT%"}, sort_keys=True)
        for name in ("chat.jsonl", "notes.txt")
    }
    assert "../" not in json.dumps(run["results"])


def test_a_file_outside_the_root_gets_an_absolute_uri_never_dotdot(tmp_path):
    (tmp_path / "root").mkdir()
    location = artifact_location(str(tmp_path / "elsewhere" / "a b.jsonl"), str(tmp_path / "root"))
    assert location == {"uri": (tmp_path / "elsewhere" / "a b.jsonl").as_uri()}
    assert "uriBaseId" not in location and ".." not in location["uri"]


def test_the_root_defaults_to_the_git_top_level(tmp_path):
    assert git_toplevel(str(tmp_path)) is None  # not a repository: the cwd is used
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    (tmp_path / "repo" / "sub").mkdir()
    assert Path(git_toplevel(str(tmp_path / "repo" / "sub"))).samefile(tmp_path / "repo")


@pytest.mark.slow
def test_a_scan_in_a_repo_subdirectory_gets_uris_from_the_top_level(tmp_path):
    repo = tmp_path / "repo"
    (repo / "logs").mkdir(parents=True)
    for name in ("chat.jsonl", "notes.txt"):
        shutil.copy(FIXTURES / name, repo / "logs" / name)
    (repo / "other").mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)

    proc = run_cli("scan", "../logs", "--no-registry", "-q", "--sarif", "out.sarif", cwd=repo / "other")
    assert proc.returncode == 1, proc.stderr.decode()  # the fixtures hold a card number
    doc = json.loads((repo / "other" / "out.sarif").read_text())
    expected = {
        json.dumps({"uri": f"logs/{n}", "uriBaseId": "%SRCROOT%"}, sort_keys=True) for n in ("chat.jsonl", "notes.txt")
    }
    assert uris_of(doc) == expected
    assert doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"

    rooted = run_cli(
        "scan",
        "../logs",
        "--no-registry",
        "-q",
        "--sarif",
        "out2.sarif",
        "--sarif-root",
        str(tmp_path),
        cwd=repo / "other",
    )
    assert rooted.returncode == 1, rooted.stderr.decode()
    assert uris_of(json.loads((repo / "other" / "out2.sarif").read_text())) == {
        json.dumps({"uri": f"repo/logs/{n}", "uriBaseId": "%SRCROOT%"}, sort_keys=True)
        for n in ("chat.jsonl", "notes.txt")
    }
