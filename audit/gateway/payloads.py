"""The texts of a gateway request, wherever its API keeps them, and writing redacted texts back in place.

Each text is a `Segment`: its role and the path of keys and indexes that reaches it in the request body.
Parts that carry content we cannot read as text (images, audio, files) are counted as `unscannable`:
the verdict never lets them reach a closed API unseen. Shapes follow the public API references:
OpenAI chat completions and Responses, Anthropic Messages, plus legacy completions and embeddings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Path = tuple[str | int, ...]
TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})
# Parts that carry no user content: nothing to scan, nothing hidden.
INERT_TYPES = frozenset({"reasoning", "item_reference", "thinking", "redacted_thinking"})


@dataclass
class Texts:
    """The scannable segments of one request, and how many parts could not be read as text."""

    segments: list[tuple[str, Path]] = field(default_factory=list)  # (role, path)
    unscannable: int = 0

    def add(self, role: str, path: Path) -> None:
        self.segments.append((role, path))


def request_texts(body: Mapping, call_type: str) -> Texts:
    """The segments of a request body, by API (the LiteLLM call type names it)."""
    out = Texts()
    kind = api_of(call_type)
    if kind == "chat":
        for i, m in enumerate(body.get("messages") or []):
            _chat_message(m, ("messages", i), out)
    elif kind == "responses":
        if isinstance(body.get("instructions"), str):
            out.add("system", ("instructions",))
        _responses_input(body.get("input"), out)
    elif kind == "anthropic":
        _anthropic_content(body.get("system"), ("system",), "system", out)
        for i, m in enumerate(body.get("messages") or []):
            if isinstance(m, Mapping):
                _anthropic_content(m.get("content"), ("messages", i, "content"), str(m.get("role", "user")), out)
            else:
                out.unscannable += 1
    elif kind in ("completion", "embedding"):
        key = "prompt" if kind == "completion" else "input"
        value = body.get(key)
        if isinstance(value, str):
            out.add("user", (key,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, str):
                    out.add("user", (key, i))
                else:  # token arrays: not text we can read
                    out.unscannable += 1
    else:
        raise UnsupportedCall(call_type)
    return out


class UnsupportedCall(ValueError):
    """A call type the guardrail does not inspect: refused, never passed unseen."""


API_OF_CALL = {
    "completion": "chat",
    "acompletion": "chat",
    "responses": "responses",
    "aresponses": "responses",
    "anthropic_messages": "anthropic",
    "text_completion": "completion",
    "atext_completion": "completion",
    "embedding": "embedding",
    "aembedding": "embedding",
}


def api_of(call_type: str) -> str | None:
    """'chat', 'responses', 'anthropic', 'completion' or 'embedding'; None for anything else."""
    return API_OF_CALL.get(str(call_type).rsplit(".", 1)[-1])


def get(body, path: Path) -> str:
    """The text at `path`."""
    node = body
    for key in path:
        node = node[key]
    if not isinstance(node, str):
        raise TypeError("a segment path must end at a string")
    return node


def put(body, path: Path, text: str) -> None:
    """Replace the text at `path`."""
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = text


def _chat_message(m, base: Path, out: Texts) -> None:
    if not isinstance(m, Mapping):
        out.unscannable += 1
        return
    role = str(m.get("role", "user"))
    _content(m.get("content"), (*base, "content"), role, out)
    for k, call in enumerate(m.get("tool_calls") or []):
        fn = call.get("function") if isinstance(call, Mapping) else None
        if isinstance(fn, Mapping) and isinstance(fn.get("arguments"), str):
            out.add(role, (*base, "tool_calls", k, "function", "arguments"))
    fn = m.get("function_call")
    if isinstance(fn, Mapping) and isinstance(fn.get("arguments"), str):
        out.add(role, (*base, "function_call", "arguments"))


def _content(content, path: Path, role: str, out: Texts) -> None:
    """A message's content: a string, a list of parts, or nothing; anything else cannot be read."""
    if isinstance(content, str):
        out.add(role, path)
    elif isinstance(content, list):
        _parts(content, path, role, out)
    elif content is not None:
        out.unscannable += 1


def _parts(parts: list, base: Path, role: str, out: Texts) -> None:
    for j, p in enumerate(parts):
        if isinstance(p, str):
            out.add(role, (*base, j))
        elif isinstance(p, Mapping) and p.get("type") in TEXT_PART_TYPES and isinstance(p.get("text"), str):
            out.add(role, (*base, j, "text"))
        elif isinstance(p, Mapping) and p.get("type") in INERT_TYPES:
            continue
        else:
            out.unscannable += 1


def _responses_input(value, out: Texts) -> None:
    if isinstance(value, str):
        out.add("user", ("input",))
        return
    if value is None:
        return
    if not isinstance(value, list):
        out.unscannable += 1
        return
    for i, item in enumerate(value):
        base: Path = ("input", i)
        if not isinstance(item, Mapping):
            out.unscannable += 1
            continue
        kind = item.get("type", "message")
        if kind == "message" or "role" in item and kind not in ("function_call", "function_call_output"):
            _content(item.get("content"), (*base, "content"), str(item.get("role", "user")), out)
        elif kind == "function_call_output" and isinstance(item.get("output"), str):
            out.add("tool", (*base, "output"))
        elif kind == "function_call" and isinstance(item.get("arguments"), str):
            out.add("assistant", (*base, "arguments"))
        elif kind in INERT_TYPES:
            continue
        else:
            out.unscannable += 1


def _anthropic_content(content, base: Path, role: str, out: Texts) -> None:
    if content is None:
        return
    if isinstance(content, str):
        out.add(role, base)
        return
    if not isinstance(content, list):
        out.unscannable += 1
        return
    for j, block in enumerate(content):
        path = (*base, j)
        kind = block.get("type") if isinstance(block, Mapping) else None
        if kind == "text" and isinstance(block.get("text"), str):
            out.add(role, (*path, "text"))
        elif kind == "tool_result":
            _anthropic_content(block.get("content"), (*path, "content"), "tool", out)
        elif kind == "tool_use":
            _json_strings(block.get("input"), (*path, "input"), "assistant", out)
        elif kind in INERT_TYPES:
            continue
        else:
            out.unscannable += 1


def _json_strings(node, base: Path, role: str, out: Texts) -> None:
    """Every string leaf of a JSON value (tool arguments given as an object)."""
    if isinstance(node, str):
        out.add(role, base)
    elif isinstance(node, Mapping):
        for k, v in node.items():
            _json_strings(v, (*base, k), role, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _json_strings(v, (*base, i), role, out)
