"""One shared fixture scan for every output format: constructed results, no engine needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.model import Evaluation, Finding, ReadError, RecordResult, RuleHit, Tier
from audit.summary import ScanSummary

FIXTURES = Path(__file__).parent / "fixtures"
# Raw values behind the masked findings below: no output may contain them.
RAW_VALUES = ("123-45-6789", "john.doe@example.com", "John Doe", "4111111111111111")
XSS = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


def finding(entity, masked, fp, start=0, end=5, message=0, kind="identifier", role="user") -> Finding:
    """A finding with a masked preview and no raw value."""
    return Finding(message, role, start, end, entity, 0.9, "test", masked, fp * 32 if len(fp) == 1 else fp, kind)


def hit(rule, decision, findings=(), regulation="HIPAA", policy="hipaa") -> RuleHit:
    """A fired rule."""
    return RuleHit(
        policy=policy,
        rule=rule,
        regulation=regulation,
        citation="45 CFR 164.502",
        decision=decision,
        description=f"{rule} description",
        remediation="Keep it on a self-hosted model.",
        findings=tuple(findings),
        reason=f"{rule} fired",
    )


def make_results() -> list[RecordResult]:
    """Five records: PHI, a plain-text email, a finding-less rule, a hostile id, and a clean one."""
    ssn = finding("US_SSN", "***-**-6789", "a", 20, 31)
    name = finding("PERSON", "J*** D**", "b", 8, 16)
    diagnosis = finding("DIAGNOSIS", "d********", "c", 40, 49, kind="context")
    phi = RecordResult(
        "logs/chat.jsonl",
        "req-1",
        3,
        "billing",
        (ssn, name, diagnosis),
        Evaluation(Tier.SELF_HOSTED, ("HIPAA",), (hit("phi-closed-api", Tier.SELF_HOSTED, (0, 2)),)),
    )
    email = RecordResult(
        "logs/notes.txt", "2", 2, None, (finding("EMAIL_ADDRESS", "j***.d**@e******.c**", "e", 10, 30),)
    )
    ruled = RecordResult(
        "logs/chat.jsonl",
        "req-2",
        4,
        "billing",
        (),
        Evaluation(
            Tier.CLOSED_WITH_AGREEMENT, ("GDPR",), (hit("gdpr-art9", Tier.CLOSED_WITH_AGREEMENT, (), "GDPR", "gdpr"),)
        ),
    )
    hostile = RecordResult(
        "logs/chat.jsonl",
        f"{XSS}%,:\nx",
        5,
        f"wl{IMG}",
        (finding("CREDIT_CARD", "************1111", "f", 0, 16),),
        Evaluation(
            Tier.REDACT_THEN_CLOSED, ("PCI-DSS",), (hit("pan", Tier.REDACT_THEN_CLOSED, (0,), "PCI-DSS", "pci"),)
        ),
    )
    clean = RecordResult("logs/notes.txt", "1", 1, None, ())
    return [phi, email, ruled, hostile, clean]


@pytest.fixture
def results() -> list[RecordResult]:
    """The shared fixture results."""
    return make_results()


@pytest.fixture
def summary(results) -> ScanSummary:
    """The summary of the shared results, with one unreadable record."""
    s = ScanSummary()
    for r in results:
        s.add(r)
        if r.source not in s.sources:
            s.sources.append(r.source)
    s.add_error(ReadError("logs/chat.jsonl", 9, "invalid JSON: Expecting value at column 1"))
    return s


def render(format_cls, results, summary, **options) -> str:
    """Run results through a format and return what it wrote."""
    import io

    from audit.report.formats import FormatOptions

    out = io.StringIO()
    fmt = format_cls(out, FormatOptions(tool_version="9.9", **options))
    for r in results:
        fmt.add(r)
    fmt.finish(summary)
    return out.getvalue()


@pytest.fixture(scope="module")
def samples_registry(tmp_path_factory):
    """(registry URL, scan JSON path, env) after `audit registry import samples/workloads.yaml` and one scan of samples/."""
    from tests.conftest import SAMPLES, run_cli

    if not (SAMPLES / "logs").is_dir():
        pytest.skip("samples not present")
    tmp = tmp_path_factory.mktemp("samples-registry")
    env = {"AUDIT_HOME": str(tmp / "home"), "AUDIT_DB": ""}
    db = str(tmp / "reg.db")
    imported = run_cli("registry", "import", "samples/workloads.yaml", "--db", db, env=env)
    assert imported.returncode == 0, imported.stderr.decode()
    scan_json = tmp / "scan.json"
    scanned = run_cli("scan", "samples/", "--db", db, "-q", "-o", "json", "--out", str(scan_json), env=env)
    assert scanned.returncode == 1, scanned.stderr.decode()  # the samples reach the default gate
    return f"sqlite:///{db}", scan_json, env
