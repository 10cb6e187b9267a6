"""Azure API Management LLM logs: query exports (JSON, CSV), the query API's tables, resource logs."""

from __future__ import annotations

import pytest

from ._fixtures import CARD, MRN, by_id, entities_by_role, read_fixture, said
from ._util import jsonl, read, texts

ROW = "8d7f3b2a-6c1e-4f9d-a2b3-c4d5e6f70811"
JOINED = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e22"


def test_table_rows_read_prompt_and_answer():
    records = by_id(read_fixture("azure/llm_log_query.json"))
    row = records[ROW]
    assert said(row, "system") == "You are the intake assistant of Riverside Clinic."
    assert MRN in said(row, "user") and CARD not in said(row, "user")
    assert CARD in said(row, "assistant")
    assert row.workload is None  # the table has no workload column
    assert records[JOINED].workload == "clinic-intake"  # a query that adds one names it


@pytest.mark.parametrize("name", ["azure/log_analytics_api.json", "azure/llm_log_export.csv"])
def test_query_api_tables_and_portal_csv(name):
    (record,) = by_id(read_fixture(name)).values()
    assert record.record_id == JOINED and record.workload == "clinic-intake"
    assert MRN in said(record, "user") and CARD in said(record, "assistant")


def test_resource_log_records_with_properties_and_sequence_number():
    (record,) = by_id(read_fixture("azure/event_hub_records.json")).values()
    assert record.record_id == f"{ROW}#1"  # the second part of a split exchange
    assert MRN in said(record, "user") and CARD in said(record, "assistant")


def test_a_split_fragment_that_is_not_json_is_still_read(tmp_path):
    row = {"CorrelationId": "c", "SequenceNumber": 2, "RequestMessages": '..."content":"MRN 00482913"}]'}
    (record,) = read(tmp_path, jsonl(row))
    assert texts(record) == [("user", '..."content":"MRN 00482913"}]')]


def test_scanner_finds_mrn_and_card(context):
    found = entities_by_role(context, "azure/llm_log_query.json", "azure/event_hub_records.json")
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}


def test_a_query_api_row_longer_than_its_columns_keeps_every_cell(tmp_path):
    answer = {"tables": [{"name": "PrimaryResult", "columns": [{"name": "CorrelationId", "type": "string"}],
                          "rows": [["c1", "MRN 00482913"]]}]}  # fmt: skip
    (record,) = read(tmp_path, jsonl(answer))
    assert [(m.path, m.text) for m in record.messages if "MRN" in m.text] == [("$._cell1", "MRN 00482913")]
