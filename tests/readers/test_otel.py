"""OpenTelemetry GenAI spans in OTLP/JSON (Collector file exporter lines), in all three attribute styles."""

from __future__ import annotations

import json

import pytest

from audit.readers.otel import any_value

from ._sources import FIXTURES, assert_prompt_and_answer, scanned_entities
from ._util import errors, jsonl, only_record, read, records, texts

EXPORT = FIXTURES / "otel" / "collector_file_export.jsonl"
GENAI_SPANS = {"eee19b7ec3c1b174": "semconv 1.37", "a1b2c3d4e5f60718": "span events", "b7ad6b7169203331": "OpenLLMetry"}


def test_every_genai_span_yields_prompt_answer_and_service_as_workload(tmp_path):
    items = read(tmp_path, EXPORT.read_bytes())
    assert not errors(items)
    by_id = {r.record_id: r for r in records(items)}
    assert set(GENAI_SPANS) < set(by_id)
    for span_id in GENAI_SPANS:
        assert_prompt_and_answer(by_id[span_id], "patient-intake")
        assert texts(by_id[span_id])[0] == ("system", "You are the intake assistant of Riverside Clinic.")


def test_a_span_without_genai_content_is_still_a_record_of_fields(tmp_path):
    by_id = {r.record_id: r for r in records(read(tmp_path, EXPORT.read_bytes()))}
    http = by_id["eee19b7ec3c1b173"]
    assert texts(http) == [] and any(m.text == "/intake" for m in http.messages)


def test_a_pretty_printed_export_and_a_workload_attribute(tmp_path):
    export = json.loads(EXPORT.read_text().splitlines()[2])
    span = export["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["attributes"].append({"key": "workload", "value": {"stringValue": "copay-bot"}})
    (rec,) = records(read(tmp_path, json.dumps(export, indent=2), name="trace.json"))
    assert rec.workload == "copay-bot" and texts(rec)[-1][0] == "assistant"


def test_a_bare_span_with_openinference_attributes(tmp_path):
    span = {
        "traceId": "t1",
        "spanId": "s1",
        "attributes": [
            {"key": "llm.input_messages.0.message.role", "value": {"stringValue": "user"}},
            {"key": "llm.input_messages.0.message.content", "value": {"stringValue": "MRN 00482913"}},
            {"key": "output.value", "value": {"stringValue": "noted"}},
        ],
    }
    rec = only_record(read(tmp_path, jsonl(span)))
    assert texts(rec) == [("user", "MRN 00482913"), ("assistant", "noted")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"stringValue": "a"}, "a"),
        ({"intValue": "12"}, 12),
        ({"boolValue": True}, True),
        ({"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "2"}]}}, ["a", 2]),
        ({"kvlistValue": {"values": [{"key": "k", "value": {"stringValue": "v"}}]}}, {"k": "v"}),
        ({}, None),
    ],
)
def test_otlp_any_values(value, expected):
    assert any_value(value) == expected


def test_mrn_and_card_are_found_through_the_scanner(context):
    found = scanned_entities(context, EXPORT)
    assert "error" not in found
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}
