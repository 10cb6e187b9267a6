"""OpenAI Batch API input and Responses API requests."""

from __future__ import annotations

import pytest

from ._util import errors, jsonl, only_record, read, texts


def test_batch_chat_body(tmp_path):
    line = {
        "custom_id": "req-17",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o", "messages": [{"role": "user", "content": "summarise this"}]},
    }
    rec = only_record(read(tmp_path, jsonl(line)))
    assert rec.record_id == "req-17"
    assert texts(rec) == [("user", "summarise this")]


def test_batch_responses_body(tmp_path):
    line = {
        "custom_id": "r-2",
        "url": "/v1/responses",
        "body": {"instructions": "Be exact.", "input": "Who are the parties?"},
    }
    rec = only_record(read(tmp_path, jsonl(line)))
    assert texts(rec) == [("system", "Be exact."), ("user", "Who are the parties?")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ({"body": {"metadata": {"workload": "inner"}}, "metadata": {"workload": "outer"}}, "inner"),
        ({"body": {}, "metadata": {"workload": "outer"}}, "outer"),
        ({"body": {}}, None),
    ],
)
def test_batch_workload_from_body_then_line(tmp_path, line, expected):
    line = {"custom_id": "c", **line}
    line["body"]["messages"] = [{"role": "user", "content": "x"}]
    assert only_record(read(tmp_path, jsonl(line))).workload == expected


def test_batch_body_without_messages_or_input_is_an_error(tmp_path):
    (err,) = read(tmp_path, jsonl({"custom_id": "c", "body": {"model": "gpt-4o"}}))
    assert err.line == 1 and "openai-batch" in err.reason and "messages" in err.reason


def test_responses_string_input_and_instructions(tmp_path):
    rec = only_record(read(tmp_path, jsonl({"id": "resp_1", "instructions": "sys", "input": "question"})))
    assert rec.record_id == "resp_1"
    assert texts(rec) == [("system", "sys"), ("user", "question")]


def test_responses_item_list(tmp_path):
    items = [
        "bare string item",
        {"role": "developer", "content": "dev note"},
        {
            "role": "user",
            "content": [{"type": "input_text", "text": "part one"}, {"type": "input_image", "image_url": "x"}],
        },
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "answer"}]},
        {"type": "function_call", "call_id": "f1", "name": "run", "arguments": '{"code": "print(1)"}'},
        {"type": "function_call_output", "call_id": "f1", "output": "1"},
    ]
    rec = only_record(read(tmp_path, jsonl({"input": items, "metadata": {"workload": "code-helper"}})))
    assert rec.workload == "code-helper"
    assert texts(rec) == [
        ("user", "bare string item"),
        ("developer", "dev note"),
        ("user", "part one"),
        ("assistant", "answer"),
        ("assistant", '{"code": "print(1)"}'),
        ("tool", "1"),
    ]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"input": [5]}, "request.input[0]"),
        ({"input": [{"role": 3, "content": "x"}]}, "request.input[0].role"),
        ({"input": [{"role": "user", "content": 3.5}]}, "request.input[0].content"),
    ],
)
def test_responses_wrong_types_name_the_field(tmp_path, body, where):
    (err,) = errors(read(tmp_path, jsonl(body)))
    assert "openai-responses" in err.reason and where in err.reason
