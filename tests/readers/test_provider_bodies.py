"""The providers' request and answer bodies, as the gateway and cloud logs wrap them: a table per side."""

from __future__ import annotations

import pytest

from audit.readers.base import BadRecord
from audit.readers.provider_bodies import answer_messages, request_messages

A = "assistant"

REQUESTS = [
    ("openai chat", {"messages": [{"role": "user", "content": "q"}]}, [("user", "q")]),
    (
        "anthropic",
        {
            "system": [{"type": "text", "text": "s"}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "q"}]}],
        },
        [("system", "s"), ("user", "q")],
    ),
    (
        "converse",
        {
            "system": [{"text": "s"}],
            "messages": [
                {"role": "user", "content": [{"text": "q"}]},
                {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": "f", "input": {"mrn": "1"}}}]},
                {"role": "user", "content": [{"toolResult": {"toolUseId": "t", "content": [{"json": {"r": 2}}]}}]},
            ],
        },
        [("system", "s"), ("user", "q"), ("assistant", '{"mrn": "1"}'), ("user", '{"r": 2}')],
    ),
    (
        "gemini",
        {
            "systemInstruction": {"parts": [{"text": "s"}]},
            "contents": [
                {"role": "user", "parts": [{"text": "q"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {"a": 1}}}]},
            ],
        },
        [("system", "s"), ("user", "q"), ("assistant", '{"a": 1}')],
    ),
    ("responses", {"instructions": "s", "input": "q"}, [("system", "s"), ("user", "q")]),
    ("titan", {"inputText": "q", "textGenerationConfig": {}}, [("user", "q")]),
    ("llama", {"prompt": "q", "max_gen_len": 9}, [("user", "q")]),
    ("cohere chat", {"message": "q", "chat_history": []}, [("user", "q")]),
    ("vertex predict", {"instances": [{"prompt": "q"}, "r"]}, [("user", "q"), ("user", "r")]),
    ("json text", '{"prompt": "q"}', [("user", "q")]),
    ("plain text", "q", [("user", "q")]),
    ("unknown object", {"knobs": {"x": "y"}}, []),
]

ANSWERS = [
    (
        "openai chat",
        {
            "choices": [
                {
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "refusal": "no",
                        "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                    }
                }
            ]
        },
        [(A, "{}\nno")],
    ),  # fmt: skip
    ("openai text completion", {"choices": [{"text": "a"}]}, [(A, "a")]),
    ("anthropic", {"type": "message", "content": [{"type": "text", "text": "a"}]}, [(A, "a")]),
    ("converse", {"output": {"message": {"role": "assistant", "content": [{"text": "a"}]}}}, [(A, "a")]),
    (
        "responses",
        {
            "output": [
                {"type": "reasoning", "summary": [{"type": "summary_text", "text": "r"}]},
                {"type": "function_call", "arguments": "{}"},
                {"type": "message", "content": [{"type": "output_text", "text": "a"}]},
            ]
        },
        [(A, "r"), (A, "{}"), (A, "a")],
    ),  # fmt: skip
    ("gemini", {"candidates": [{"content": {"role": "model", "parts": [{"text": "a"}]}}]}, [(A, "a")]),
    ("titan", {"results": [{"outputText": "a"}]}, [(A, "a")]),
    ("mistral", {"outputs": [{"text": "a"}]}, [(A, "a")]),
    ("cohere", {"generations": [{"text": "a"}]}, [(A, "a")]),
    ("llama", {"generation": "a"}, [(A, "a")]),
    ("legacy completion", {"completion": "a"}, [(A, "a")]),
    ("predictions", {"predictions": ["a"]}, [(A, "a")]),
    (
        "openai stream",
        [{"choices": [{"delta": {"content": "4111 "}}]}, {"choices": [{"delta": {"content": "1111"}}]}],
        [(A, "4111 1111")],
    ),
    (
        "anthropic stream",
        [
            {"type": "content_block_start", "content_block": {"type": "text", "text": ""}},
            {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "a"}},
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}},
        ],
        [(A, "a")],
    ),  # fmt: skip
    ("converse stream", [{"contentBlockDelta": {"delta": {"text": "a"}}}, {"messageStop": {}}], [(A, "a")]),
    ("gemini stream", [{"candidates": [{"content": {"parts": [{"text": "a"}]}}]}] * 2, [(A, "aa")]),
    ("plain text", "a", [(A, "a")]),
    ("unknown object", {"usage": {"tokens": 3}}, []),
]


@pytest.mark.parametrize(("shape", "body", "expected"), REQUESTS, ids=[r[0] for r in REQUESTS])
def test_request_bodies(shape, body, expected):
    assert request_messages(body, "body") == expected


@pytest.mark.parametrize(("shape", "body", "expected"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_answer_bodies(shape, body, expected):
    assert answer_messages(body, "body") == expected


@pytest.mark.parametrize("body", [5, True])
def test_a_body_that_is_not_an_object_is_a_bad_record(body):
    with pytest.raises(BadRecord, match="body: expected an object"):
        request_messages(body, "body")
    with pytest.raises(BadRecord, match="body: expected an object"):
        answer_messages(body, "body")
