"""Probe requests: one value planted in one field each, for every API the gateway serves.

Each probe names the endpoint, the LiteLLM call type of that endpoint, and a body with PLANT where the value
goes. The fields are those LiteLLM 1.108.7 forwards to a provider (measured for issue 24): tool schemas,
`user`, metadata, names, stop sequences, reasoning, unknown keys... A probe passes when the closed upstream
never receives the raw value, whatever the verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from audit.leaves import string_leaves

PLANT = "PLANT"
SSN = "219-09-9999"
# What is planted, the workload whose key sends it, and the raw values that must never reach the closed API.
PLANTS = {
    "ssn": ("helpdesk", f"my SSN is {SSN}, please check my claim", (SSN,)),
    "phi": ("intake", "Patient John Smith, MRN 00482913, was admitted with pneumonia.", ("00482913",)),
    "aws": ("helpdesk", "use my AWS key AKIAIOSFODNN7EXAMPLE for the upload", ("AKIAIOSFODNN7EXAMPLE",)),
}
ASK = {"role": "user", "content": "Please help me with my request."}


@dataclass(frozen=True)
class Probe:
    name: str
    path: str  # the proxy endpoint
    call_type: str  # the LiteLLM call type the guardrail sees for it
    body: dict
    kept: bool = False  # LiteLLM keeps this field for itself (chat `metadata`): the proxy probes check it

    def planted(self, text: str) -> dict:
        """The body with `text` in place of PLANT (inside JSON held in strings too)."""
        return json.loads(json.dumps(self.body).replace(PLANT, json.dumps(text)[1:-1]))


def _schema(where: str) -> dict:
    prop = {"type": "string", "description": "the value"}
    if where == "description":
        prop["description"] = PLANT
    else:
        prop[where] = [PLANT] if where == "enum" else PLANT
    return {"type": "object", "properties": {"value": prop}, "required": ["value"]}


def _tool(where: str) -> dict:
    fn = {"name": "lookup", "description": "Look a record up.", "parameters": _schema("description")}
    if where == "name":
        fn["name"] = PLANT
    elif where == "description":
        fn["description"] = PLANT
    elif where == "parameters":
        fn["parameters"] = _schema("description")
    elif where != "none":
        fn["parameters"] = _schema(where)
    return {"type": "function", "function": fn}


def _call(arguments, name="lookup") -> dict:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}],
    }


TOOL_ANSWER = {"role": "tool", "tool_call_id": "call_1", "content": "done"}
ESCAPED = "\\u0032\\u0031\\u0039-\\u0030\\u0039-\\u0039\\u0039\\u0039\\u0039"  # 219-09-9999 as JSON escapes


def chat_probes() -> list[Probe]:
    def p(name, extra=None, messages=None):
        body = {"model": "closed", "messages": messages or [ASK], **(extra or {})}
        return Probe(f"chat:{name}", "/v1/chat/completions", "acompletion", body)

    return [
        p("content", messages=[{"role": "user", "content": PLANT}]),
        p("system", messages=[{"role": "system", "content": PLANT}, ASK]),
        *(p(f"tools.{w}", {"tools": [_tool(w)]}) for w in ("description", "name", "enum", "default", "const")),
        p("tools.parameters.description", {"tools": [_tool("parameters")]}),
        p("functions", {"functions": [{"name": "lookup", "description": PLANT, "parameters": _schema("enum")}]}),
        p(
            "response_format",
            {"response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": _schema("enum")}}},
        ),
        p("user", {"user": PLANT}),
        p("safety_identifier", {"safety_identifier": PLANT}),
        Probe(
            "chat:metadata",
            "/v1/chat/completions",
            "acompletion",
            {"model": "closed", "messages": [ASK], "metadata": {"note": PLANT}},
            kept=True,
        ),
        p("message.name", messages=[{"role": "user", "name": PLANT, "content": "Please help me."}]),
        p("tool_calls.name", messages=[ASK, _call("{}", name=PLANT), TOOL_ANSWER]),
        p("tool_calls.arguments.object", messages=[ASK, _call({"value": PLANT}), TOOL_ANSWER]),
        p("tool_calls.arguments.string", messages=[ASK, _call(json.dumps({"value": PLANT})), TOOL_ANSWER]),
        p("tool_choice", {"tools": [_tool("none")], "tool_choice": {"type": "function", "function": {"name": PLANT}}}),
        p("stop", {"stop": [PLANT]}),
        p("prediction", {"prediction": {"type": "content", "content": PLANT}}),
        p(
            "web_search_options",
            {"web_search_options": {"user_location": {"type": "approximate", "approximate": {"city": PLANT}}}},
        ),
        p("unknown_key", {"x_note": PLANT}),
        p("unknown_key.object_key", {"x_notes": {PLANT: True}}),
        p("extra_body", {"extra_body": {"note": PLANT}}),
        p("part.extra_key", messages=[{"role": "user", "content": [{"type": "text", "text": "hi", "note": PLANT}]}]),
        p("reasoning_content", messages=[ASK, {"role": "assistant", "content": "ok", "reasoning_content": PLANT}, ASK]),
        p(
            "thinking_blocks",
            messages=[
                ASK,
                {
                    "role": "assistant",
                    "content": "ok",
                    "thinking_blocks": [{"type": "thinking", "thinking": PLANT, "signature": "c2ln"}],
                },
                ASK,
            ],
        ),
        p(
            "thinking_part",
            messages=[ASK, {"role": "assistant", "content": [{"type": "thinking", "thinking": PLANT}]}, ASK],
        ),
        p("image.detail", messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": PLANT}}]}]),
    ]


def escaped_probes() -> list[Probe]:
    """The SSN hidden by JSON escapes inside a string that holds JSON (tool arguments)."""
    arguments = '{"value": "' + ESCAPED + '"}'
    body = {"model": "closed", "messages": [ASK, _call(arguments), TOOL_ANSWER]}
    return [Probe("chat:tool_calls.arguments.escaped", "/v1/chat/completions", "acompletion", body)]


def responses_probes() -> list[Probe]:
    def p(name, extra=None, input=None):
        body = {"model": "closed", "input": input if input is not None else "Please help me.", **(extra or {})}
        return Probe(f"responses:{name}", "/v1/responses", "aresponses", body)

    tool = {"type": "function", "name": "lookup", "description": PLANT, "parameters": _schema("enum")}
    fmt = {"format": {"type": "json_schema", "name": "r", "schema": _schema("description")}}
    return [
        p("input", input=PLANT),
        p("instructions", {"instructions": PLANT}),
        p("tools", {"tools": [tool]}),
        p("text.format", {"text": fmt}),
        p("user", {"user": PLANT}),
        p("safety_identifier", {"safety_identifier": PLANT}),
        p("metadata", {"metadata": {"note": PLANT}}),
        p(
            "reasoning.summary",
            input=[
                {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": PLANT}]},
                {"role": "user", "content": "Please help me."},
            ],
        ),
        p("prompt.variables", {"prompt": {"id": "pmpt_1", "variables": {"name": PLANT}}}),
        p(
            "function_call",
            input=[
                {"role": "user", "content": "Please help me."},
                {"type": "function_call", "call_id": "c1", "name": PLANT, "arguments": "{}"},
                {"type": "function_call_output", "call_id": "c1", "output": "done"},
            ],
        ),
        p("part.extra_key", input=[{"role": "user", "content": [{"type": "input_text", "text": "hi", "note": PLANT}]}]),
        p("unknown_key", {"x_note": PLANT}),
    ]


def messages_probes() -> list[Probe]:
    def p(name, extra=None, messages=None):
        body = {"model": "closed", "max_tokens": 50, "messages": messages or [ASK], **(extra or {})}
        return Probe(f"messages:{name}", "/v1/messages", "anthropic_messages", body)

    use = {"type": "tool_use", "id": "tu_1", "name": "lookup", "input": {"value": PLANT}}
    result = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tu_1", "content": "done"}]}
    return [
        p("content", messages=[{"role": "user", "content": PLANT}]),
        p("system", {"system": PLANT}),
        p("tools", {"tools": [{"name": "lookup", "description": PLANT, "input_schema": _schema("enum")}]}),
        p("metadata.user_id", {"metadata": {"user_id": PLANT}}),
        p("tool_use.input", messages=[ASK, {"role": "assistant", "content": [use]}, result]),
        p(
            "tool_use.name",
            messages=[ASK, {"role": "assistant", "content": [{**use, "input": {}, "name": PLANT}]}, result],
        ),
        p(
            "thinking",
            messages=[
                ASK,
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": PLANT, "signature": "c2ln"},
                        {"type": "text", "text": "ok"},
                    ],
                },
                ASK,
            ],
        ),
        p("unknown_key", {"x_note": PLANT}),
    ]


def other_probes() -> list[Probe]:
    return [
        Probe("embeddings:input", "/v1/embeddings", "aembedding", {"model": "closed", "input": PLANT}),
        Probe("embeddings:user", "/v1/embeddings", "aembedding", {"model": "closed", "input": "hello", "user": PLANT}),
        Probe("completions:prompt", "/v1/completions", "atext_completion", {"model": "closed", "prompt": PLANT}),
        Probe(
            "completions:suffix",
            "/v1/completions",
            "atext_completion",
            {"model": "closed", "prompt": "a", "suffix": PLANT},
        ),
        Probe(
            "completions:user", "/v1/completions", "atext_completion", {"model": "closed", "prompt": "a", "user": PLANT}
        ),
    ]


def unguarded_probes() -> list[Probe]:
    """Token counting, and naming a deployment id or a provider model instead of a model group."""
    out = []
    for model in ("closed", "intake/closed/primary", "helpdesk/closed/primary", "openai/gpt-4o-mini"):
        count = {"model": model, "messages": [{"role": "user", "content": PLANT}]}
        out.append(Probe(f"count_tokens:{model}", "/v1/messages/count_tokens", "", count))
        out.append(Probe(f"input_tokens:{model}", "/v1/responses/input_tokens", "", {"model": model, "input": PLANT}))
        if model != "closed":
            chat = {"model": model, "messages": [{"role": "user", "content": PLANT}]}
            out.append(Probe(f"chat.model:{model}", "/v1/chat/completions", "acompletion", chat))
    out.append(Probe("chat:model", "/v1/chat/completions", "acompletion", {"model": PLANT, "messages": [ASK]}))
    return out


def all_probes() -> list[Probe]:
    """Every probe the guardrail must see through (the unguarded ones need the exported config)."""
    return chat_probes() + responses_probes() + messages_probes() + other_probes()


def leaked(bodies: list, values) -> bool:
    """True when any body holds one of `values`, read as JSON text or decoded from JSON held in strings."""
    for body in bodies:
        if any(v in json.dumps(body) for v in values):
            return True
        if any(v in text for _, text in string_leaves(body, json_strings=True) for v in values):
            return True
    return False
