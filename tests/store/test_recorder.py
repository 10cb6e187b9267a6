"""ScanRecorder: decisions, violations, waivers, and all-or-nothing writes."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from audit.model import Tier
from audit.store import views
from audit.store.db import read_session
from audit.store.models import Decision, FindingRow, Scan, Waiver
from audit.store.recorder import ScanRecorder
from audit.summary import ScanSummary

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"
PHI = ("hipaa-phi", Tier.SELF_HOSTED, (0,))
PII = ("ccpa-pi", Tier.REDACT_THEN_CLOSED, (1,))


def run(registry, results, identity="hipaa@1.0.0#abc") -> list[Decision]:
    summary = ScanSummary()
    with ScanRecorder(registry, policy_identity=identity) as rec:
        for r in results:
            summary.add(r)
            rec.add(r)
        return rec.finish(summary)


def phi_record(make, workload="patient-intake", fp="fp-mrn", record_id="1"):
    findings = (make.finding("MEDICAL_RECORD_NUMBER", fp, "00****13"), make.finding("PERSON", "fp-name", "M****"))
    return make.result(workload, findings, (PHI, PII), record_id)


def count(registry, model, **where) -> int:
    with read_session(registry.engine) as s:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return s.scalar(stmt)


def test_closed_api_workload_with_phi_is_a_violation(registry, make):
    registry.import_manifest(SAMPLE)
    decisions = run(registry, [phi_record(make), make.result("contract-review", (), (PHI,), "2")])
    by = {d.workload: d for d in decisions}
    assert by["patient-intake"].tier == "self_hosted" and by["patient-intake"].violation
    assert by["contract-review"].tier == "self_hosted" and not by["contract-review"].violation  # self-hosted: fine
    assert by["patient-intake"].rationale["top"][0]["rule"] == "hipaa-phi"
    status = {r.name: r for r in views.list_workloads(registry)}
    assert status["patient-intake"].violation and status["patient-intake"].regulations == ["HIPAA"]
    assert status["code-helper"].decision is None
    detail = views.show_workload(registry, "patient-intake")
    assert detail.findings_by_type == {"MEDICAL_RECORD_NUMBER": 1, "PERSON": 1}


def test_scan_row_records_inputs_counts_and_policy(registry, make, tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"{}\n")
    r = phi_record(make)
    r = type(r)(str(log), r.record_id, r.line, r.workload, r.findings, r.evaluation)
    summary = ScanSummary(sources=[str(log)])
    with ScanRecorder(registry, policy_identity="packs#1") as rec:
        summary.add(r)
        rec.add(r)
        rec.finish(summary)
    with read_session(registry.engine) as s:
        scan = s.scalars(select(Scan)).one()
        rules = s.scalars(select(FindingRow.rule_ids).order_by(FindingRow.id)).all()
    assert scan.status == "completed" and scan.policy_identity == "packs#1"
    assert scan.inputs == [{"path": str(log), "size": 3, "sha256": hashlib.sha256(b"{}\n").hexdigest()}]
    assert (scan.records_read, scan.findings_count, scan.by_decision) == (1, 2, {"self_hosted": 1})
    assert rules == [["hipaa-phi"], ["ccpa-pi"]]


def test_failed_scan_leaves_no_rows_and_is_marked_failed(registry, make):
    registry.import_manifest(SAMPLE)
    with pytest.raises(RuntimeError):
        with ScanRecorder(registry) as rec:
            rec.add(phi_record(make))
            raise RuntimeError("reader blew up")
    with read_session(registry.engine) as s:
        scan = s.scalars(select(Scan)).one()
    assert scan.status == "failed" and "RuntimeError" in scan.error
    assert count(registry, FindingRow) == 0 and count(registry, Decision) == 0
    assert registry.verify().ok


def test_rule_waiver_at_scan_time_and_after(registry, make):
    registry.import_manifest(SAMPLE)
    run(registry, [phi_record(make)])
    assert views.list_workloads(registry, decision="self_hosted")[0].name == "patient-intake"
    registry.waive(
        "patient-intake", "privacy@clinic", "synthetic test data", date.today() + timedelta(days=7), rule="hipaa-phi"
    )
    # A waiver granted after the scan changes the listed decision without a rescan...
    status = views.show_workload(registry, "patient-intake").status
    assert (status.decision, status.violation) == ("redact_then_closed", False)
    # ...and applies while the next scan is recorded.
    decision = run(registry, [phi_record(make)])[0]
    assert (decision.raw_tier, decision.tier, decision.rationale["waived"]) == (
        "self_hosted",
        "redact_then_closed",
        {"rule": 1},
    )


def test_fingerprint_waiver_drops_rules_fired_only_by_that_value(registry, make):
    registry.import_manifest(SAMPLE)
    registry.waive(
        "patient-intake", "privacy@clinic", "test MRN", date.today() + timedelta(days=7), fingerprint="fp-mrn"
    )
    waived = run(registry, [phi_record(make, fp="fp-mrn")])[0]
    assert (waived.tier, waived.violation) == ("redact_then_closed", False)
    other = run(registry, [phi_record(make, fp="fp-other")])[0]
    assert (other.tier, other.violation) == ("self_hosted", True)


def test_expired_waivers_do_not_apply(registry, make):
    registry.import_manifest(SAMPLE)
    registry.waive("patient-intake", "p", "r", date.today() + timedelta(days=1), rule="hipaa-phi")
    with registry.engine.begin() as conn:  # age the waiver: it expired yesterday
        conn.execute(update(Waiver).values(expires=date.today() - timedelta(days=1)))
    assert run(registry, [phi_record(make)])[0].tier == "self_hosted"


def test_stale_and_owner_filters(registry, make):
    registry.import_manifest(SAMPLE)
    run(registry, [phi_record(make)])
    assert {r.name for r in views.list_workloads(registry, stale_days=1)} == {
        "card-support",
        "contract-review",
        "code-helper",
    }
    assert [r.name for r in views.list_workloads(registry, owner="devex@example.com")] == ["code-helper"]
    assert [r.name for r in views.list_workloads(registry, regulation="hipaa")] == ["patient-intake"]
    assert [r.name for r in views.list_workloads(registry, decision="none")] == [
        "card-support",
        "code-helper",
        "contract-review",
    ]


def test_history_lists_scans_and_changes(registry, make):
    registry.import_manifest(SAMPLE)
    run(registry, [phi_record(make)])
    run(registry, [make.result("patient-intake", (), (), "1")])
    rows = views.history(registry, "patient-intake")
    scans = [r for r in rows if r["type"] == "scan"]
    assert [s["decision"] for s in scans] == ["unrestricted", "self_hosted"]
    assert rows[-1]["type"] == "workload.added"


def test_dead_running_scan_is_reaped_as_failed(registry):
    rec = ScanRecorder(registry)
    scan_id = rec.start()
    with registry.engine.begin() as conn:  # pretend it belonged to a process that is gone
        conn.exec_driver_sql(f"UPDATE scans SET pid = 999999999 WHERE id = {scan_id}")
    assert registry.reap_stale_scans() == [scan_id]
    with read_session(registry.engine) as s:
        assert s.get(Scan, scan_id).status == "failed"


def test_tally_agrees_with_policy_aggregate(make):
    from audit.policy.aggregate import aggregate
    from audit.store.decide import ActiveWaivers, WorkloadTally

    results = [phi_record(make, record_id=str(i)) for i in range(1, 4)] + [make.result("w", (), (PII,), "9")]
    tally = WorkloadTally()
    for r in results:
        tally.add(r, ActiveWaivers())
    expected = aggregate(results)
    assert tally.tier == expected.tier
    assert [(r["rule"], r["records"]) for r in tally.rationale()["rules"]] == [
        (x.rule, x.records) for x in expected.reasons
    ]
