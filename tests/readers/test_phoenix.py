"""Phoenix / OpenInference spans: JSON Lines span exports and the spans DataFrame exported as CSV."""

from __future__ import annotations

import pytest

from ._sources import FIXTURES, assert_prompt_and_answer, scanned_entities
from ._util import errors, jsonl, only_record, read, records, texts

SPANS = FIXTURES / "phoenix" / "spans.jsonl"
DATAFRAME = FIXTURES / "phoenix" / "spans_dataframe.csv"


@pytest.mark.parametrize(
    ("path", "ids"),
    [
        (SPANS, ["2fe8a793-2cf1-42d7-a1df-bd7d46e017ef", "01fa9612-01b8-4358-85d6-e3e067305ec3"]),
        (DATAFRAME, ["a3c1f0b2d4e65879"]),
    ],
)
def test_each_span_yields_prompt_answer_and_workload(tmp_path, path, ids):
    items = read(tmp_path, path.read_bytes(), name=path.name)
    assert not errors(items)
    assert [r.record_id for r in records(items)] == ids
    for rec in records(items):
        assert_prompt_and_answer(rec, "patient-intake")


def test_llm_spans_keep_the_turns_in_order(tmp_path):
    llm = records(read(tmp_path, SPANS.read_bytes()))[1]
    assert [role for role, _ in texts(llm)] == ["system", "user", "assistant"]


def test_nested_attributes_tool_calls_and_contents(tmp_path):
    span = {
        "context": {"trace_id": "t", "span_id": "s"},
        "attributes": {
            "openinference": {"span": {"kind": "LLM"}},
            "llm": {
                "input_messages": [{"message": {"role": "user", "contents": [{"message_content": {"text": "hi"}}]}}],
                "output_messages": [
                    {"message": {"role": "assistant", "tool_calls": [{"tool_call": {"function": {"arguments": "{}"}}}]}}
                ],
            },
        },
    }
    rec = only_record(read(tmp_path, jsonl(span)))
    assert texts(rec) == [("user", "hi"), ("assistant", "{}")]


def test_plain_input_and_output_values_are_prompt_and_answer(tmp_path):
    span = {"span_id": "s", "attributes": {"input.value": "question", "output.value": "answer", "workload": "w"}}
    rec = only_record(read(tmp_path, jsonl(span)))
    assert (texts(rec), rec.record_id, rec.workload) == ([("user", "question"), ("assistant", "answer")], "s", "w")


@pytest.mark.parametrize("path", [SPANS, DATAFRAME])
def test_mrn_and_card_are_found_through_the_scanner(context, path):
    found = scanned_entities(context, path)
    assert "error" not in found
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}
