"""The reader interface and the helpers JSON formats share.

A JSON format is a module-level `JsonFormat`: a name, a `detect(obj)` predicate
and a `parse(obj)` that returns a `Parsed` (id, workload hint, messages) or
raises `BadRecord` with a reason. Line handling, JSON decoding, ids and error
reporting live in one place (`audit.readers.read_source`), not in each format.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadRecord(ValueError):
    """A record whose shape is not what its format promises; the reason names the field."""


@dataclass(frozen=True)
class Parsed:
    """What a format extracts from one JSON object."""

    messages: list[tuple[str, str]]  # (role, text)
    record_id: str | None = None
    workload: str | None = None


@dataclass(frozen=True)
class JsonFormat:
    """One JSON log format: a record is one object (a line, an array element, or a container's child).

    `source` says where such logs come from, `reads` what is taken from them; both feed the README's table.
    """

    name: str
    detect: Callable[[dict], bool]
    parse: Callable[[dict], Parsed]
    source: str = ""
    reads: str = "prompt, answer, workload"


@dataclass(frozen=True)
class Container:
    """A JSON object that holds records rather than being one (an OTLP export, a trace with its spans).

    `split(obj)` returns the records inside `obj` (objects, each read as a record or a container in turn),
    or None when `obj` is not such a container. Children may carry context copied from their parent.
    """

    name: str
    split: Callable[[dict], list | None]
    source: str = ""


def content_text(content, where: str) -> str:
    """Text of an OpenAI/Anthropic-style content value: a string, or a list of parts/blocks.

    Text parts contribute their text; tool calls their JSON arguments; tool
    results their nested content; images and audio contribute nothing.
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        raise BadRecord(f"{where}: expected a string or a list of parts, got {type(content).__name__}")
    return "\n".join(t for t in (_part_text(p, f"{where}[{i}]") for i, p in enumerate(content)) if t)


def _part_text(part, where: str) -> str:
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        raise BadRecord(f"{where}: expected an object, got {type(part).__name__}")
    kind = part.get("type")
    if kind in ("tool_use", "function_call", "server_tool_use"):
        return as_json_text(part.get("input", part.get("arguments")))
    if kind in ("tool_result", "function_call_output"):
        return content_text(part.get("content", part.get("output")), f"{where}.content")
    if kind == "document":
        return _document_text(part, where)
    text = part.get("text")
    if isinstance(text, dict):  # Responses API output_text may nest {"value": ...}
        text = text.get("value")
    if text is None and isinstance(part.get("input_text"), str):
        text = part["input_text"]
    if text is not None and not isinstance(text, str):
        raise BadRecord(f"{where}.text: expected a string, got {type(text).__name__}")
    return text or ""


def _document_text(part: dict, where: str) -> str:
    """An Anthropic document block: its plain-text source (or its content blocks); PDFs and images are opaque."""
    source = part.get("source")
    if not isinstance(source, dict):
        return ""
    if source.get("type") == "text" and isinstance(source.get("data"), str):
        return source["data"]
    if source.get("type") == "content":
        return content_text(source.get("content"), f"{where}.source.content")
    return ""


def decoded(value):
    """A JSON object or array held in a string, decoded; any other value (or text that does not decode, which is
    then still scanned as text) as it is."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def as_json_text(value) -> str:
    """Tool arguments as text: strings stay as they are (they are usually JSON already)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def string_or_none(obj: dict, *keys: str) -> str | None:
    """The first of `keys` in `obj` that holds a non-empty string or number, as a string."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
            return str(value)
    return None


def workload_hint(obj: dict) -> str | None:
    """A workload named by the record itself: `workload`, or `metadata.workload`."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        hint = string_or_none(meta, "workload", "llm_audit_workload")
        if hint:
            return hint
    return string_or_none(obj, "workload")


def messages_list(value, where: str) -> list[dict]:
    """Validate that `value` is a list of message objects."""
    if not isinstance(value, list):
        raise BadRecord(f"{where}: expected a list of messages, got {type(value).__name__}")
    for i, m in enumerate(value):
        if not isinstance(m, dict):
            raise BadRecord(f"{where}[{i}]: expected an object, got {type(m).__name__}")
    return value


def nonempty(messages: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop messages with no text."""
    return [(role, text) for role, text in messages if text]


def clean_text(text: str) -> str:
    """`text` with lone UTF-16 surrogates (legal in JSON escapes, unencodable in UTF-8) replaced by U+FFFD.

    One character for one, so offsets into the text stay valid.
    """
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def display_path(path: str) -> str:
    """A path as text that can always be printed and encoded (undecodable bytes in names become U+FFFD)."""
    if path == "-":
        return path
    return os.fsencode(path).decode("utf-8", "replace")
