"""Store fixtures: a real registry database per test, SQLite file or PostgreSQL.

Set AUDIT_TEST_PG_URL (e.g. postgresql+psycopg://audit:audit@localhost/audit_test)
to run the `db_url`-parametrized tests on PostgreSQL too; that database is
wiped (schema public dropped) before each test that uses it. `.ci/postgres.sh`
starts a throwaway server and sets it. With AUDIT_REQUIRE_PG=1 (as `.ci/run`
sets) those tests fail instead of skipping when the URL is unset.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from audit.model import Evaluation, Finding, RecordResult, RuleHit, Tier

PG_URL = os.environ.get("AUDIT_TEST_PG_URL")
REQUIRE_PG = os.environ.get("AUDIT_REQUIRE_PG") == "1"  # .ci/run sets it: without a URL the PostgreSQL tests fail
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql", marks=pytest.mark.skipif(not PG_URL and not REQUIRE_PG, reason="AUDIT_TEST_PG_URL unset")
    ),
]


def _wipe_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """A registry URL on each backend: a fresh SQLite file, or the wiped PostgreSQL test database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    if not PG_URL:
        pytest.fail("AUDIT_REQUIRE_PG=1 but AUDIT_TEST_PG_URL is unset: the PostgreSQL tests cannot run")
    _wipe_pg(PG_URL)
    return PG_URL


@pytest.fixture
def registry(db_url):
    """An open Registry on `db_url`."""
    from audit.store.registry import Registry

    reg = Registry.open(db_url)
    yield reg
    reg.close()


@pytest.fixture
def make():
    """Builders for synthetic, value-free results: make.finding(...), make.result(...)."""

    class Make:
        finding = staticmethod(_finding)
        result = staticmethod(_result)

    return Make


def _finding(entity: str, fp: str, masked: str = "***", message: int = 0, start: int = 0) -> Finding:
    """A masked finding with a chosen fingerprint."""
    return Finding(message, "user", start, start + 5, entity, 0.9, "test", masked, fp)


def _result(workload: str | None, findings=(), hits=(), record_id: str = "1") -> RecordResult:
    """A RecordResult whose decision is the strictest of `hits` (each: (rule, tier, finding indexes))."""
    rule_hits = tuple(
        RuleHit(policy="pack", rule=rule, regulation="HIPAA", citation="45 CFR 160.103", decision=tier, findings=idx)
        for rule, tier, idx in hits
    )
    decision = min((h.decision for h in rule_hits), key=lambda t: t.rank, default=Tier.UNRESTRICTED)
    regs = ("HIPAA",) if rule_hits else ()
    return RecordResult(
        "log.jsonl", record_id, int(record_id), workload, tuple(findings), Evaluation(decision, regs, rule_hits)
    )


SAMPLE_MANIFEST = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"


def populate(url: str) -> None:
    """Workloads, endpoints, data flows, a waiver, a completed scan (1) and a failed one (2) in the registry at `url`."""
    from datetime import date, timedelta

    from audit.store.recorder import ScanRecorder
    from audit.store.registry import Registry
    from audit.summary import ScanSummary

    registry = Registry.open(url)
    registry.import_manifest(SAMPLE_MANIFEST)
    registry.waive("patient-intake", "privacy", "accepted", date.today() + timedelta(days=30), rule="ccpa-pi")
    findings = (_finding("MEDICAL_RECORD_NUMBER", "fp-mrn", "00****13"), _finding("PERSON", "fp-name"))
    result = _result("patient-intake", findings, (("hipaa-phi", Tier.SELF_HOSTED, (0,)),))
    summary = ScanSummary()
    summary.add(result)
    with ScanRecorder(registry, policy_identity="hipaa@1") as rec:
        rec.add(result)
        rec.finish(summary)
    failed = ScanRecorder(registry)
    failed.start()
    failed.fail("stopped")
    registry.close()
