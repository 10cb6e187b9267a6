"""Phoenix / OpenInference spans: JSON(L) span exports and the Phoenix spans CSV (DataFrame) export.

OpenInference (Arize) records an LLM call in span attributes with flattened keys:
`llm.input_messages.N.message.role` / `.message.content` (or `.message.contents.M.
message_content.text`, `.message.tool_calls.M.tool_call.function.arguments`), the same
under `llm.output_messages`, `llm.prompts`, and the raw `input.value` / `output.value`.
Exports spell those attributes three ways, all read here: flat keys in an `attributes`
object, nested objects (`{"llm": {"input_messages": [...]}}`), or DataFrame columns
prefixed `attributes.` (`attributes.llm.input_messages` holding a list of
`{"message.role": ..., "message.content": ...}`). The workload is `metadata.workload`,
a `workload` attribute, or the OTel resource's `service.name` / Phoenix project name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from audit.readers.base import JsonFormat, Parsed, as_json_text, nonempty, string_or_none
from audit.readers.trace_io import decoded, role_of, value_messages

_MESSAGE_KEY = re.compile(r"llm\.(input|output)_messages\.(\d+)\.message\.(.+)\Z")
_PROMPT_KEY = re.compile(r"llm\.prompts\.(\d+)(?:\.prompt\.text)?\Z")
_OI_KEYS = ("openinference.span.kind", "input.value", "output.value")


def flatten(value, prefix: str = "", out: dict | None = None) -> dict:
    """Nested attribute objects and lists as one flat dict of dotted keys (`llm.input_messages.0.message.role`)."""
    out = {} if out is None else out
    value = (
        decoded(value) if prefix.endswith(("_messages", "prompts", "documents", "tool_calls", "contents")) else value
    )
    if isinstance(value, Mapping):
        for key, child in value.items():
            flatten(child, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for i, child in enumerate(value):
            flatten(child, f"{prefix}.{i}", out)
    else:
        out[prefix] = value
    return out


def attribute_messages(flat: Mapping) -> list[tuple[str, str]]:
    """(role, text) pairs of an OpenInference span from its flat attributes: prompt turns, then the answer."""
    turns: dict[tuple[int, int], dict[str, list[str]]] = {}
    for key, value in flat.items():
        match = _MESSAGE_KEY.match(key) if isinstance(key, str) else None
        if match is None or value is None:
            continue
        side, field = (0 if match[1] == "input" else 1), match[3]
        turn = turns.setdefault((side, int(match[2])), {"role": [], "text": []})
        if field == "role":
            turn["role"].append(str(value))
        elif field in ("content", "name") or field.endswith((".text", ".arguments", "function_call_arguments_json")):
            turn["text"].append(value if isinstance(value, str) else as_json_text(value))
    messages = []
    for (side, _), turn in sorted(turns.items()):
        default = "user" if side == 0 else "assistant"
        role = role_of(turn["role"][0] if turn["role"] else None, default)
        messages.append((role, "\n".join(t for t in turn["text"] if t)))
    if not any(side == 0 for side, _ in turns):
        prompts = sorted((int(m[1]), v) for k, v in flat.items() if (m := _PROMPT_KEY.match(str(k))))
        messages[:0] = [("user", v) for _, v in prompts if isinstance(v, str)] or value_messages(
            flat.get("input.value"), "user"
        )
    if not any(side == 1 for side, _ in turns):
        messages += value_messages(flat.get("output.value"), "assistant")
    return nonempty(messages)


def attribute_workload(flat: Mapping, resource: Mapping | None = None) -> str | None:
    """The workload a span names: `metadata.workload`, a `workload` attribute, else its service or project."""
    meta = decoded(flat.get("metadata"))
    hint = string_or_none(meta, "workload") if isinstance(meta, Mapping) else None
    hint = hint or string_or_none(flat, "metadata.workload", "workload", "llm_audit.workload")
    resource = resource or {}
    return hint or string_or_none(resource, "service.name", "openinference.project.name")


def _span_attributes(obj: Mapping) -> dict:
    columns = {
        k.removeprefix("attributes."): v for k, v in obj.items() if isinstance(k, str) and k.startswith("attributes.")
    }
    attributes = decoded(obj.get("attributes"))
    return flatten({**(attributes if isinstance(attributes, Mapping) else {}), **columns})


def detect(obj: Mapping) -> bool:
    """A span with OpenInference attributes (an `attributes` object, or `attributes.*` columns)."""
    if "context.span_id" in obj or any(isinstance(k, str) and k.startswith("attributes.") for k in obj):
        return True
    attributes = decoded(obj.get("attributes"))
    if not isinstance(attributes, Mapping):
        return False
    flat = flatten(attributes)
    return any(k in flat for k in _OI_KEYS) or any(str(k).startswith("llm.input_messages") for k in flat)


def _span_id(obj: Mapping) -> str | None:
    context = obj.get("context")
    if isinstance(context, Mapping):
        return string_or_none(context, "span_id", "spanId")
    return string_or_none(obj, "context.span_id", "span_id", "spanId", "id")


def parse(obj: Mapping) -> Parsed:
    """The span's prompt turns and answer, its span id, and its workload."""
    flat = _span_attributes(obj)
    resource = obj.get("resource") if isinstance(obj.get("resource"), Mapping) else None
    return Parsed(attribute_messages(flat), _span_id(obj), attribute_workload(flat, resource))


FORMAT = JsonFormat(
    name="openinference",
    detect=detect,
    parse=parse,
    source="Arize Phoenix / OpenInference span exports (JSON, JSONL, and the spans DataFrame as CSV or Parquet)",
    reads="prompt turns, answer, tool calls, span id, workload (metadata or service)",
)
