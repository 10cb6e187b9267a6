"""No reader path can drop a string leaf: a value planted anywhere in a record is read, known format or not.

A record that breaks its format's promises (a message that is not an object) is an error (exit 3), never a
record decided on part of its text; either way the planted value is never silently dropped.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.readers.fields import unread_fields

from ._util import errors, read, records

PLANTED = "my ssn is 219-09-9999"
KNOWN = {
    "id": "chatcmpl-1",
    "model": "gpt-4o-mini",
    "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}],
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}],
    "metadata": {"workload": "w"},
}

keys = st.text(min_size=1, max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


def _plant(doc, choices: list[int], value):
    """`doc` with `value` put at a place chosen by `choices`: inside a list, as a new key, or replacing a leaf."""
    node = doc
    for choice in choices:
        if isinstance(node, dict) and node:
            key = sorted(node, key=str)[choice % len(node)]
            if not isinstance(node[key], dict | list):
                node[key] = value if choice % 3 == 0 else [node[key], value]
                return doc
            node = node[key]
        elif isinstance(node, list) and node:
            item = node[choice % len(node)]
            if not isinstance(item, dict | list):
                node.append(value)
                return doc
            node = item
        else:
            break
    if isinstance(node, dict):
        node[f"k{len(node)}"] = value
    elif isinstance(node, list):
        node.append(value)
    return doc


def _read_or_failed(items) -> bool:
    return bool(errors(items)) or PLANTED in "\n".join(m.text for r in records(items) for m in r.messages)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=json_values, choices=st.lists(st.integers(0, 50), max_size=6), as_json_string=st.booleans())
def test_a_value_planted_in_a_known_format_is_always_read(tmp_path, extra, choices, as_json_string):
    doc = json.loads(json.dumps(KNOWN))
    doc["extra"] = extra
    value = json.dumps({"note": PLANTED}) if as_json_string else PLANTED
    items = read(tmp_path, json.dumps(_plant(doc, choices, value)) + "\n")
    assert _read_or_failed(items)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.dictionaries(keys, json_values, min_size=1, max_size=5), choices=st.lists(st.integers(0, 50), max_size=6))
def test_a_value_planted_in_an_unknown_shape_is_always_read(tmp_path, doc, choices):
    items = read(tmp_path, json.dumps(_plant(doc, choices, PLANTED)) + "\n")
    assert not errors(items) and _read_or_failed(items)


def test_keys_escapes_and_numbers_are_leaves_too():
    obj = {"219-09-9999": True, "escaped": json.dumps({"v": "caf\u00e9 219-09-9999"}), "acct": 4111111111111111}
    found = dict(unread_fields(obj, []))
    assert found['${"219-09-9999"}'] == "219-09-9999"
    assert found["$.escaped<json>.v"] == "caf\u00e9 219-09-9999"
    assert found["$.acct"] == "4111111111111111"


def test_structure_is_not_scanned_but_identifiers_in_structural_keys_are():
    obj = {
        "model": "gpt-4o-mini", "id": "chatcmpl-8f3a9c0d2e1b4a5f9c8d", "created": 1733581200,
        "startTime": "2024-11-05T14:02:11.482Z", "role": "ssn:219-09-9999", "object": "219099999",
    }  # fmt: skip
    assert unread_fields(obj, []) == [("$.role", "ssn:219-09-9999"), ("$.object", "219099999")]


def test_a_containers_own_strings_are_read_too(tmp_path):
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / "otel" / "collector_file_export.jsonl"
    export = json.loads(fixture.read_text().splitlines()[0])
    export["resourceSpans"][0]["schemaUrl"] = PLANTED
    export["note"] = {"owner": PLANTED.replace("219", "078")}
    items = read(tmp_path, json.dumps(export) + "\n")
    texts = [m.text for r in records(items) for m in r.messages]
    assert PLANTED in texts and PLANTED.replace("219", "078") in texts
    assert not errors(items)
