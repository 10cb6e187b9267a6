"""OpenAI Responses API requests: `instructions` plus `input` (a string or a list of items)."""

from __future__ import annotations

from audit.readers.base import (
    BadRecord,
    JsonFormat,
    Parsed,
    as_json_text,
    content_text,
    nonempty,
    string_or_none,
    workload_hint,
)


def detect(obj: dict) -> bool:
    """A Responses request has `input` and no `messages`."""
    return "input" in obj and "messages" not in obj and isinstance(obj.get("input"), str | list)


def responses_messages(obj: dict, where: str) -> list[tuple[str, str]]:
    """(role, text) pairs: instructions as system, then each input item."""
    out = []
    if isinstance(obj.get("instructions"), str):
        out.append(("system", obj["instructions"]))
    items = obj.get("input")
    if isinstance(items, str):
        return nonempty([*out, ("user", items)])
    if not isinstance(items, list):
        raise BadRecord(f"{where}.input: expected a string or a list, got {type(items).__name__}")
    for i, item in enumerate(items):
        out.append(_item(item, f"{where}.input[{i}]"))
    return nonempty(out)


def _item(item, where: str) -> tuple[str, str]:
    if isinstance(item, str):
        return "user", item
    if not isinstance(item, dict):
        raise BadRecord(f"{where}: expected an object, got {type(item).__name__}")
    kind = item.get("type", "message")
    if kind == "function_call":
        return "assistant", as_json_text(item.get("arguments"))
    if kind == "function_call_output":
        return "tool", content_text(item.get("output"), f"{where}.output")
    role = item.get("role", "user")
    if not isinstance(role, str):
        raise BadRecord(f"{where}.role: expected a string")
    return role, content_text(item.get("content"), f"{where}.content")


def parse(obj: dict) -> Parsed:
    """Messages of a Responses request."""
    return Parsed(responses_messages(obj, "request"), string_or_none(obj, "id", "request_id"), workload_hint(obj))


FORMAT = JsonFormat(
    name="openai-responses", detect=detect, parse=parse,
    source="OpenAI Responses API request bodies (`instructions`, `input`) as a gateway logs them",
    reads="prompt, tool calls and outputs, workload",
)  # fmt: skip
