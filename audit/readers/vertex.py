"""Vertex AI request-response logging: rows of its BigQuery table (`bq --format=json` arrays, JSONL exports).

Columns: `endpoint`, `deployed_model_id`, `logging_time`, `request_id`, `request_payload` and
`response_payload` (repeated JSON strings), and for Gemini `full_request` / `full_response`
(JSON; `model`, `api_method`, `metadata` beside them). Requests are Gemini `contents`
(or a partner model's body, e.g. Anthropic's); answers are `candidates[].content.parts`
(a streamed answer is a list of chunks, joined). The workload is the request's
`labels.workload`, Vertex AI's own place for caller metadata. Batch prediction output lines
(`{"request": {Gemini request}, "response": {...}, "status"}`) hold the same bodies.
"""

from __future__ import annotations

from audit.readers.base import JsonFormat, Parsed, string_or_none, workload_hint
from audit.readers.provider_bodies import answer_messages, decoded, request_messages

_PAYLOADS = ("request_payload", "full_request", "response_payload", "full_response")


def detect(obj: dict) -> bool:
    """A logging-table row: `endpoint` or `deployed_model_id` with a request or response payload column."""
    return ("endpoint" in obj or "deployed_model_id" in obj) and any(k in obj for k in _PAYLOADS)


def parse(obj: dict) -> Parsed:
    """The request's turns, then the answer as `assistant`; `request_id` is the record id."""
    request = _payload(obj, "full_request", "request_payload")
    response = _payload(obj, "full_response", "response_payload")
    messages = request_messages(request, "request")
    messages += answer_messages(response, "response")
    return Parsed(messages, string_or_none(obj, "request_id"), _workload(request))


def _payload(obj: dict, full: str, repeated: str):
    """The `full_*` JSON column when set, else the repeated payload (one element unwrapped), decoded."""
    value = decoded(obj.get(full))
    if value in (None, "", [], {}):
        value = decoded(obj.get(repeated))
    if isinstance(value, list):
        value = [decoded(v) for v in value]
        return value[0] if len(value) == 1 else value
    return value


def _workload(request) -> str | None:
    for body in request if isinstance(request, list) else [request]:
        labels = body.get("labels") if isinstance(body, dict) else None
        if isinstance(labels, dict) and string_or_none(labels, "workload"):
            return string_or_none(labels, "workload")
        if isinstance(body, dict) and workload_hint(body):
            return workload_hint(body)
    return None


def detect_batch(obj: dict) -> bool:
    """A Gemini batch prediction line: a `request` with `contents`, beside its `response` or `status`."""
    request = obj.get("request")
    return isinstance(request, dict) and "contents" in request and ("response" in obj or "status" in obj)


def parse_batch(obj: dict) -> Parsed:
    """The request's turns, then the response as `assistant`; the workload from the request's labels."""
    messages = request_messages(obj["request"], "request") + answer_messages(obj.get("response"), "response")
    return Parsed(messages, string_or_none(obj, "id", "key"), _workload(obj["request"]))


BATCH = JsonFormat(
    name="vertex-ai-batch",
    detect=detect_batch,
    parse=parse_batch,
    source="Vertex AI Gemini batch prediction output (JSONL in Cloud Storage, BigQuery rows)",
    reads="prompt, answer, workload (request labels)",
)
FORMAT = JsonFormat(
    name="vertex-ai",
    detect=detect,
    parse=parse,
    source="Vertex AI request-response logging (BigQuery table rows: bq --format=json arrays, JSONL exports)",
    reads="prompt, answer, workload (request labels), request id",
)
