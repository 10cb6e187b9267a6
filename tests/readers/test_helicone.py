"""Helicone request exports: JSONL, JSON array and CSV (@helicone/export), and saved query-API answers."""

from __future__ import annotations

import json

import pytest

from ._fixtures import CARD, FIXTURES, MRN, by_id, entities_by_role, read_fixture, said
from ._util import read, texts

OPENAI, ANTHROPIC = "9a1e5f6c-3b2d-4c7e-8f90-a1b2c3d4e5f6", "0b2f6a7d-4c3e-4d8f-9a01-b2c3d4e5f607"


@pytest.mark.parametrize("name", ["helicone/export.jsonl", "helicone/export.json"])
def test_json_exports_read_prompt_answer_and_workload(name):
    records = by_id(read_fixture(name))
    chat = records[OPENAI]
    assert said(chat, "system") == "You are the intake assistant of Riverside Clinic."
    assert MRN in said(chat, "user") and CARD not in said(chat, "user")
    assert CARD in said(chat, "assistant")
    assert chat.workload == "clinic-intake"  # the Helicone-Property-Workload header
    assert said(records[ANTHROPIC], "assistant") == f"The card on file is {CARD}."


def test_csv_reads_the_request_body_as_the_prompt_not_the_cost_column():
    records = by_id(read_fixture("helicone/export.csv"))
    chat = records[f"resp-{OPENAI}"]  # the tool's CSV has no request_id column
    assert MRN in said(chat, "user")
    assert chat.workload == "clinic-intake"
    assert all(m.text != "4.3e-05" for m in chat.messages if not m.path)


def test_csv_with_a_response_column_reads_the_answer(tmp_path):
    row = json.loads((FIXTURES / "helicone/export.jsonl").read_text().splitlines()[0])
    cells = {k: json.dumps(row[k]) for k in ("request_body", "response_body", "request_properties")}
    header = "request_id,request_body,response_body,request_properties,cost\n"
    line = ",".join(['"' + v.replace('"', '""') + '"' for v in [OPENAI, *cells.values(), "0.000043"]])
    (record,) = read(tmp_path, header + line + "\n", name="helicone.csv")
    assert MRN in said(record, "user") and CARD in said(record, "assistant")


def test_a_body_cell_that_is_not_valid_json_is_still_the_prompt(tmp_path):
    # quotes escaped twice, as some versions of the export tool write them: the cell is text, still scanned
    header = "response_id,request_body,request_properties,cost\n"
    (record,) = read(tmp_path, header + '"r1","{""""content"""":""""MRN 00482913""""}","",0.1\n', name="h.csv")
    assert texts(record) == [("user", '{""content"":""MRN 00482913""}')]


def test_a_saved_query_api_answer_holds_rows(tmp_path):
    rows = [json.loads(line) for line in (FIXTURES / "helicone/export.jsonl").read_text().splitlines()]
    items = read(tmp_path, json.dumps({"data": rows, "error": None}))
    assert {r.record_id for r in items} == {OPENAI, ANTHROPIC}


def test_scanner_finds_mrn_and_card(context):
    found = entities_by_role(context, "helicone/export.jsonl", "helicone/export.csv")
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}
