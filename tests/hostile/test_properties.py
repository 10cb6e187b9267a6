"""Property tests: whatever JSON or bytes arrive, every reader yields Records or ReadErrors, never an exception."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.errors import ConfigError
from audit.model import ReadError, Record
from audit.readers import FORMAT_CHOICES, ReadOptions, read_stream

HUGE_INT = "__HUGE_INT__"  # written out as a 5000-digit literal, beyond Python's int-to-str limit
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.just(HUGE_INT)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(
        ["user", "text", "tool_use", "tool_result", "document", "function_call", "[1,", "{", "workload:x"]
    )
)
KEYS = st.sampled_from(
    [
        "messages", "role", "content", "type", "text", "tool_calls", "function", "arguments", "function_call",
        "input", "output", "instructions", "system", "custom_id", "body", "request_id", "call_type", "spend",
        "response", "choices", "message", "proxy_server_request", "metadata", "workload", "request_tags", "id",
        "anthropic_version", "source", "data", "value", "input_text", "name",
    ]
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | KEYS, inner, max_size=4),
    max_leaves=12,
)

BASES = [
    {"id": "c1", "metadata": {"workload": "w"}, "messages": [
        {"role": "system", "content": "s"},
        {"role": "user", "content": [{"type": "text", "text": "t"}, {"type": "image_url", "image_url": {"url": "u"}}]},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "x", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "x", "name": "f", "content": "r"},
    ]},
    {"custom_id": "b1", "method": "POST", "body": {"messages": [{"role": "user", "content": "q"}], "metadata": {"workload": "w"}}},
    {"custom_id": "b2", "body": {"instructions": "i", "input": [{"role": "user", "content": "q"}]}},
    {"id": "r1", "instructions": "i", "input": [
        "s", {"role": "user", "content": [{"type": "input_text", "text": "q"}]},
        {"type": "function_call", "arguments": "{}"}, {"type": "function_call_output", "output": "o"},
    ]},
    {"id": "m1", "system": [{"type": "text", "text": "s"}], "messages": [
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "n", "input": {"a": 1}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "r"}]},
                                     {"type": "document", "source": {"type": "text", "data": "d"}}]},
    ]},
    {"request_id": "l1", "call_type": "acompletion", "spend": 0.1, "messages": json.dumps([{"role": "user", "content": "q"}]),
     "proxy_server_request": {"messages": []}, "metadata": {"workload": "w"}, "request_tags": ["workload:x"],
     "response": {"choices": [{"message": {"content": "a"}}]}},
]  # fmt: skip


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _paths(value, (*prefix, i))


def _mutate(base, choice: int, value):
    obj = json.loads(json.dumps(base))
    paths = [p for p in _paths(obj) if p]
    path = paths[choice % len(paths)]
    target = obj
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return obj


mutated = st.builds(_mutate, st.sampled_from(BASES), st.integers(min_value=0), json_values)
random_objects = st.dictionaries(KEYS, json_values, max_size=6)


def _read(data: bytes, fmt: str, name: str = "fuzz.jsonl") -> list:
    items = list(read_stream(name, io.BufferedReader(io.BytesIO(data)), ReadOptions(format=fmt)))
    for item in items:
        assert isinstance(item, Record | ReadError)
        if isinstance(item, Record):
            assert all(isinstance(m.text, str) and isinstance(m.role, str) for m in item.messages)
            item.record_id.encode("utf-8")  # always printable, never a lone surrogate
            for m in item.messages:
                (m.text + m.role).encode("utf-8")
        else:
            assert "\n" not in item.reason and item.line >= 0
    return items


def _line(obj, ascii_only: bool) -> bytes:
    text = json.dumps(obj, ensure_ascii=ascii_only).replace(f'"{HUGE_INT}"', "7" * 5000)
    return (text + "\n").encode("utf-8", "surrogatepass")


@SETTINGS
@given(
    obj=mutated, fmt=st.sampled_from([f for f in FORMAT_CHOICES if f not in ("csv", "tsv")]), ascii_only=st.booleans()
)
def test_valid_records_with_one_field_replaced_never_raise(obj, fmt, ascii_only):
    items = _read(_line(obj, ascii_only), fmt)
    assert len(items) <= 1


@SETTINGS
@given(obj=random_objects, fmt=st.sampled_from(["auto", "jsonl", "openai-chat", "anthropic", "litellm"]))
def test_random_objects_with_log_like_keys_never_raise(obj, fmt):
    _read(_line(obj, False), fmt)


@SETTINGS
@given(value=json_values)
def test_any_json_value_on_a_line_never_raises(value):
    _read(_line(value, True) + _line({"messages": [{"role": "user", "content": "after"}]}, True), "auto")


@SETTINGS
@given(
    data=st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    fmt=st.sampled_from(FORMAT_CHOICES),
)
def test_arbitrary_bytes_never_raise_in_any_format(data, fmt):
    name = "fuzz.csv" if fmt == "auto" else "fuzz.jsonl"
    try:
        _read(data, fmt, name=name)
    except ConfigError as exc:
        # The one designed refusal: a CSV whose header names no prompt column is a usage error (exit 2),
        # never a guess at a column; it names the file on one line.
        assert name.endswith(".csv") or fmt in ("csv", "tsv"), exc
        assert str(exc).startswith(f"{name}: no prompt column in the header") and "\n" not in str(exc)


@SETTINGS
@given(
    cells=st.lists(st.lists(st.text(alphabet='ab,"\n\r\t x\x00é', max_size=8), max_size=4), max_size=6),
    column=st.none() | st.sampled_from(["prompt", "1", "3", "9", "nope"]),
)
def test_csv_with_any_quoting_never_raises(cells, column):
    data = ("id,prompt\n" + "\n".join(",".join(row) for row in cells)).encode("utf-8")
    items = list(read_stream("f.csv", io.BufferedReader(io.BytesIO(data)), ReadOptions(format="csv", column=column)))
    assert all(isinstance(i, Record | ReadError) for i in items)
