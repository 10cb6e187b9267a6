"""The samples decide what samples/README.md says they plant: a harmless question under a clinic's system prompt is
no PHI, a DOB is a date of birth, and a system prompt that carries a patient still counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.batch import scan_batch
from audit.model import Message, Record, Tier
from audit.readers import read_paths

INTAKE = Path(__file__).resolve().parents[2] / "samples" / "logs" / "openai_chat_patient_intake.jsonl"


@pytest.fixture(scope="module")
def intake(engine, settings, tmp_path_factory):
    """Each intake sample record's scan result, by record id."""
    from audit import policy
    from audit.fingerprint import load_secret
    from audit.pipeline import ScanContext

    ctx = ScanContext(
        settings=settings,
        engine=engine,
        policy_set=policy.load_policy_set(settings),
        secret=load_secret(tmp_path_factory.mktemp("secret")),
    )
    records = [r for r in read_paths([str(INTAKE)]) if isinstance(r, Record)]
    return ctx, {r.record_id: (r, res) for r, res in zip(records, scan_batch(ctx, records), strict=True)}


def _text(record, finding) -> str:
    return next(m.text for m in record.messages if m.index == finding.message)[finding.start : finding.end]


def test_the_harmless_clinic_hours_question_is_no_phi(intake):
    _, by_id = intake
    record, result = by_id["chatcmpl-intake-0006"]
    assert "HIPAA" not in result.evaluation.regulations
    assert result.decision is Tier.UNRESTRICTED
    people = [_text(record, f) for f in result.findings if f.entity_type == "PERSON"]
    assert "Riverbend" not in people
    assert not [f for f in result.findings if f.kind == "context" and f.entity_type == "HEALTH_CONTEXT"]


def test_a_dob_is_a_date_of_birth(intake):
    _, by_id = intake
    record, result = by_id["chatcmpl-intake-0001"]
    births = [_text(record, f) for f in result.findings if f.entity_type == "DATE_OF_BIRTH"]
    assert "03/12/1984" in births
    assert "HIPAA" in result.evaluation.regulations


def test_a_system_prompt_that_carries_a_patient_still_counts(intake):
    ctx, _ = intake
    system = "You summarise for the triage nurse. Patient: Harold Jenkins, DOB 08/30/1951, admitted with chest pain."
    record = Record("<t>", "t", 1, (Message(0, "system", system), Message(1, "user", "Summarise the case.")))
    (result,) = scan_batch(ctx, [record])
    assert "HIPAA" in result.evaluation.regulations
