"""The texts of a gateway request, wherever its API keeps them, and writing redacted texts back in place.

Each text is a segment: its role and the path of keys and indexes that reaches it in the request body.
The known fields of each API (OpenAI chat completions and Responses, Anthropic Messages, legacy
completions and embeddings) keep their structure (a message's role); every other string leaf of the
body (tool schemas, `user`, `metadata`, `stop`, unknown keys, JSON held in a string) is a segment too,
with role "field": the body is what is judged, not a list of fields we know. Only provably inert
values (a `role` or `type` from the APIs' vocabularies, the model group's name) are skipped.

What cannot be read as text (images, audio, files, base64 blobs, token arrays, unknown part types)
is counted as `unscannable`: the verdict never lets it reach a closed API unseen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from audit.leaves import JSON, KEY, parse_nested, string_leaves
from audit.routing.litellm_export import GROUPS

Path = tuple[str | int, ...]
TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})
# Parts whose known text we do not read as a message (their every leaf is still a "field" segment).
FIELD_PART_TYPES = frozenset({"reasoning", "item_reference", "thinking", "redacted_thinking"})
# Keys LiteLLM's proxy adds to the request before the guardrail sees it; never sent to a provider as such.
PROXY_KEYS = frozenset(
    {"proxy_server_request", "secret_fields", "litellm_call_id", "litellm_logging_obj", "litellm_trace_id"}
)
ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function", "model"})
TYPES = frozenset(
    {
        *TEXT_PART_TYPES,
        *FIELD_PART_TYPES,
        "message", "function", "function_call", "function_call_output", "tool_use", "tool_result", "custom",
        "image", "image_url", "input_image", "input_audio", "input_file", "file", "document", "refusal",
        "json_schema", "json_object", "object", "string", "number", "integer", "boolean", "array", "null",
        "web_search", "web_search_preview", "file_search", "computer_use_preview", "code_interpreter",
        "summary_text", "reasoning_text", "ephemeral", "base64", "url", "enabled", "disabled", "auto", "any", "tool",
        "none", "content",
    }
)  # fmt: skip
# Closed vocabularies: a value outside them is text like any other (an SSN in `role` is still seen).
INERT = {
    "role": ROLES,
    "type": TYPES,
    "tool_choice": frozenset({"auto", "none", "required", "any"}),
    "reasoning_effort": frozenset({"minimal", "low", "medium", "high"}),
    "effort": frozenset({"minimal", "low", "medium", "high"}),
    "service_tier": frozenset({"auto", "default", "flex", "priority", "scale"}),
    "truncation": frozenset({"auto", "disabled"}),
    "encoding_format": frozenset({"float", "base64"}),
    "detail": frozenset({"auto", "low", "high"}),
    "status": frozenset({"completed", "in_progress", "incomplete"}),
    "verbosity": frozenset({"low", "medium", "high"}),
}
DATA_URL = re.compile(r"data:[^,]{0,200};base64,", re.I)
BASE64 = re.compile(r"[A-Za-z0-9+/_=-]{64,}\Z")  # long, no spaces: a blob, not prose
HAS_LOWER, HAS_UPPER = re.compile(r"[a-z]"), re.compile(r"[A-Z]")


@dataclass
class Texts:
    """The scannable segments of one request, and how many parts could not be read as text.

    `prefixes`: context scanned before a field's text (its key, so `{"mrn": "..."}` reads as "mrn: ..."),
    never written back.
    """

    segments: list[tuple[str, Path]] = field(default_factory=list)  # (role, path)
    unscannable: int = 0
    prefixes: dict[Path, str] = field(default_factory=dict)

    def add(self, role: str, path: Path, prefix: str = "") -> None:
        self.segments.append((role, path))
        if prefix:
            self.prefixes[path] = prefix

    def text(self, body, path: Path) -> str:
        """The text scanned for the segment at `path`: its prefix, then the value in `body`."""
        return self.prefixes.get(path, "") + get(body, path)

    def value(self, path: Path, scanned: str) -> str | None:
        """The value to write back from a scanned (redacted) text; None when redaction reached into the prefix."""
        prefix = self.prefixes.get(path, "")
        return scanned[len(prefix) :] if scanned.startswith(prefix) else None


def request_texts(body: Mapping, call_type: str) -> Texts:
    """The segments of a request body, by API (the LiteLLM call type names it): known fields, then every other leaf."""
    out = Texts()
    kind = api_of(call_type)
    if kind is None:
        raise UnsupportedCall(call_type)
    _known(body, kind, out)
    _fields(body, kind, out)
    return out


def _known(body: Mapping, kind: str, out: Texts) -> None:
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
    else:
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
        elif value is not None:
            out.unscannable += 1


def metadata_bucket(kind: str) -> str:
    """Where LiteLLM keeps its own metadata for this API (not forwarded): 'metadata' for chat, completions and
    embeddings, 'litellm_metadata' for Responses and Messages (whose `metadata` is the client's, forwarded)."""
    return "metadata" if kind in ("chat", "completion", "embedding") else "litellm_metadata"


def _fields(body: Mapping, kind: str, out: Texts) -> None:
    """Every string leaf the known fields did not cover, as a "field" segment; blobs count as unscannable."""
    skip = PROXY_KEYS | {metadata_bucket(kind)}
    root = {k: v for k, v in body.items() if k not in skip}
    known = {path: get(body, path) for _, path in out.segments}
    for path, text in string_leaves(root, json_strings=True, numbers=True):
        if path in known or _inside_known(path, text, known) or _inert(path, text):
            continue
        if _blob(text):
            out.unscannable += 1
            continue
        out.add("field", path, _prefix(path))


def _inside_known(path: Path, text: str, known: dict[Path, str]) -> bool:
    """A leaf of the JSON a known text holds, written there as is: that text's scan already reads it."""
    if JSON not in path:
        return False
    holder = path[: path.index(JSON)]
    return holder in known and text in known[holder]


def _inert(path: Path, text: str) -> bool:
    if path == ("model",):
        return text in GROUPS.values()
    key = path[-1] if path else None
    is_key_leaf = len(path) >= 2 and path[-2] == KEY
    return isinstance(key, str) and not is_key_leaf and text in INERT.get(key, ())


def _blob(text: str) -> bool:
    """Base64 and data URLs: bytes we cannot read, whatever they encode (lower-case hex hashes are text)."""
    head = text.lstrip()[:256]
    if DATA_URL.match(head):
        return True
    return bool(BASE64.match(text) and HAS_LOWER.search(text) and HAS_UPPER.search(text))


def _prefix(path: Path) -> str:
    """The nearest key name above a leaf, as words ("patient_ssn" -> "patient ssn: ")."""
    for part in reversed(path):
        if isinstance(part, str) and part not in (KEY, JSON):
            words = re.sub(r"[_\-.]+", " ", part).strip()
            return f"{words}: " if words else ""
    return ""


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
    """The text at `path` (a key leaf's key, a leaf inside JSON held by a string, an integer as its digits)."""
    if JSON in path:
        cut = path.index(JSON)
        return get(_nested(body, path[:cut]), path[cut + 1 :])
    if len(path) >= 2 and path[-2] == KEY:
        if path[-1] not in _at(body, path[:-2]):
            raise KeyError("no such key")
        return path[-1]
    node = _at(body, path)
    if isinstance(node, int) and not isinstance(node, bool):
        return str(node)
    if not isinstance(node, str):
        raise TypeError("a segment path must end at a string")
    return node


def put(body, path: Path, text: str) -> None:
    """Replace the text at `path`: in place, inside the JSON a string holds (re-serialised), or an object's key."""
    if JSON in path:
        cut = path.index(JSON)
        doc = _nested(body, path[:cut])
        put(doc, path[cut + 1 :], text)
        put(body, path[:cut], json.dumps(doc, ensure_ascii=False))
    elif len(path) >= 2 and path[-2] == KEY:
        parent = _at(body, path[:-2])
        items = [(text if k == path[-1] else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
    else:
        _at(body, path[:-1])[path[-1]] = text


def write_order(paths) -> list:
    """Paths in an order where each write leaves the later ones valid: values before keys, a string before the
    JSON leaves inside it, deeper keys before the keys above them."""
    return sorted(paths, key=lambda p: (KEY in p, -len(p) if KEY in p else len(p)))


def _at(body, path: Path):
    node = body
    for key in path:
        node = node[key]
    return node


def _nested(body, path: Path):
    doc = parse_nested(get(body, path))
    if doc is None:
        raise TypeError("a JSON segment path must pass through a string holding JSON")
    return doc


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
        elif isinstance(p, Mapping) and p.get("type") in FIELD_PART_TYPES:
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
        elif kind in FIELD_PART_TYPES:
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
        elif kind in ("tool_use", *FIELD_PART_TYPES):
            continue  # its name, input and thinking text are "field" segments, key names included
        else:
            out.unscannable += 1
