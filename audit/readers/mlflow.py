"""MLflow traces: the trace JSON (`mlflow traces get`, `Trace.to_json()`), `info` plus `data.spans`.

One record per trace, so the user's request, the model's answer and the workload stay
together: each span's `mlflow.spanInputs` is read on the prompt side and its
`mlflow.spanOutputs` as the answer (chat `messages` keep their roles), root span first;
MLflow 2's `mlflow.chat.messages` and `data.request` / `data.response` too. Span
attribute values are JSON-encoded strings. A text repeated by nested spans (the root's
answer is usually the LLM span's) is read once. The record id is `info.trace_id`
(`request_id` before MLflow 3); the workload is a `workload` trace metadata entry or tag.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from audit.readers.base import JsonFormat, Parsed, string_or_none
from audit.readers.trace_io import value_messages


def detect(obj: Mapping) -> bool:
    """A trace: an `info` object and `data.spans`."""
    data = obj.get("data")
    return isinstance(obj.get("info"), Mapping) and isinstance(data, Mapping) and isinstance(data.get("spans"), list)


def _is_root(span: Mapping) -> bool:
    return not (span.get("parent_span_id") or span.get("parent_id"))


def _span_messages(span) -> list[tuple[str, str]]:
    if not isinstance(span, Mapping) or not isinstance(span.get("attributes"), Mapping):
        return []
    attrs = {k: _json_value(v) for k, v in span["attributes"].items()}
    if isinstance(attrs.get("mlflow.chat.messages"), list):  # MLflow 2 chat spans: the whole conversation
        return value_messages(attrs["mlflow.chat.messages"], "user")
    return value_messages(attrs.get("mlflow.spanInputs"), "user") + value_messages(
        attrs.get("mlflow.spanOutputs"), "assistant"
    )


def _json_value(value):
    """A span attribute: MLflow writes every value JSON-encoded (a string answer is `"\\"text\\""`)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def _entries(value) -> dict:
    """Trace tags or metadata: an object, or MLflow 2's REST list of `{key, value}`."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, list):
        return {e["key"]: e.get("value") for e in value if isinstance(e, Mapping) and "key" in e}
    return {}


def _workload(info: Mapping) -> str | None:
    for key in ("trace_metadata", "request_metadata", "tags"):
        hint = string_or_none(_entries(info.get(key)), "workload", "llm_audit.workload")
        if hint:
            return hint
    return None


def parse(obj: Mapping) -> Parsed:
    """The trace's prompt turns and answers, root span first, each text once."""
    spans = obj["data"]["spans"]
    ordered = [s for s in spans if isinstance(s, Mapping) and _is_root(s)] + [
        s for s in spans if not (isinstance(s, Mapping) and _is_root(s))
    ]
    messages = [m for span in ordered for m in _span_messages(span)]
    messages += value_messages(_json_value(obj["data"].get("request")), "user")
    messages += value_messages(_json_value(obj["data"].get("response")), "assistant")
    unique = list(dict.fromkeys(messages))
    info = obj["info"]
    return Parsed(unique, string_or_none(info, "trace_id", "request_id"), _workload(info))


FORMAT = JsonFormat(
    name="mlflow",
    detect=detect,
    parse=parse,
    source="MLflow traces (mlflow traces get, Trace.to_json), MLflow 2 and 3",
    reads="prompt turns, answers of every span, trace id, workload (trace metadata or tag)",
)
