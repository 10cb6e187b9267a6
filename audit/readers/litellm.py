"""LiteLLM proxy spend logs (LiteLLM_SpendLogs rows / StandardLoggingPayload), one JSON object per line.

Prompts are present when the proxy runs with `store_prompts_in_spend_logs`.
`messages` may be a list, a dict, or a JSON-encoded string; when it is empty,
`proxy_server_request` (the original request body) is used. The workload
comes from `metadata.workload`, a `workload:NAME` request tag, or the team alias.
"""

from __future__ import annotations

from audit.readers.base import JsonFormat, Parsed, content_text, decoded, string_or_none, workload_hint
from audit.readers.openai_chat import chat_messages


def detect(obj: dict) -> bool:
    """A spend-log row has `request_id` and `call_type` (or `spend`); a StandardLoggingPayload (the S3/GCS/
    custom-logger payload) has `call_type` with `response_cost` or `model_group`."""
    if "request_id" in obj and ("call_type" in obj or "spend" in obj):
        return True
    return "call_type" in obj and ("response_cost" in obj or "model_group" in obj)


def _messages(obj: dict) -> list[tuple[str, str]]:
    messages = decoded(obj.get("messages"))
    if not messages:
        request = decoded(obj.get("proxy_server_request"))
        messages = request.get("messages") if isinstance(request, dict) else None
    if isinstance(messages, dict):
        messages = messages.get("messages", [messages])
    if isinstance(messages, str):
        return [("user", messages)]
    if not messages:
        return []
    return chat_messages(messages, "messages")


def _workload(obj: dict) -> str | None:
    """The workload hint; a malformed metadata or tag field loses the hint, never the record's prompts."""
    meta = decoded(obj.get("metadata"))
    tags = decoded(obj.get("request_tags")) or []
    hint = workload_hint({"metadata": meta}) if isinstance(meta, dict) else None
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, str) and tag.startswith("workload:"):
            return hint or tag.split(":", 1)[1]
    if not hint and isinstance(meta, dict):
        hint = string_or_none(meta, "user_api_key_team_alias")
    return hint


def parse(obj: dict) -> Parsed:
    """Messages of the logged request; `request_id` is the record id."""
    messages = _messages(obj)
    response = decoded(obj.get("response"))
    if isinstance(response, dict):  # the completion can echo PII back; scan it as the assistant turn
        choices = response.get("choices") or []
        for choice in choices if isinstance(choices, list) else []:
            msg = choice.get("message") if isinstance(choice, dict) else None
            if isinstance(msg, dict):
                messages.append(("assistant", content_text(msg.get("content"), "response.choices.message")))
    elif isinstance(response, str):
        messages.append(("assistant", response))
    return Parsed([m for m in messages if m[1]], string_or_none(obj, "request_id", "id"), _workload(obj))


FORMAT = JsonFormat(
    name="litellm",
    detect=detect,
    parse=parse,
    source="LiteLLM proxy: LiteLLM_SpendLogs rows (JSON, CSV, its database), S3/GCS/custom-logger payloads",
)
