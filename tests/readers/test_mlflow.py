"""MLflow traces (MLflow 3 `Trace.to_json`, MLflow 2 traces): one record per trace, every span's inputs and outputs."""

from __future__ import annotations

import json

import pytest

from ._sources import FIXTURES, assert_prompt_and_answer, scanned_entities
from ._util import errors, jsonl, only_record, read, records, texts

TRACE = FIXTURES / "mlflow" / "trace.json"
TRACES_V2 = FIXTURES / "mlflow" / "traces_v2.jsonl"


@pytest.mark.parametrize(
    ("path", "trace_id"),
    [(TRACE, "tr-7f3e9a1c2b4d4e5f8a6b0c1d2e3f4a5b"), (TRACES_V2, "5d0b9c3e2f1a4b6c8d7e9f0a1b2c3d4e")],
)
def test_a_trace_yields_prompt_answer_and_workload(tmp_path, path, trace_id):
    items = read(tmp_path, path.read_bytes(), name=path.name)
    assert not errors(items)
    (rec,) = records(items)
    assert rec.record_id == trace_id
    assert_prompt_and_answer(rec, "patient-intake")


def test_the_root_span_comes_first_and_repeated_texts_are_read_once(tmp_path):
    rec = only_record(read(tmp_path, TRACE.read_bytes(), name="trace.json"))
    assert [role for role, _ in texts(rec)] == ["user", "assistant", "system"]


def test_a_trace_without_spans_io_is_still_a_record_of_fields(tmp_path):
    trace = {
        "info": {"trace_id": "tr-1", "tags": {"workload": "w"}},
        "data": {"spans": [{"name": "s", "attributes": {}}]},
    }
    rec = only_record(read(tmp_path, jsonl(trace)))
    assert (texts(rec), rec.workload) == ([], "w")


def test_span_attributes_are_json_encoded(tmp_path):
    span = {
        "name": "s",
        "attributes": {"mlflow.spanInputs": json.dumps("q"), "mlflow.spanOutputs": json.dumps({"a": "b"})},
    }
    rec = only_record(read(tmp_path, jsonl({"info": {"trace_id": "t"}, "data": {"spans": [span]}})))
    assert texts(rec) == [("user", "q"), ("assistant", "b")]


@pytest.mark.parametrize("path", [TRACE, TRACES_V2])
def test_mrn_and_card_are_found_through_the_scanner(context, path):
    found = scanned_entities(context, path)
    assert "error" not in found
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert "assistant" in found["CREDIT_CARD"]  # and in info.response_preview, a JSON-encoded copy scanned as a field
