"""The samples end to end: one flow violation and one drift finding, each explained, everywhere they must appear.

One real run (import the manifest, scan samples/logs) feeds `flows check`, `registry show`,
`registry list` and the three report formats. The manifest is checked again after it is gone:
the registry alone must answer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES, run_cli

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SAMPLES / "logs").is_dir(), reason="samples not present"),
]
PLANTED = [v for v in (REPO / "tests/fixtures/sample_values.txt").read_text().splitlines() if v]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A workdir with a copy of the samples, imported and scanned into ./llm-audit.db."""
    work = tmp_path_factory.mktemp("samples-flows")
    shutil.copytree(SAMPLES, work / "samples")
    done = run_cli("registry", "import", "samples/workloads.yaml", cwd=work)
    assert done.returncode == 0, done.stderr.decode()
    done = run_cli("scan", "samples/logs", "--fail-on", "never", "-q", cwd=work)
    assert done.returncode == 0, done.stderr.decode()
    return work


def _no_values(text: str) -> None:
    assert [v for v in PLANTED if v in text] == []


def test_flows_check_yields_one_violation_and_one_drift(run):
    proc = run_cli("flows", "check", "samples/workloads.yaml", "--format", "json", cwd=run)
    assert proc.returncode == 1, proc.stderr.decode()
    data = json.loads(proc.stdout)
    [violation] = data["violations"]
    assert (violation["workload"], violation["category"], violation["required"]) == (
        "patient-intake",
        "user.health_and_medical",
        "self_hosted",
    )
    assert "needs BAA" in violation["explanation"] and violation["regulations"] == ["HIPAA"]
    # card security codes: strip everywhere, never admitted by card-support's declared parent (issue 25)
    card, drift = data["drift"]
    assert (card["workload"], card["category"], card["required"]) == (
        "card-support",
        "user.financial.credit_card.authentication_data",
        "strip",
    )
    assert (drift["workload"], drift["category"], drift["required"]) == (
        "code-helper",
        "user.authorization.credentials",
        "strip",
    )
    assert set(drift["entities"]) == {"API_KEY", "CONNECTION_STRING"} and "may not receive it" in drift["explanation"]
    assert data["undeclared"] and all(u["kind"] == "undeclared" for u in data["undeclared"])
    assert "card-support" not in {v["workload"] for v in data["violations"]}  # masked before the closed API
    _no_values(proc.stdout.decode())


def test_registry_show_and_list_carry_flows_violations_and_drift(run):
    intake = run_cli("registry", "show", "patient-intake", cwd=run)
    assert intake.returncode == 0, intake.stderr.decode()
    text = intake.stdout.decode()
    assert "intake-chat -> primary: user.health_and_medical" in text
    assert "FLOW VIOLATION user.health_and_medical" in text and "164.502(e)" in text
    helper = run_cli("registry", "show", "code-helper", "--json", cwd=run)
    checks = json.loads(helper.stdout)["flow_checks"]
    assert [(d["category"], d["kind"]) for d in checks["drift"]] == [("user.authorization.credentials", "drift")]
    assert checks["violations"] == [] and checks["failed"] is True
    rows = {r["name"]: r for r in json.loads(run_cli("registry", "list", "--format", "json", cwd=run).stdout)}
    assert (rows["patient-intake"]["flow_violations"], rows["code-helper"]["drift"]) == (1, 1)
    assert rows["card-support"]["flow_violations"] == 0 and rows["card-support"]["drift"] == 1  # its CVVs
    _no_values(text + helper.stdout.decode())


def test_reports_carry_the_violation_and_the_drift(run):
    md = run_cli("report", "--format", "markdown", cwd=run)
    assert md.returncode == 0, md.stderr.decode()
    text = md.stdout.decode()
    assert "## Data flows" in text and "1 flow violation, 2 drift findings" in text
    assert "| patient\\-intake | **flow violation** | user\\.health\\_and\\_medical |" in text
    assert "| code\\-helper | **drift** | user\\.authorization\\.credentials |" in text
    summary = json.loads(run_cli("report", "--format", "json", cwd=run).stdout)["summary"]
    assert (summary["flow_violations"], summary["drift"]) == (["patient-intake"], ["card-support", "code-helper"])
    html = run_cli("report", "--format", "html", cwd=run).stdout.decode()
    assert "<h2>Data flows</h2>" in html and "needs BAA for a closed API" in html and "API_KEY x3" in html
    _no_values(text + html)


def test_the_registry_answers_once_the_manifest_is_gone(run, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(run / "llm-audit.db", db)
    shown = run_cli("registry", "show", "code-helper", "--db", str(db), cwd=tmp_path)
    assert shown.returncode == 0 and "DRIFT user.authorization.credentials" in shown.stdout.decode()
    checked = run_cli("flows", "check", "--db", str(db), "--format", "json", cwd=tmp_path)  # no manifest anywhere
    assert checked.returncode == 1, checked.stderr.decode()
    data = json.loads(checked.stdout)
    assert [(v["workload"], v["category"]) for v in data["violations"]] == [
        ("patient-intake", "user.health_and_medical")
    ]
    assert [(d["workload"], d["category"]) for d in data["drift"]] == [
        ("card-support", "user.financial.credit_card.authentication_data"),
        ("code-helper", "user.authorization.credentials"),
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run_cli("flows", "check", cwd=empty)  # no manifest, no registry
    assert nothing.returncode == 2 and "no workloads: pass --manifest FILE" in nothing.stderr.decode()
