"""OpenTelemetry GenAI spans in OTLP/JSON: exports (`resourceSpans[].scopeSpans[].spans[]`) and the Collector file exporter.

An OTLP export is a container: each span becomes a record of its own, its attributes
decoded from OTLP `AnyValue`s into a plain object and its resource's attributes copied
under `_resource` (the workload is the resource's `service.name`, unless the span names
a `workload`). The span's conversation is read in each attribute style in use:

- semantic conventions 1.37+: `gen_ai.system_instructions`, `gen_ai.input.messages` and
  `gen_ai.output.messages`, JSON arrays of `{role, parts: [{type, content}...]}`;
- the older span events: `gen_ai.system.message`, `gen_ai.user.message`,
  `gen_ai.assistant.message`, `gen_ai.tool.message`, `gen_ai.choice` (attributes `content`
  or `message`), and `gen_ai.content.prompt` / `.completion` (attributes `gen_ai.prompt` / `gen_ai.completion`);
- OpenLLMetry's flattened `gen_ai.prompt.N.role` / `.content` and `gen_ai.completion.N.*`;
- OpenInference's `llm.input_messages.N.*` and `input.value` / `output.value`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from audit.readers.base import BadRecord, Container, JsonFormat, Parsed, as_json_text, nonempty, string_or_none
from audit.readers.openinference import attribute_messages, attribute_workload, flatten
from audit.readers.trace_io import decoded, message_of, parts_text, role_of, value_messages

_OPENLLMETRY_KEY = re.compile(r"gen_ai\.(prompt|completion)\.(\d+)\.(.+)\Z")
_EVENT_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
    "gen_ai.choice": "assistant",
    "gen_ai.content.prompt": "user",
    "gen_ai.content.completion": "assistant",
}


def any_value(value):
    """An OTLP/JSON `AnyValue` as a plain value (kvlists become objects, arrays lists)."""
    if not isinstance(value, Mapping):
        return value
    if "arrayValue" in value:
        return [any_value(v) for v in (value["arrayValue"] or {}).get("values") or []]
    if "kvlistValue" in value:
        return key_values((value["kvlistValue"] or {}).get("values") or [])
    if isinstance(value.get("intValue"), str) and value["intValue"].lstrip("-").isdigit():
        return int(value["intValue"])  # OTLP/JSON writes int64 as a string
    for key in ("stringValue", "boolValue", "intValue", "doubleValue", "bytesValue"):
        if key in value:
            return value[key]
    return None


def key_values(items) -> dict:
    """OTLP `[{key, value}]` attributes as one object; an object already is one."""
    if isinstance(items, Mapping):
        return dict(items)
    if not isinstance(items, list):
        raise BadRecord(f"attributes: expected a list, got {type(items).__name__}")
    return {kv["key"]: any_value(kv.get("value")) for kv in items if isinstance(kv, Mapping) and "key" in kv}


def _span(span: Mapping, resource: dict, scope: Mapping) -> dict:
    events = [
        {**e, "attributes": key_values(e.get("attributes") or [])} if isinstance(e, Mapping) else e
        for e in span.get("events") or []
    ]
    out = {**span, "attributes": key_values(span.get("attributes") or []), "_resource": resource}
    if events:
        out["events"] = events
    if scope.get("name"):
        out["_scope"] = scope.get("name")
    return out


def split(obj: Mapping) -> list | None:
    """The spans of an OTLP/JSON ExportTraceServiceRequest, each with its resource's attributes."""
    groups = obj.get("resourceSpans")
    if not isinstance(groups, list):
        return None
    spans = []
    for group in groups:
        resource = key_values((group.get("resource") or {}).get("attributes") or [])
        for scoped in group.get("scopeSpans") or group.get("instrumentationLibrarySpans") or []:
            scope = scoped.get("scope") or scoped.get("instrumentationLibrary") or {}
            spans.extend(_span(s, resource, scope) for s in scoped.get("spans") or [])
    return spans


def detect(obj: Mapping) -> bool:
    """An OTLP span: a `spanId` with `attributes` (OTLP key/value list, or decoded by the container)."""
    return "spanId" in obj and isinstance(obj.get("attributes"), list | Mapping)


def _semconv(attrs: Mapping) -> list[tuple[str, str]]:
    out = []
    instructions = decoded(attrs.get("gen_ai.system_instructions"))
    if instructions:
        out.append(("system", instructions if isinstance(instructions, str) else parts_text(instructions)))
    for key, side in (("gen_ai.input.messages", "user"), ("gen_ai.output.messages", "assistant")):
        out += value_messages(attrs.get(key), side)
    return out


def _openllmetry(attrs: Mapping) -> list[tuple[str, str]]:
    turns: dict[tuple[int, int], dict] = {}
    for key, value in attrs.items():
        match = _OPENLLMETRY_KEY.match(key) if isinstance(key, str) else None
        if match is None or value is None:
            continue
        turn = turns.setdefault((match[1] == "completion", int(match[2])), {"role": None, "text": []})
        if match[3] == "role":
            turn["role"] = value
        elif match[3] in ("content", "user") or match[3].endswith(".arguments"):
            turn["text"].append(value if isinstance(value, str) else as_json_text(value))
    return [
        (role_of(t["role"], "assistant" if answer else "user"), "\n".join(t["text"]))
        for (answer, _), t in sorted(turns.items())
    ]


def _events(events) -> list[tuple[str, str]]:
    out = []
    for event in events if isinstance(events, list) else []:
        role = _EVENT_ROLES.get(event.get("name")) if isinstance(event, Mapping) else None
        if role is None:
            continue
        attrs = key_values(event.get("attributes") or [])
        message = decoded(attrs.get("message", attrs.get("gen_ai.event.content")))
        if isinstance(message, Mapping):
            out.append(message_of(message, role) or (role, as_json_text(message.get("content"))))
        for key in ("content", "body", "gen_ai.prompt", "gen_ai.completion"):
            out += value_messages(attrs.get(key), role)
    return out


def parse(obj: Mapping) -> Parsed:
    """The span's conversation in whichever attribute style it uses; spanId is the record id."""
    attrs = key_values(obj["attributes"])
    flat = flatten(attrs)
    messages = _semconv(attrs) + _openllmetry(attrs) + _events(obj.get("events"))
    for key, role in (("gen_ai.prompt", "user"), ("gen_ai.completion", "assistant")):
        messages += value_messages(attrs.get(key), role)
    messages += attribute_messages(flat)
    resource = obj.get("_resource") if isinstance(obj.get("_resource"), Mapping) else {}
    return Parsed(nonempty(messages), string_or_none(obj, "spanId"), attribute_workload(flat, resource))


CONTAINER = Container(
    name="otlp",
    split=split,
    source="OTLP/JSON trace exports and the OpenTelemetry Collector file exporter (one request per line)",
)
FORMAT = JsonFormat(
    name="otel-genai",
    detect=detect,
    parse=parse,
    source="OpenTelemetry GenAI spans (semconv 1.37+ messages, gen_ai.* span events, OpenLLMetry, OpenInference)",
    reads="system instructions, prompt turns, answer, tool calls, span id, workload (service.name)",
)
