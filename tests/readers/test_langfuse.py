"""Langfuse: observation exports, and a trace with its observations (a container)."""

from __future__ import annotations

import json

import pytest

from audit.readers import JSON_FORMATS

from ._sources import FIXTURES, assert_prompt_and_answer, scanned_entities
from ._util import errors, jsonl, only_record, read, records, texts

OBSERVATIONS = FIXTURES / "langfuse" / "observations.jsonl"
TRACE = FIXTURES / "langfuse" / "trace_with_observations.json"


def test_observations_yield_prompt_answer_and_workload(tmp_path):
    items = read(tmp_path, OBSERVATIONS.read_bytes())
    assert not errors(items)
    assert [r.record_id for r in records(items)] == ["obs-1a2b3c4d", "obs-7c1e4a2f"]
    for rec in records(items):
        assert_prompt_and_answer(rec, "patient-intake")


def test_a_generation_is_not_read_as_an_openai_responses_request():
    generation = json.loads(OBSERVATIONS.read_text().splitlines()[1])
    assert next(f.name for f in JSON_FORMATS.values() if f.detect(generation)) == "langfuse"


def test_a_trace_is_a_record_and_its_observations_inherit_its_workload(tmp_path):
    items = read(tmp_path, TRACE.read_bytes(), name="trace.json")
    assert not errors(items)
    assert [r.record_id for r in records(items)] == ["trace-5d0b9c3e", "obs-1a2b3c4d", "obs-7c1e4a2f"]
    for rec in records(items):
        assert_prompt_and_answer(rec, "patient-intake")
    generation = records(items)[2]
    assert [role for role, _ in texts(generation)] == ["system", "user", "assistant"]


def test_an_api_listing_page_is_read_item_by_item(tmp_path):
    page = {"data": [json.loads(line) for line in OBSERVATIONS.read_text().splitlines()], "meta": {"totalItems": 2}}
    assert [r.record_id for r in records(read(tmp_path, jsonl(page)))] == ["obs-1a2b3c4d", "obs-7c1e4a2f"]


@pytest.mark.parametrize(
    ("output", "answer"),
    [
        ("plain answer", "plain answer"),
        ({"content": "wrapped answer"}, "wrapped answer"),
        (json.dumps({"role": "assistant", "content": "encoded answer"}), "encoded answer"),
        ({"choices": [{"message": {"role": "assistant", "content": "choice answer"}}]}, "choice answer"),
    ],
)
def test_output_shapes_are_the_answer(tmp_path, output, answer):
    obs = {"id": "o", "traceId": "t", "type": "GENERATION", "input": "q", "output": output}
    assert texts(only_record(read(tmp_path, jsonl(obs)))) == [("user", "q"), ("assistant", answer)]


@pytest.mark.parametrize("path", [OBSERVATIONS, TRACE])
def test_mrn_and_card_are_found_through_the_scanner(context, path):
    found = scanned_entities(context, path)
    assert "error" not in found
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}
