"""OpenAI Chat Completions request logs: one request body per line, with `messages`."""

from __future__ import annotations

from audit.readers.base import (
    BadRecord,
    JsonFormat,
    Parsed,
    as_json_text,
    content_text,
    messages_list,
    nonempty,
    string_or_none,
    workload_hint,
)


def detect(obj: dict) -> bool:
    """A chat request has a `messages` list."""
    return isinstance(obj.get("messages"), list)


def chat_messages(messages: list, where: str) -> list[tuple[str, str]]:
    """(role, text) pairs from a Chat Completions `messages` array, tool calls included."""
    out = []
    for i, m in enumerate(messages_list(messages, where)):
        role = m.get("role")
        if not isinstance(role, str):
            raise BadRecord(f"{where}[{i}].role: expected a string")
        parts = [content_text(m.get("content"), f"{where}[{i}].content")]
        calls = m.get("tool_calls") or []
        if not isinstance(calls, list):
            raise BadRecord(f"{where}[{i}].tool_calls: expected a list, got {type(calls).__name__}")
        for j, call in enumerate(calls):
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict):
                raise BadRecord(f"{where}[{i}].tool_calls[{j}].function: expected an object")
            parts.append(as_json_text(fn.get("arguments")))
        if isinstance(m.get("function_call"), dict):  # legacy functions API
            parts.append(as_json_text(m["function_call"].get("arguments")))
        out.append((role, "\n".join(p for p in parts if p)))
    return nonempty(out)


def parse(obj: dict) -> Parsed:
    """Messages of a chat request, with `id` (or `request_id`) as the record id."""
    return Parsed(
        messages=chat_messages(obj["messages"], "messages"),
        record_id=string_or_none(obj, "id", "request_id"),
        workload=workload_hint(obj),
    )


FORMAT = JsonFormat(
    name="openai-chat", detect=detect, parse=parse,
    source="OpenAI Chat Completions request bodies (`messages`), and any gateway that logs them",
    reads="prompt, answers in the history, tool calls, workload",
)  # fmt: skip
