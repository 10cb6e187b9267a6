"""`audit policy list|show|lint|test` and `audit explain` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures"


def test_policy_list_shows_every_pack_and_identity():
    proc = run_cli("policy", "list")
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    for pack in ("hipaa", "42-cfr-2", "pci-dss", "glba", "legal-privilege", "gdpr", "ccpa"):
        assert f"\npack id={pack} " in "\n" + out
    assert "identity: 42-cfr-2@" in out


def test_policy_show_rule():
    proc = run_cli("policy", "show", "pci-full-pan")
    out = proc.stdout.decode()
    assert proc.returncode == 0
    assert "citation:    PCI DSS v4.0.1 3.4.1" in out and "self_hosted -> closed_with_agreement with PCI_AOC" in out


def test_policy_show_unknown_is_usage_error():
    proc = run_cli("policy", "show", "nope")
    assert proc.returncode == 2 and b"no pack or rule named 'nope'" in proc.stderr


def test_policy_lint_builtin_is_clean():
    proc = run_cli("policy", "lint")
    assert proc.returncode == 0 and b"0 error(s), 0 warning(s)" in proc.stdout


def test_policy_lint_reports_every_broken_fixture(tmp_path):
    proc = run_cli("policy", "lint", *[str(p) for p in sorted(FIXTURES.glob("*.yaml"))])
    out = proc.stdout.decode()
    assert proc.returncode == 2
    assert "trigger.scope: Input should be 'message' or 'record'" in out
    assert "unknown agreement 'HANDSHAKE'" in out
    assert "invalid YAML" in out


def test_scan_with_broken_user_pack_fails_with_one_line(tmp_path):
    (tmp_path / "bad.yaml").write_text((FIXTURES / "bad-scope.yaml").read_text())
    (tmp_path / "audit.toml").write_text(f'policy_dirs = ["{tmp_path}"]\n')
    proc = run_cli("policy", "list", cwd=tmp_path)
    assert proc.returncode == 2
    assert b"trigger.scope: Input should be 'message' or 'record'" in proc.stderr


def test_explain_rescans_a_record_under_a_workload(tmp_path):
    log = tmp_path / "chat.jsonl"
    text = "Patient John Smith, MRN 48213377, was admitted with pneumonia."
    log.write_text(json.dumps({"id": "r1", "messages": [{"role": "user", "content": text}]}) + "\n")
    proc = run_cli("explain", str(log), "--record", "r1", "--hipaa-entity", "business_associate", "--agreement", "BAA")
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert "decision closed_with_agreement; regulations HIPAA" in out
    assert "fired hipaa-phi-identifier-with-health-context" in out
    assert "John" not in out and "48213377" not in out


def test_explain_reads_a_findings_line_without_rescanning(tmp_path):
    line = {
        "source": "x.jsonl", "record": "r9", "line": 3, "workload": None, "decision": "self_hosted",
        "regulations": ["PCI-DSS"], "rules": [],
        "findings": [{"message": 0, "role": "user", "start": 5, "end": 21, "entity_type": "CREDIT_CARD",
                      "score": 1.0, "recognizer": "r", "masked": "************1111", "fingerprint": "f"}],
        "context": [],
    }  # fmt: skip
    path = tmp_path / "find.jsonl"
    path.write_text(json.dumps(line) + "\n")
    proc = run_cli("explain", str(path), "--record", "r9")
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert "from findings file" in out and "fired pci-full-pan" in out


def test_explain_decides_as_the_scan_did_with_the_registry_and_the_records_workload(tmp_path):
    """A record tagged with a registered workload: explain uses its profile, as scan does (issue 15, item 1)."""
    repo = Path(__file__).resolve().parents[2]
    db, log = tmp_path / "reg.db", repo / "samples" / "logs" / "litellm_card_support.jsonl"
    assert run_cli("registry", "import", str(repo / "samples" / "workloads.yaml"), "--db", str(db)).returncode == 0
    scan = run_cli("scan", str(log), "--db", str(db), "-o", "jsonl", "--fail-on", "never", "--no-cache")
    assert scan.returncode == 0, scan.stderr
    scanned = {line["record"]: line for line in map(json.loads, scan.stdout.decode().splitlines())}
    assert scanned["litellm-card-0004"]["workload"] == "card-support"
    findings = tmp_path / "find.jsonl"
    findings.write_bytes(scan.stdout)
    for record, line in scanned.items():  # from the findings file (fast), and one record re-scanned from the log
        source = log if record == "litellm-card-0004" else findings
        proc = run_cli("explain", str(source), "--record", record, "--db", str(db))
        out = proc.stdout.decode()
        assert proc.returncode == 0, proc.stderr
        assert f"; workload {line['workload']}\n" in out
        assert f"decision {line['decision']}; " in out, (record, out)
