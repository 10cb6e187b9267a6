"""OpenAI Batch API input: `{"custom_id", "method", "url", "body": {...}}` per line."""

from __future__ import annotations

from audit.readers.base import BadRecord, JsonFormat, Parsed, string_or_none, workload_hint
from audit.readers.openai_chat import chat_messages
from audit.readers.openai_responses import responses_messages


def detect(obj: dict) -> bool:
    """A batch line has `custom_id` and a `body` object."""
    return "custom_id" in obj and isinstance(obj.get("body"), dict)


def parse(obj: dict) -> Parsed:
    """The wrapped chat or Responses body; `custom_id` is the record id."""
    body = obj["body"]
    if isinstance(body.get("messages"), list):
        messages = chat_messages(body["messages"], "body.messages")
    elif "input" in body:
        messages = responses_messages(body, "body")
    else:
        raise BadRecord("body: expected `messages` or `input`")
    return Parsed(messages, string_or_none(obj, "custom_id"), workload_hint(body) or workload_hint(obj))


FORMAT = JsonFormat(
    name="openai-batch", detect=detect, parse=parse, source="OpenAI Batch API input files (`custom_id`, `body`)",
    reads="prompt, workload",
)  # fmt: skip
