"""Texts of chat / Responses / Anthropic Messages requests, written back in place; restoring answers and streams."""

from __future__ import annotations

import asyncio
import json
import types

import pytest

from audit.gateway.payloads import UnsupportedCall, get, put, request_texts
from audit.gateway.restore import AnthropicSSE, ChatStream, StreamRestorer, restore_in_place
from audit.routing.redact import Redaction


def texts_of(body, call_type):
    t = request_texts(body, call_type)
    return [(role, get(body, path)) for role, path in t.segments], t.unscannable


def test_chat_texts_parts_and_tool_arguments():
    body = {
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {}}]},
            {"role": "assistant", "content": None, "tool_calls": [{"function": {"arguments": '{"q": "x"}'}}]},
            {"role": "tool", "content": "result"},
        ]
    }
    assert texts_of(body, "acompletion") == (
        [("system", "be brief"), ("user", "hi"), ("assistant", '{"q": "x"}'), ("tool", "result")],
        1,
    )


def test_responses_texts():
    body = {
        "instructions": "sys",
        "input": [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "a"}]},
            {"role": "user", "content": "b"},
            {"type": "function_call_output", "output": "c"},
            {"type": "reasoning", "summary": []},
            {"type": "input_image", "image_url": "x"},
        ],
    }
    known = [("system", "sys"), ("user", "a"), ("user", "b"), ("tool", "c")]
    assert texts_of(body, "aresponses") == ([*known, ("field", "x")], 1)  # the image's URL is still read
    assert texts_of({"input": "plain"}, "responses") == ([("user", "plain")], 0)


def test_anthropic_texts_system_blocks_tool_results_and_tool_inputs():
    body = {
        "system": [{"type": "text", "text": "sys"}],
        "messages": [
            {"role": "user", "content": "a"},
            {
                "role": "assistant",
                "content": [{"type": "text", "text": "b"}, {"type": "tool_use", "name": "n", "input": {"k": ["c"]}}],
            },
            {"role": "user", "content": [{"type": "tool_result", "content": "d"}, {"type": "image", "source": {}}]},
        ],
    }
    assert texts_of(body, "anthropic_messages") == (
        [("system", "sys"), ("user", "a"), ("assistant", "b"), ("tool", "d"), ("field", "n"), ("field", "c")],
        1,
    )


def test_put_writes_back_in_place():
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": "secret"}]}]}
    t = request_texts(body, "acompletion")
    put(body, t.segments[0][1], "<X_1>")
    assert body["messages"][0]["content"][0]["text"] == "<X_1>"


@pytest.mark.parametrize("call_type", ["aimage_generation", "atranscription", "mcp_call", "unknown"])
def test_other_call_types_are_refused_not_passed(call_type):
    with pytest.raises(UnsupportedCall):
        request_texts({"prompt": "x"}, call_type)


def redaction():
    r = Redaction()
    r.placeholder_for("PERSON", "Maria Garcia")
    r.placeholder_for("PHONE_NUMBER", "617-555-0199")
    return r


ANSWER = "Call <PERSON_1> at <PHONE_NUMBER_1>; a<b and <NOT_ISSUED_1> stay; ends with <"
RESTORED = "Call Maria Garcia at 617-555-0199; a<b and <NOT_ISSUED_1> stay; ends with <"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 100])
def test_stream_restorer_handles_placeholders_split_anywhere(size):
    s = StreamRestorer(redaction())
    out = "".join(s.feed(ANSWER[i : i + size]) for i in range(0, len(ANSWER), size)) + s.flush()
    assert out == RESTORED


def test_stream_restorer_never_holds_more_than_a_placeholder():
    s = StreamRestorer(redaction())
    assert s.feed("<" + "A" * 100) == "<" + "A" * 100  # too long to be a placeholder: emitted
    assert s.pending == ""


def test_restore_in_place_walks_objects_dicts_and_lists():
    msg = types.SimpleNamespace(content="<PERSON_1>", tool_calls=[{"arguments": '{"n": "<PHONE_NUMBER_1>"}'}])
    response = types.SimpleNamespace(id="<PERSON_1>-id", choices=[types.SimpleNamespace(message=msg)])
    restore_in_place(response, redaction())
    assert msg.content == "Maria Garcia" and msg.tool_calls[0]["arguments"] == '{"n": "617-555-0199"}'


def test_chat_stream_releases_the_held_tail_with_the_finish_reason():
    chat = ChatStream(redaction())
    chunks = []
    for piece, finish in (("Call <PER", None), ("SON_1> <PHONE_", None), ("NUMBER_1", "stop")):
        delta = types.SimpleNamespace(content=piece, tool_calls=None)
        chunk = types.SimpleNamespace(choices=[types.SimpleNamespace(index=0, delta=delta, finish_reason=finish)])
        chat.chunk(chunk)
        chunks.append(delta.content)
    assert "".join(chunks) == "Call Maria Garcia <PHONE_NUMBER_1"  # never closed: not a placeholder


def test_anthropic_sse_restores_deltas_across_events_and_byte_boundaries():
    events = [
        {"type": "message_start", "message": {"content": []}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": ANSWER[i : i + 4]}}
            for i in range(0, len(ANSWER), 4)
        ),
        {"type": "content_block_stop", "index": 0},
    ]
    raw = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    sse = AnthropicSSE(redaction())
    out = b"".join(sse.feed(raw[i : i + 7]) for i in range(0, len(raw), 7)) + sse.flush()
    parsed = [json.loads(line[5:]) for line in out.split(b"\n") if line.startswith(b"data:")]
    text = "".join(e["delta"]["text"] for e in parsed if e["type"] == "content_block_delta")
    assert text == RESTORED
    assert parsed[-1]["type"] == "content_block_stop"


def test_guardrail_streams_pass_untouched_without_a_redaction():
    from audit.gateway.restore import restored_stream

    async def source():
        yield b"event: x\ndata: {}\n\n"

    async def collect():
        return [item async for item in restored_stream(source(), Redaction())]

    assert asyncio.run(collect()) == [b"event: x\ndata: {}\n\n"]
