"""`audit report` after real scans: the registry path and the JSON-scan path, through the CLI."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from junitparser import JUnitXml

from tests.conftest import REPO, SAMPLES, run_cli

from .conftest import FIXTURES

pytestmark = pytest.mark.slow
RAW = ("maria.lopez@example.org", "ops-team@example.net", "jane.roe@example.com")


def test_report_from_registry_and_from_scan_json(tmp_path):
    (tmp_path / "logs").mkdir()
    for name in ("chat.jsonl", "notes.txt"):
        shutil.copy(FIXTURES / name, tmp_path / "logs" / name)
    db = str(tmp_path / "reg.db")
    for _ in range(2):
        scanned = run_cli(
            "scan", "logs", "--db", db, "--registry", "-q", "-o", "json", "--out", "scan.json", cwd=tmp_path
        )
        assert scanned.returncode == 1, scanned.stderr.decode()  # the fixtures reach the default gate
    made = run_cli("report", "--format", "html", "-o", "report.html", "--db", db, cwd=tmp_path)
    assert made.returncode == 0, made.stderr.decode()
    doc = (tmp_path / "report.html").read_text()
    assert doc.count("<svg") == 5 and "<script" not in doc
    assert all(raw not in doc for raw in RAW)
    for fmt in ("markdown", "json"):
        out = run_cli("report", "--format", fmt, "--from-scan", "scan.json", cwd=tmp_path)
        assert out.returncode == 0, out.stderr.decode()
        assert all(raw not in out.stdout.decode() for raw in RAW)
    assert json.loads(run_cli("report", "-f", "json", "--from-scan", "scan.json", cwd=tmp_path).stdout)["workloads"]


def test_report_rejects_an_unknown_format(tmp_path):
    proc = run_cli("report", "--format", "pdf", cwd=tmp_path)
    assert proc.returncode == 2 and b"unknown report format" in proc.stderr


@pytest.mark.skipif(not (SAMPLES / "logs").is_dir(), reason="samples not present")
def test_samples_sarif_junit_and_html_report_hold_no_planted_values(tmp_path):
    db = str(tmp_path / "reg.db")
    sarif, junit, html = tmp_path / "out.sarif", tmp_path / "out.xml", tmp_path / "report.html"
    proc = run_cli(
        "scan", "samples/", "--db", db, "--registry", "-q", "--sarif", str(sarif), "--junit", str(junit), cwd=REPO
    )
    assert proc.returncode == 1, proc.stderr.decode()  # the samples reach the default gate
    jsonschema.validate(json.loads(sarif.read_text()), json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text()))
    assert JUnitXml.fromfile(str(junit)).tests > 0
    made = run_cli("report", "--format", "html", "-o", str(html), "--db", db, cwd=REPO)
    assert made.returncode == 0, made.stderr.decode()
    planted = [v for v in (REPO / "tests/fixtures/sample_values.txt").read_text().splitlines() if v]
    for path in (sarif, junit, html):
        text = path.read_text()
        assert [v for v in planted if v in text] == [], path.name
        assert proc.stdout.decode().count("::") == 0
