"""Anthropic Message Batches: request files, results files, create-batch bodies."""

from __future__ import annotations

import pytest

from ._fixtures import CARD, MRN, by_id, entities_by_role, read_fixture, said


@pytest.mark.parametrize("name", ["anthropic_batch/requests.jsonl", "anthropic_batch/create_batch.json"])
def test_requests_read_params_as_the_prompt(name):
    records = by_id(read_fixture(name))
    intake = records["intake-0001"]
    assert said(intake, "system") == "You are the intake assistant of Riverside Clinic."
    assert MRN in said(intake, "user") and CARD not in said(intake, "user")
    assert said(records["billing-0002"], "user") == "Which card pays the copay for MRN 00482913?"
    assert intake.workload is None  # the Messages API has no place for one (metadata takes only user_id)


def test_results_read_the_message_as_the_answer():
    records = by_id(read_fixture("anthropic_batch/results.jsonl"))
    assert CARD in said(records["intake-0001"], "assistant")
    assert CARD in said(records["billing-0002"], "assistant")  # a tool_use input is the assistant's
    errored = records["intake-0003"]
    assert not said(errored, "assistant") and "$.result.error.error.message" in [m.path for m in errored.messages]
    assert records["intake-0004"].messages == ()


def test_scanner_finds_mrn_and_card(context):
    found = entities_by_role(context, "anthropic_batch/requests.jsonl", "anthropic_batch/results.jsonl")
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}
