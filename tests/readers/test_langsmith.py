"""LangSmith runs: JSONL of run objects, and bulk-export (Parquet) rows whose nested columns are JSON strings."""

from __future__ import annotations

import json

import pytest

from ._sources import FIXTURES, assert_prompt_and_answer, scanned_entities
from ._util import errors, jsonl, only_record, read, records, texts

RUNS = FIXTURES / "langsmith" / "runs.jsonl"
BULK_ROWS = FIXTURES / "langsmith" / "bulk_export_rows.jsonl"
CHAIN, LLM = "1ef4c0de-6c7a-4d5e-9f10-2b3c4d5e6f70", "1ef4c0de-7d8e-4f90-a1b2-c3d4e5f60718"


@pytest.mark.parametrize(("path", "ids"), [(RUNS, [CHAIN, LLM]), (BULK_ROWS, [LLM])])
def test_runs_yield_prompt_answer_and_workload(tmp_path, path, ids):
    items = read(tmp_path, path.read_bytes())
    assert not errors(items)
    assert [r.record_id for r in records(items)] == ids
    for rec in records(items):
        assert_prompt_and_answer(rec, "patient-intake")


def test_a_chat_model_run_keeps_langchain_roles_and_reads_the_generation_once(tmp_path):
    llm = records(read(tmp_path, RUNS.read_bytes()))[1]
    assert [role for role, _ in texts(llm)] == ["system", "user", "assistant"]


@pytest.mark.parametrize(
    ("outputs", "answer"),
    [
        ({"choices": [{"message": {"role": "assistant", "content": "from choices"}}]}, "from choices"),
        ({"messages": [{"type": "ai", "data": {"content": "from messages_to_dict"}}]}, "from messages_to_dict"),
        ({"output": "from output"}, "from output"),
    ],
)
def test_output_shapes_are_the_answer(tmp_path, outputs, answer):
    run = {"id": "r", "run_type": "llm", "inputs": {"messages": [{"role": "user", "content": "q"}]}, "outputs": outputs}
    assert texts(only_record(read(tmp_path, jsonl(run)))) == [("user", "q"), ("assistant", answer)]


def test_workload_falls_back_to_the_project(tmp_path):
    run = {
        "id": "r",
        "run_type": "chain",
        "inputs": {"q": "x"},
        "session_name": "card-support",
        "extra": json.dumps({}),
    }
    assert only_record(read(tmp_path, jsonl(run))).workload == "card-support"


@pytest.mark.parametrize("path", [RUNS, BULK_ROWS])
def test_mrn_and_card_are_found_through_the_scanner(context, path):
    found = scanned_entities(context, path)
    assert "error" not in found
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}
