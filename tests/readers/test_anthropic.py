"""Anthropic Messages API requests."""

from __future__ import annotations

import pytest

from ._util import errors, jsonl, only_record, read, texts


def test_system_string_and_plain_messages(tmp_path):
    rec = only_record(
        read(
            tmp_path,
            jsonl({"id": "msg_1", "system": "You review contracts.", "messages": [{"role": "user", "content": "hi"}]}),
        )
    )
    assert rec.record_id == "msg_1"
    assert texts(rec) == [("system", "You review contracts."), ("user", "hi")]


def test_system_blocks(tmp_path):
    system = [{"type": "text", "text": "one"}, {"type": "text", "text": "two", "cache_control": {"type": "ephemeral"}}]
    rec = only_record(read(tmp_path, jsonl({"system": system, "messages": [{"role": "user", "content": "q"}]})))
    assert texts(rec)[0] == ("system", "one\ntwo")


def test_tool_use_input_and_tool_result_content(tmp_path):
    messages = [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "searching"},
                {"type": "tool_use", "id": "t1", "name": "search", "input": {"matter": "20417-0032", "who": "Grace"}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "string result"},
                {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "block result"}]},
            ],
        },
    ]
    rec = only_record(read(tmp_path, jsonl({"messages": messages})))  # detected by its tool blocks alone
    assert texts(rec) == [
        ("assistant", 'searching\n{"matter": "20417-0032", "who": "Grace"}'),
        ("user", "string result\nblock result"),
    ]


def test_text_documents_are_scanned_and_binary_ones_are_not(tmp_path):
    content = [
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Deposition text."}},
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"}},
        {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "chunk"}]}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}},
    ]
    rec = only_record(read(tmp_path, jsonl({"system": "s", "messages": [{"role": "user", "content": content}]})))
    assert texts(rec)[1] == ("user", "Deposition text.\nchunk")


@pytest.mark.parametrize("marker", [{"anthropic_version": "bedrock-2023-05-31"}, {"stop_sequences": []}])
def test_detected_by_anthropic_only_fields(tmp_path, marker):
    rec = only_record(read(tmp_path, jsonl({"messages": [{"role": "user", "content": "x"}], **marker})))
    assert texts(rec) == [("user", "x")]


def test_unhashable_block_type_is_not_a_crash(tmp_path):
    body = {"messages": [{"role": "user", "content": [{"type": ["tool_use"], "text": "still read"}]}]}
    assert texts(only_record(read(tmp_path, jsonl(body)))) == [("user", "still read")]


def test_bad_system_type_is_an_error(tmp_path):
    (err,) = errors(read(tmp_path, jsonl({"system": 5, "messages": []})))
    assert err.reason.startswith("anthropic: system")
