"""Vertex AI request-response logging, exported from BigQuery (bq --format=json arrays, JSONL)."""

from __future__ import annotations

import pytest

from ._fixtures import CARD, MRN, by_id, entities_by_role, read_fixture, said

SUMMARY, BILLING = "6823510749917634560", "6823510749917634561"


@pytest.mark.parametrize("name", ["vertex/bq_rows.json", "vertex/export.jsonl"])
def test_rows_read_prompt_answer_and_workload(name):
    records = by_id(read_fixture(name))
    summary = records[SUMMARY]
    assert said(summary, "system") == "You are the intake assistant of Riverside Clinic."
    assert MRN in said(summary, "user") and CARD not in said(summary, "user")
    assert CARD in said(summary, "assistant")
    assert summary.workload == "clinic-intake"


@pytest.mark.parametrize("name", ["vertex/bq_rows.json", "vertex/export.jsonl"])
def test_gemini_columns_with_a_function_call_and_a_streamed_answer(name):
    billing = by_id(read_fixture(name))[BILLING]
    roles = [m.role for m in billing.messages if not m.path]
    assert roles == ["user", "assistant", "user", "assistant"]  # 'model' turns are the assistant's
    assert '"mrn": "00482913"' in said(billing, "assistant")
    assert f"The card on file is {CARD}." in said(billing, "assistant")  # chunks joined
    assert billing.workload == "clinic-billing"


def test_scanner_finds_mrn_and_card(context):
    found = entities_by_role(context, "vertex/bq_rows.json")
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}


def test_batch_prediction_output_lines():
    (record,) = read_fixture("vertex/batch_prediction.jsonl")
    assert MRN in said(record, "user") and said(record, "assistant") == f"The card on file is {CARD}."
    assert record.workload == "clinic-billing"
