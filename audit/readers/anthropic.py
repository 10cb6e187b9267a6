"""Anthropic Messages API requests: `system` (string or blocks) and `messages` of content blocks."""

from __future__ import annotations

from audit.readers.base import JsonFormat, Parsed, content_text, nonempty, string_or_none, workload_hint
from audit.readers.openai_chat import chat_messages

_ANTHROPIC_BLOCKS = ("tool_use", "tool_result", "thinking", "redacted_thinking", "document")


def detect(obj: dict) -> bool:
    """Messages plus a top-level `system`, `anthropic_version`, or Anthropic-only content blocks."""
    if not isinstance(obj.get("messages"), list):
        return False
    if "system" in obj or "anthropic_version" in obj or "stop_sequences" in obj:
        return True
    return any(
        isinstance(b, dict) and isinstance(b.get("type"), str) and b["type"] in _ANTHROPIC_BLOCKS
        for m in obj["messages"]
        if isinstance(m, dict) and isinstance(m.get("content"), list)
        for b in m["content"]
    )


def parse(obj: dict) -> Parsed:
    """System prompt first, then the messages; tool_use inputs and tool_result contents included."""
    system = content_text(obj.get("system"), "system")
    messages = chat_messages(obj["messages"], "messages")
    return Parsed(
        nonempty([("system", system), *messages]), string_or_none(obj, "id", "request_id"), workload_hint(obj)
    )


FORMAT = JsonFormat(
    name="anthropic", detect=detect, parse=parse,
    source="Anthropic Messages API request bodies (`system`, content blocks)",
    reads="prompt, system prompt, tool use and results, documents, workload",
)  # fmt: skip
