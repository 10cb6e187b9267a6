"""OpenAI Chat Completions request logs."""

from __future__ import annotations

import json

import pytest

from ._util import errors, fields, jsonl, only_record, read, records, texts


def test_string_content_roles_and_order(tmp_path):
    rec = only_record(
        read(
            tmp_path,
            jsonl(
                {
                    "messages": [
                        {"role": "system", "content": "Be brief."},
                        {"role": "user", "content": "My name is Ada Quill."},
                        {"role": "assistant", "content": "Hello Ada."},
                    ]
                }
            ),
        )
    )
    assert texts(rec) == [("system", "Be brief."), ("user", "My name is Ada Quill."), ("assistant", "Hello Ada.")]
    assert [m.index for m in rec.messages] == [0, 1, 2]


def test_list_of_parts_keeps_text_and_drops_images(tmp_path):
    content = [
        {"type": "text", "text": "first part"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
        {"type": "text", "text": "second part"},
    ]
    rec = only_record(read(tmp_path, jsonl({"messages": [{"role": "user", "content": content}]})))
    assert texts(rec) == [("user", "first part\nsecond part")]


def test_tool_call_arguments_and_tool_results_are_scanned(tmp_path):
    messages = [
        {"role": "user", "content": "look me up"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"mrn": "00482913"}'}},
                {"id": "c2", "type": "function", "function": {"name": "lookup", "arguments": {"dob": "1990-07-04"}}},
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "name": "lookup", "content": '{"patient": "Priya Raman"}'},
    ]
    rec = only_record(read(tmp_path, jsonl({"messages": messages})))
    assert texts(rec) == [
        ("user", "look me up"),
        ("assistant", '{"mrn": "00482913"}\n{"dob": "1990-07-04"}'),
        ("tool", '{"patient": "Priya Raman"}'),
    ]


def test_legacy_function_call_arguments(tmp_path):
    msg = {"role": "assistant", "content": "", "function_call": {"name": "f", "arguments": '{"x": "secret-ish"}'}}
    rec = only_record(read(tmp_path, jsonl({"messages": [msg]})))
    assert texts(rec) == [("assistant", '{"x": "secret-ish"}')]


def test_empty_messages_are_dropped_but_indexes_are_positions(tmp_path):
    rec = only_record(
        read(tmp_path, jsonl({"messages": [{"role": "user", "content": ""}, {"role": "user", "content": "hi"}]}))
    )
    assert [(m.index, m.text) for m in rec.messages] == [(0, "hi")]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"id": "chatcmpl-1"}, "chatcmpl-1"),
        ({"request_id": "req-9"}, "req-9"),
        ({"id": 42}, "42"),
        ({"id": ""}, "3"),
        ({"id": True}, "3"),
        ({}, "3"),
    ],
)
def test_record_id_from_id_fields_else_line_number(tmp_path, extra, expected):
    body = {"messages": [{"role": "user", "content": "x"}], **extra}
    items = read(tmp_path, "\n\n" + jsonl(body))  # blank lines count as lines
    rec = only_record(items)
    assert rec.record_id == expected
    assert rec.line == 3


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"metadata": {"workload": "patient-intake"}}, "patient-intake"),
        ({"workload": "code-helper"}, "code-helper"),
        ({"metadata": {"llm_audit_workload": "card-support"}}, "card-support"),
        ({"metadata": {"workload": "a"}, "workload": "b"}, "a"),
        ({"metadata": "not an object"}, None),
        ({"metadata": {"workload": ["x"]}}, None),
    ],
)
def test_workload_hint(tmp_path, extra, expected):
    rec = only_record(read(tmp_path, jsonl({"messages": [{"role": "user", "content": "x"}], **extra})))
    assert rec.workload == expected


@pytest.mark.parametrize(
    ("message", "where"),
    [
        ({"role": 7, "content": "x"}, "messages[0].role"),
        ({"role": "user", "content": 5}, "messages[0].content"),
        ({"role": "user", "content": [5]}, "messages[0].content[0]"),
        ({"role": "user", "content": [{"type": "text", "text": 5}]}, "messages[0].content[0].text"),
        ({"role": "assistant", "tool_calls": [{"function": "f"}]}, "messages[0].tool_calls[0].function"),
        ({"role": "assistant", "tool_calls": "f"}, "messages[0].tool_calls"),
    ],
)
def test_wrong_types_name_the_field(tmp_path, message, where):
    items = read(tmp_path, jsonl({"messages": [message]}, {"messages": [{"role": "user", "content": "after"}]}))
    (err,) = errors(items)
    assert err.line == 1 and "openai-chat" in err.reason and where in err.reason
    assert [r.line for r in records(items)] == [2]


def test_non_object_message_is_an_error(tmp_path):
    (err,) = read(tmp_path, jsonl({"messages": ["hello"]}))
    assert "messages[0]: expected an object" in err.reason


def test_error_reasons_never_quote_the_content(tmp_path):
    secret = "4111 1111 1111 1111"
    lines = [
        '{"messages": [{"role": "user", "content": "' + secret + '"}',  # truncated
        json.dumps({"messages": [{"role": secret, "content": {"type": "text", "text": 5}}]}),
        json.dumps({"messages": [{"role": "user", "content": [{"type": "text", "text": [secret]}]}]}),
    ]
    items = read(tmp_path, "\n".join(lines) + "\n")
    assert len(errors(items)) == len(lines)
    for err in errors(items):
        assert secret not in str(err)


def test_shapes_no_format_knows_are_scanned_leaf_by_leaf(tmp_path):
    secret = "4111 1111 1111 1111"
    items = read(tmp_path, jsonl([secret], {"prompt_text": secret, "n": 4111111111111111}))
    assert not errors(items)
    assert [fields(r) for r in records(items)] == [
        [("$", secret)],
        [("$.prompt_text", secret), ("$.n", "4111111111111111")],
    ]
    assert {m.role for r in records(items) for m in r.messages} == {"unknown"}
