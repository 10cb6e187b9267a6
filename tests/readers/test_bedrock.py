"""Amazon Bedrock model-invocation logs: the S3 .json.gz objects and the CloudWatch Logs forms."""

from __future__ import annotations

import pytest

from ._fixtures import CARD, MRN, by_id, entities_by_role, read_fixture, said
from ._util import errors, jsonl, read

CONVERSE = "4f1c2a9e-0b7d-4c55-9e1a-3d2f8b6c7a01"


def test_s3_object_reads_prompt_answer_and_workload():
    records = by_id(read_fixture("bedrock/invocations.json.gz"))
    converse = records[CONVERSE]
    assert said(converse, "system") == "You are a clinic intake assistant."
    assert MRN in said(converse, "user")
    assert CARD in said(converse, "assistant")
    assert CARD not in said(converse, "user")
    assert converse.workload == "clinic-intake"


@pytest.mark.parametrize(
    ("request_id", "prompt", "answer"),
    [
        ("7a2d0c41-5e9b-4b1f-8c3e-1f0a9d8e6b02", "Which card is on file", "The card on file is 4111"),  # Anthropic
        ("0b9e7d12-3c4a-4f6e-a1b2-5d6c7e8f9a03", "reminder call script", "this is the clinic calling"),  # Titan
        ("c3d4e5f6-7a8b-4c9d-8e0f-1a2b3c4d5e04", "List the visits of MRN", "Visits for this record"),  # Llama
        ("d5e6f7a8-9b0c-4d1e-9f2a-3b4c5d6e7f05", "Read back the payment card", f"Card {CARD} is on file."),  # stream
    ],
)
def test_each_provider_body_gives_prompt_and_answer(request_id, prompt, answer):
    record = by_id(read_fixture("bedrock/invocations.json.gz"))[request_id]
    assert prompt in said(record, "user")
    assert answer in said(record, "assistant")


@pytest.mark.parametrize("name", ["bedrock/cloudwatch_subscription.json", "bedrock/filter_log_events.json"])
def test_cloudwatch_payloads_hold_the_same_records(name):
    (record,) = by_id(read_fixture(name)).values()
    assert record.record_id == CONVERSE
    assert MRN in said(record, "user") and CARD in said(record, "assistant")
    assert record.workload == "clinic-intake"


def test_plain_text_log_events_are_still_scanned(tmp_path):
    payload = {"logEvents": [{"id": "1", "timestamp": 1, "message": "free text about MRN 00482913"}]}
    (record,) = read(tmp_path, jsonl(payload))
    assert [m.text for m in record.messages] == ["free text about MRN 00482913"]


def test_body_delivered_to_s3_apart_is_an_error_not_a_clean_record(tmp_path):
    line = {"schemaType": "ModelInvocationLog", "requestId": "r", "input": {"inputBodyS3Path": "s3://b/k"}}
    (err,) = errors(read(tmp_path, jsonl(line)))
    assert err.reason.startswith("bedrock: input.inputBodyS3Path")


def test_scanner_finds_mrn_and_card(context):
    found = entities_by_role(context, "bedrock/invocations.json.gz", "bedrock/cloudwatch_subscription.json")
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}


def test_batch_inference_output_records():
    (record,) = by_id(read_fixture("bedrock/batch_output.jsonl.out")).values()
    assert record.record_id == "CALL0000001"
    assert MRN in said(record, "user") and said(record, "assistant") == f"The card on file is {CARD}."
