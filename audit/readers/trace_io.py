"""Inputs and outputs of traced LLM calls, as the tracing products record them.

Tracing SDKs (Langfuse, LangSmith, MLflow, OpenInference) store a call's input and
output as whatever the instrumented code passed: a chat `messages` list, LangChain
message objects, an OpenAI response with `choices`, LangChain `generations`, a plain
string, or any JSON value, often JSON-encoded in a string. Known shapes keep their
roles; anything else is still text on its side of the call (input: `user`, output:
`assistant`), so an answer is never read as a prompt or left to the field scan.
"""

from __future__ import annotations

from collections.abc import Mapping

from audit.leaves import string_leaves
from audit.readers.base import as_json_text, content_text, decoded, nonempty

# LangChain message types and class names, and the roles they stand for.
ROLES = {
    "human": "user",
    "humanmessage": "user",
    "humanmessagechunk": "user",
    "ai": "assistant",
    "aimessage": "assistant",
    "aimessagechunk": "assistant",
    "model": "assistant",
    "system": "system",
    "systemmessage": "system",
    "developer": "system",
    "tool": "tool",
    "toolmessage": "tool",
    "function": "tool",
    "functionmessage": "tool",
    "chat": "user",
}
_MESSAGE_LIST_KEYS = ("messages", "input_messages", "output_messages", "history")
_OUTPUT_KEYS = ("output", "response", "answer", "completion", "result", "text", "content")


def role_of(value, default: str) -> str:
    """A role name (OpenAI, LangChain, OTel) in our vocabulary: user, assistant, system or tool."""
    if not isinstance(value, str) or not value:
        return default
    return ROLES.get(value.lower(), value.lower())


def value_messages(value, side: str) -> list[tuple[str, str]]:
    """(role, text) pairs of one recorded input or output; `side` is the role of text with no role of its own."""
    value = decoded(value)
    if value is None:
        return []
    if isinstance(value, str):
        return [(side, value)]
    if isinstance(value, list):
        return nonempty(m for item in value for m in value_messages(item, side))
    if not isinstance(value, Mapping):
        return [(side, as_json_text(value))]
    return nonempty(_object_messages(value, side))


def _object_messages(obj: Mapping, side: str) -> list[tuple[str, str]]:
    message = message_of(obj, side)
    if message is not None:
        return [message]
    for key in _MESSAGE_LIST_KEYS:
        if isinstance(decoded(obj.get(key)), list):
            return value_messages(obj[key], side)  # the other keys (model, settings) are scanned as fields
    if isinstance(obj.get("choices"), list):  # an OpenAI completion
        return [m for c in obj["choices"] for m in _choice(c)]
    if isinstance(obj.get("generations"), list):  # a LangChain LLMResult
        return [m for g in obj["generations"] for m in value_messages(g, "assistant")]
    if isinstance(obj.get("candidates"), list):  # a Gemini response
        return [m for c in obj["candidates"] for m in value_messages(c.get("content"), "assistant")]
    key = next((k for k in _OUTPUT_KEYS if isinstance(obj.get(k), str | list | dict)), None)
    if key is not None and len(obj) == 1:
        return value_messages(obj[key], side)
    return _rest(obj, side)


def message_of(obj: Mapping, side: str) -> tuple[str, str] | None:
    """One chat message (OpenAI `role`/`content`, a LangChain message, a generation), or None."""
    if obj.get("lc") == 1 and isinstance(obj.get("kwargs"), Mapping):  # a serialised LangChain object
        names = obj.get("id") if isinstance(obj.get("id"), list) else [""]
        return _with_calls(obj["kwargs"], role_of(obj["kwargs"].get("type") or names[-1], side))
    if isinstance(obj.get("data"), Mapping) and isinstance(obj.get("type"), str) and "content" in obj["data"]:
        return _with_calls(obj["data"], role_of(obj["type"], side))  # langchain messages_to_dict
    if "content" in obj and ("role" in obj or obj.get("type") in ROLES):
        return _with_calls(obj, role_of(obj.get("role") or obj.get("type"), side))
    if "parts" in obj and "role" in obj:  # OTel GenAI and Gemini message parts
        return role_of(obj["role"], side), parts_text(obj["parts"])
    if isinstance(obj.get("message"), Mapping) and ("text" in obj or "generation_info" in obj):
        return message_of(obj["message"], "assistant") or ("assistant", str(obj.get("text") or ""))
    if isinstance(obj.get("text"), str) and ("generation_info" in obj or obj.get("type") == "Generation"):
        return "assistant", obj["text"]
    return None


def _with_calls(message: Mapping, role: str) -> tuple[str, str]:
    texts = [content_text(message.get("content"), "content")]
    for call in message.get("tool_calls") or []:
        if isinstance(call, Mapping):
            fn = call.get("function") if isinstance(call.get("function"), Mapping) else call
            texts.append(as_json_text(fn.get("arguments", fn.get("args"))))
    return role, "\n".join(t for t in texts if t)


def _choice(choice) -> list[tuple[str, str]]:
    if not isinstance(choice, Mapping):
        return value_messages(choice, "assistant")
    if isinstance(choice.get("message"), Mapping):
        return [message_of(choice["message"], "assistant") or ("assistant", as_json_text(choice["message"]))]
    return value_messages(choice.get("text"), "assistant")


def parts_text(parts) -> str:
    """Text of OTel GenAI message parts: text, reasoning, tool call arguments and tool results."""
    if not isinstance(parts, list):
        return content_text(parts, "parts")
    texts = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, Mapping):
            kind = part.get("type")
            if kind == "tool_call":
                texts.append(as_json_text(part.get("arguments")))
            elif kind == "tool_call_response":
                texts.append(as_json_text(part.get("response", part.get("result"))))
            elif isinstance(part.get("content"), str):
                texts.append(part["content"])
            elif isinstance(part.get("text"), str):
                texts.append(part["text"])
    return "\n".join(t for t in texts if t)


def _rest(obj: Mapping, side: str) -> list[tuple[str, str]]:
    """Every string leaf of a value no known shape explains, as one message on its side of the call."""
    text = "\n".join(t for _, t in string_leaves(obj, json_strings=True) if t.strip())
    return [(side, text)] if text else []
