"""Anthropic Message Batches: the requests (`{"custom_id", "params": {Messages request}}`) and the results.

A results line is `{"custom_id", "result": {"type": "succeeded", "message": {Message}}}`
(or `errored`, `canceled`, `expired`, which hold no answer); the message's content blocks
are the `assistant` turn. The create-batch body `{"requests": [...]}` holds request records.
The Messages API has no place for a workload (`metadata` takes only `user_id`), so none is
read unless a record names one itself.
"""

from __future__ import annotations

from audit.readers.base import BadRecord, Container, JsonFormat, Parsed, string_or_none, workload_hint
from audit.readers.parent_fields import with_parent
from audit.readers.provider_bodies import answer_messages, request_messages


def detect_request(obj: dict) -> bool:
    """A batch request: `custom_id` with a `params` object."""
    return "custom_id" in obj and isinstance(obj.get("params"), dict)


def parse_request(obj: dict) -> Parsed:
    """The system prompt and the messages of `params`; `custom_id` is the record id."""
    params = obj["params"]
    messages = request_messages(params, "params")
    return Parsed(messages, string_or_none(obj, "custom_id"), workload_hint(params) or workload_hint(obj))


def detect_result(obj: dict) -> bool:
    """A batch result: `custom_id` with a `result` object."""
    return "custom_id" in obj and isinstance(obj.get("result"), dict)


def parse_result(obj: dict) -> Parsed:
    """A succeeded result's message as `assistant`; other results hold no answer (their fields are still read)."""
    result = obj["result"]
    message = result.get("message")
    if result.get("type") == "succeeded" and not isinstance(message, dict):
        raise BadRecord(f"result.message: expected an object, got {type(message).__name__}")
    messages = answer_messages(message, "result.message") if isinstance(message, dict) else []
    return Parsed(messages, string_or_none(obj, "custom_id"), workload_hint(obj))


def split(obj: dict) -> list | None:
    """The requests of a create-batch body (`{"requests": [...]}`), else None."""
    requests = obj.get("requests")
    if not isinstance(requests, list) or not requests:
        return None
    if not all(isinstance(r, dict) and detect_request(r) for r in requests):
        return None
    return with_parent(requests, obj, ["requests"])


REQUEST = JsonFormat(
    name="anthropic-batch",
    detect=detect_request,
    parse=parse_request,
    source="Anthropic Message Batches requests (JSONL of custom_id + params)",
    reads="prompt, custom_id",
)
RESULT = JsonFormat(
    name="anthropic-batch-result",
    detect=detect_result,
    parse=parse_result,
    source="Anthropic Message Batches results (JSONL of custom_id + result)",
    reads="answer, custom_id",
)
CONTAINER = Container(
    name="anthropic-batch-create",
    split=split,
    source='Anthropic create-batch request bodies (`{"requests": [...]}`)',
)
