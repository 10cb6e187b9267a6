"""OpenAI answers as the API returns them: stored chat completions, Responses, and Batch output files.

- A `chat.completion` object (stored completions: `GET /v1/chat/completions[/{id}]`), its
  `choices[].message` as `assistant`; the prompt is stored apart, as the completion's
  messages (`GET .../{id}/messages`: a list of `{id, role, content}`).
- A `response` object (Responses API), its `output` items as `assistant`; its prompt is
  the list of input items (`GET /v1/responses/{id}/input_items`).
- A Batch output line `{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}`.
A `{"object": "list", "data": [...]}` page of completions or responses holds records; a page
of messages or input items is one conversation. The workload is `metadata.workload`.
"""

from __future__ import annotations

import re

from audit.readers.base import BadRecord, Container, JsonFormat, Parsed, content_text, string_or_none, workload_hint
from audit.readers.openai_responses import responses_messages
from audit.readers.parent_fields import with_parent
from audit.readers.provider_bodies import answer_messages

_OBJECTS = ("chat.completion", "response")
_MESSAGE_INDEX = re.compile(r"-\d+\Z")  # a stored message's id is its completion's id plus "-<index>"


def detect_object(obj: dict) -> bool:
    """A chat.completion or a Responses response object."""
    return obj.get("object") in _OBJECTS


def parse_object(obj: dict) -> Parsed:
    """Instructions (Responses) as system, then the answer as `assistant`."""
    instructions = obj.get("instructions")
    system = [("system", content_text(instructions, "instructions"))] if instructions else []
    messages = [*system, *answer_messages(obj, obj["object"])]
    return Parsed([m for m in messages if m[1]], string_or_none(obj, "id"), workload_hint(obj))


def detect_batch_output(obj: dict) -> bool:
    """A Batch output line: `custom_id` with a `response` (or only an `error`), and no request `body`."""
    return "custom_id" in obj and "body" not in obj and ("response" in obj or "error" in obj) and "result" not in obj


def parse_batch_output(obj: dict) -> Parsed:
    """The answer in `response.body`; `custom_id` is the record id."""
    response = obj.get("response")
    if response is not None and not isinstance(response, dict):
        raise BadRecord(f"response: expected an object, got {type(response).__name__}")
    body = (response or {}).get("body")
    parsed = parse_object(body) if isinstance(body, dict) and detect_object(body) else None
    messages = parsed.messages if parsed else answer_messages(body, "response.body")
    workload = (parsed.workload if parsed else None) or workload_hint(obj)
    return Parsed(messages, string_or_none(obj, "custom_id"), workload)


def detect_conversation(obj: dict) -> bool:
    """A list page of stored messages or input items: every element has a `role` or is a typed item."""
    data = obj.get("data")
    return obj.get("object") == "list" and isinstance(data, list) and bool(data) and all(_is_item(d) for d in data)


def _is_item(item) -> bool:
    return isinstance(item, dict) and ("role" in item or item.get("type") in ("function_call", "function_call_output"))


def parse_conversation(obj: dict) -> Parsed:
    """The turns in order; the record id is the completion's id when the items are a stored completion's."""
    messages = responses_messages({"input": obj["data"]}, "data")
    first = string_or_none(obj["data"][0], "id") or ""
    record_id = _MESSAGE_INDEX.sub("", first) if first.startswith("chatcmpl-") else None
    return Parsed(messages, record_id, workload_hint(obj))


def split_page(obj: dict) -> list | None:
    """The objects of a list page of completions or responses, else None."""
    data = obj.get("data")
    if obj.get("object") != "list" or not isinstance(data, list) or not data:
        return None
    if not all(isinstance(d, dict) and detect_object(d) for d in data):
        return None
    return with_parent(data, obj, ["data"])


OBJECT = JsonFormat(
    name="openai-output",
    detect=detect_object,
    parse=parse_object,
    source="OpenAI stored chat completions (chat.completion objects) and Responses API response objects",
    reads="answer, instructions, workload (metadata), id",
)
BATCH_OUTPUT = JsonFormat(
    name="openai-batch-output",
    detect=detect_batch_output,
    parse=parse_batch_output,
    source="OpenAI Batch API output files (one response per custom_id)",
    reads="answer, workload (metadata), custom_id",
)
CONVERSATION = JsonFormat(
    name="openai-stored-messages",
    detect=detect_conversation,
    parse=parse_conversation,
    source="OpenAI stored completion messages and Responses input items (list pages)",
    reads="prompt, turns, completion id",
)
PAGE = Container(
    name="openai-list",
    split=split_page,
    source='OpenAI list pages of chat completions or responses (`{"object": "list", "data": [...]}`)',
)
