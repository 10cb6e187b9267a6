"""LiteLLM proxy spend logs."""

from __future__ import annotations

import json

import pytest

from ._util import jsonl, only_record, read, texts

MSGS = [{"role": "system", "content": "card support"}, {"role": "user", "content": "card 4111 1111 1111 1111"}]


def row(**fields):
    return {"request_id": "req-1", "call_type": "acompletion", "spend": 0.001, **fields}


@pytest.mark.parametrize("messages", [MSGS, json.dumps(MSGS), {"messages": MSGS}])
def test_messages_as_list_json_string_or_wrapper(tmp_path, messages):
    rec = only_record(read(tmp_path, jsonl(row(messages=messages))))
    assert rec.record_id == "req-1"
    assert texts(rec) == [("system", "card support"), ("user", "card 4111 1111 1111 1111")]


def test_empty_messages_fall_back_to_proxy_server_request(tmp_path):
    for request in ({"messages": MSGS}, json.dumps({"messages": MSGS})):
        rec = only_record(read(tmp_path, jsonl(row(messages=[], proxy_server_request=request))))
        assert texts(rec)[1] == ("user", "card 4111 1111 1111 1111")


def test_plain_string_prompt_and_undecodable_json_string_are_still_scanned(tmp_path):
    items = read(tmp_path, jsonl(row(messages="what is my balance"), row(messages='[{"role": "user", "content": "cut')))
    assert [texts(r) for r in items] == [
        [("user", "what is my balance")],
        [("user", '[{"role": "user", "content": "cut')],
    ]


def test_response_is_scanned_as_the_assistant_turn(tmp_path):
    response = {"choices": [{"message": {"role": "assistant", "content": "Angela, the card ending 1111 is blocked."}}]}
    for value in (response, json.dumps(response)):
        rec = only_record(read(tmp_path, jsonl(row(messages=MSGS, response=value))))
        assert texts(rec)[-1] == ("assistant", "Angela, the card ending 1111 is blocked.")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"request_tags": ["channel:web", "workload:card-support"]}, "card-support"),
        ({"request_tags": json.dumps(["workload:card-support"])}, "card-support"),
        ({"metadata": {"workload": "from-meta"}, "request_tags": ["workload:from-tag"]}, "from-meta"),
        ({"metadata": json.dumps({"workload": "from-json-meta"})}, "from-json-meta"),
        ({"metadata": {"user_api_key_team_alias": "card-ops"}}, "card-ops"),
        ({"metadata": "{broken", "request_tags": "[broken"}, None),
        ({"request_tags": [1, None, {"workload": "x"}]}, None),
    ],
)
def test_workload_from_metadata_tags_or_team(tmp_path, fields, expected):
    rec = only_record(read(tmp_path, jsonl(row(messages=MSGS, **fields))))
    assert rec.workload == expected
    assert texts(rec) == [("system", "card support"), ("user", "card 4111 1111 1111 1111")]  # never lost


def test_spend_row_without_prompts_is_an_empty_record(tmp_path):
    rec = only_record(read(tmp_path, jsonl(row(messages=[], proxy_server_request={}))))
    assert rec.messages == ()


def test_standard_logging_payload_from_s3_keeps_the_answer(tmp_path):
    payload = {
        "id": "chatcmpl-9", "trace_id": "t-1", "call_type": "acompletion", "response_cost": 0.0002,
        "model_group": "gpt-4o-mini", "metadata": {"requester_metadata": {"workload": "card-support"}},
        "messages": MSGS, "response": {"choices": [{"message": {"role": "assistant", "content": "card ending 1111"}}]},
    }  # fmt: skip
    rec = only_record(read(tmp_path, jsonl(payload)))
    assert rec.record_id == "chatcmpl-9"
    assert texts(rec)[-1] == ("assistant", "card ending 1111")


def test_spend_log_csv_is_read_with_its_answer(tmp_path):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["request_id", "call_type", "spend", "messages", "response", "request_tags"])
    response = {"choices": [{"message": {"content": "Angela, card ending 1111"}}]}
    writer.writerow(["req-7", "acompletion", "0.001", json.dumps(MSGS), json.dumps(response), '["workload:cards"]'])
    rec = only_record(read(tmp_path, out.getvalue(), name="spend.csv"))
    assert (rec.record_id, rec.workload) == ("req-7", "cards")
    assert texts(rec) == [*[(m["role"], m["content"]) for m in MSGS], ("assistant", "Angela, card ending 1111")]
