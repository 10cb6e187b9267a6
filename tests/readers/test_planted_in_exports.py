"""No export format or container drops a value: one planted anywhere in a fixture record is read, or is an error."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._fixtures import FIXTURES
from ._util import errors, read, records

PLANTED = "my ssn is 219-09-9999"


def _lines(name: str) -> list[dict]:
    path = FIXTURES / name
    data = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    text = data.decode()
    return (
        [json.loads(line) for line in text.splitlines()]
        if ".jsonl" in name or name.endswith(".gz")
        else [json.loads(text)]
    )


SAMPLES = {
    "bedrock": _lines("bedrock/invocations.json.gz")[0],
    "bedrock-stream": _lines("bedrock/invocations.json.gz")[4],
    "bedrock-batch": _lines("bedrock/batch_output.jsonl.out")[0],
    "vertex-batch": _lines("vertex/batch_prediction.jsonl")[0],
    "cloudwatch": _lines("bedrock/cloudwatch_subscription.json")[0],
    "azure": _lines("azure/llm_log_query.json")[0][0],
    "azure-records": _lines("azure/event_hub_records.json")[0],
    "vertex": _lines("vertex/export.jsonl")[1],
    "helicone": _lines("helicone/export.jsonl")[0],
    "openai-completion": _lines("openai_outputs/stored_completions.json")[0]["data"][1],
    "openai-messages": _lines("openai_outputs/stored_messages.json")[0],
    "openai-response": _lines("openai_outputs/response.json")[0],
    "openai-batch-output": _lines("openai_outputs/batch_output.jsonl")[1],
    "anthropic-batch": _lines("anthropic_batch/requests.jsonl")[0],
    "anthropic-batch-result": _lines("anthropic_batch/results.jsonl")[1],
    "log-analytics-tables": _lines("azure/log_analytics_api.json")[0],
    "helicone-query": {"data": _lines("helicone/export.jsonl"), "error": None},
    "openai-list": _lines("openai_outputs/stored_completions.json")[0],
    "anthropic-batch-create": _lines("anthropic_batch/create_batch.json")[0],
}


def _nodes(node, found: list) -> list:
    """Every object and array inside `node`, in document order."""
    if isinstance(node, dict | list):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _nodes(child, found)
    return found


def _plant(doc, where: int, how: int, value):
    """`doc` with `value` added to its `where`-th container, or put in place of one of its members."""
    node = _nodes(doc, [])[where % len(_nodes(doc, []))]
    if isinstance(node, list):
        node.insert(how % (len(node) + 1), value)
    elif node and how % 2:
        node[sorted(node)[how % len(node)]] = value
    else:
        node[f"planted{how}"] = value
    return doc


@pytest.mark.parametrize("name", sorted(SAMPLES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.integers(0, 500), how=st.integers(0, 50), as_json_string=st.booleans())
def test_a_value_planted_in_an_export_record_is_read(tmp_path, name, where, how, as_json_string):
    doc = _plant(
        json.loads(json.dumps(SAMPLES[name])), where, how, json.dumps([PLANTED]) if as_json_string else PLANTED
    )
    items = read(tmp_path, json.dumps(doc) + "\n")
    texts = "\n".join(m.text for r in records(items) for m in r.messages)
    assert errors(items) or PLANTED in texts
