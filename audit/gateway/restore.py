"""Placeholders back into a model's answer: whole responses, and streams whose chunks split a placeholder.

Only placeholders this request issued are replaced (`Redaction.restore`), so walking every string of a
response object is safe: ids and model names never hold one.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import AsyncGenerator, Mapping

from audit.routing.redact import Redaction

# A tail that may still grow into a placeholder: '<', an entity type, '_', digits, no '>' yet.
PARTIAL = re.compile(r"<(?:[A-Z][A-Z0-9_]{0,63})?$")
MAX_DEPTH = 32


class StreamRestorer:
    """Restores one stream of text deltas, holding back a tail that may be the start of a placeholder."""

    def __init__(self, redaction: Redaction):
        self.redaction = redaction
        self.pending = ""

    def feed(self, delta: str) -> str:
        """The text that can be emitted now, restored; a possible placeholder prefix is kept for the next delta."""
        text = self.pending + delta
        cut = text.rfind("<")
        if cut != -1 and ">" not in text[cut:] and PARTIAL.match(text, cut):
            self.pending, text = text[cut:], text[:cut]
        else:
            self.pending = ""
        return self.redaction.restore(text)

    def flush(self) -> str:
        """Whatever is held back (the stream ended)."""
        text, self.pending = self.pending, ""
        return self.redaction.restore(text)


def restore_in_place(obj, redaction: Redaction) -> object:
    """Every string in a response (dicts, lists, pydantic or plain objects) restored; returns the object."""
    return _walk(obj, redaction, 0, set())


def _walk(node, redaction: Redaction, depth: int, seen: set[int]):
    if isinstance(node, str):
        return redaction.restore(node) if "<" in node else node
    if depth > MAX_DEPTH or id(node) in seen or isinstance(node, bytes | int | float | bool) or node is None:
        return node
    seen.add(id(node))
    if isinstance(node, dict):
        for k, v in node.items():
            node[k] = _walk(v, redaction, depth + 1, seen)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            node[i] = _walk(v, redaction, depth + 1, seen)
    elif hasattr(node, "__dict__"):
        for k, v in list(vars(node).items()):
            new = _walk(v, redaction, depth + 1, seen)
            if new is not v:
                try:
                    setattr(node, k, new)
                except (AttributeError, TypeError, ValueError):
                    object.__setattr__(node, k, new)
    return node


class ChatStream:
    """Restores OpenAI chat completion chunks: one StreamRestorer per choice index."""

    def __init__(self, redaction: Redaction):
        self.redaction = redaction
        self.streams: dict[int, StreamRestorer] = {}

    def chunk(self, item) -> None:
        """Restore one chunk in place; a choice's held-back tail is released with its finish_reason."""
        for choice in getattr(item, "choices", None) or []:
            stream = self.streams.setdefault(getattr(choice, "index", 0) or 0, StreamRestorer(self.redaction))
            delta = getattr(choice, "delta", None)
            content = getattr(delta, "content", None) if delta is not None else None
            text = stream.feed(content) if isinstance(content, str) else ""
            if getattr(choice, "finish_reason", None):
                text += stream.flush()
            if delta is not None and (isinstance(content, str) or text):
                delta.content = text
            if delta is not None and getattr(delta, "tool_calls", None):
                restore_in_place(delta.tool_calls, self.redaction)

    def leftover(self) -> dict[int, str]:
        """Tails still held when the stream ended without a finish_reason, by choice index."""
        return {i: s.flush() for i, s in self.streams.items() if s.pending}


class AnthropicSSE:
    """Restores Anthropic Messages server-sent events (bytes): text deltas per content block index."""

    def __init__(self, redaction: Redaction):
        self.redaction = redaction
        self.blocks: dict[int, StreamRestorer] = {}
        self.buffer = b""

    def feed(self, data: bytes) -> bytes:
        """Complete events out, restored; a partial event is held until its blank line arrives."""
        self.buffer += data
        *events, self.buffer = self.buffer.split(b"\n\n")
        return b"".join(self._event(e) + b"\n\n" for e in events)

    def flush(self) -> bytes:
        """The remaining bytes at the end of the stream."""
        rest, self.buffer = self.buffer, b""
        return self._event(rest) if rest else b""

    def _event(self, raw: bytes) -> bytes:
        data = [line for line in raw.split(b"\n") if line.startswith(b"data:")]
        try:
            event = json.loads(b"".join(line[5:] for line in data)) if data else None
        except ValueError:
            event = None
        if not isinstance(event, dict):
            return raw
        before = json.dumps(event)
        restored = self._restore(event)
        if len(restored) == 1 and json.dumps(restored[0]) == before:
            return raw  # nothing restored: the event goes out exactly as it came
        return b"\n\n".join(_sse(e) for e in restored)

    def _restore(self, event: dict) -> list[dict]:
        kind, index = event.get("type"), event.get("index", 0)
        delta = event.get("delta")
        if kind == "content_block_delta" and isinstance(delta, dict) and isinstance(delta.get("text"), str):
            delta["text"] = self.blocks.setdefault(index, StreamRestorer(self.redaction)).feed(delta["text"])
            return [event]
        if kind == "content_block_stop" and index in self.blocks and self.blocks[index].pending:
            # the held tail goes out as one more delta, just before its block stops
            tail = {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": ""}}
            tail["delta"]["text"] = self.blocks[index].flush()
            return [tail, event]
        restore_in_place(event, self.redaction)
        return [event]


def _sse(event: dict) -> bytes:
    return b"event: " + str(event.get("type", "message")).encode() + b"\ndata: " + json.dumps(event).encode()


async def restored_stream(response, redaction: Redaction) -> AsyncGenerator:
    """A stream with placeholders restored: chat chunks, Anthropic SSE bytes or Responses events."""
    chat, sse, events = ChatStream(redaction), AnthropicSSE(redaction), ResponsesEvents(redaction)
    last = None
    async for item in response:
        if isinstance(item, bytes | bytearray):
            out = sse.feed(bytes(item))
            if out:
                yield out
            continue
        if getattr(item, "choices", None) is not None:
            chat.chunk(item)
            last = item
            yield item
            continue
        for event in events.event(item):
            yield event
    rest = sse.flush()
    if rest:
        yield rest
    leftover = chat.leftover()
    if leftover and last is not None:  # the stream ended without a finish_reason: one more chunk with the tails
        tail = copy.deepcopy(last)
        for choice in tail.choices:
            choice.delta.content = leftover.get(getattr(choice, "index", 0) or 0, "")
        yield tail


class ResponsesEvents:
    """Restores OpenAI Responses stream events: text deltas per (item, content part), full texts as they come."""

    def __init__(self, redaction: Redaction):
        self.redaction = redaction
        self.streams: dict[tuple, StreamRestorer] = {}
        self.last_delta: dict[tuple, object] = {}

    def event(self, item) -> list:
        kind = _field(item, "type")
        kind = str(getattr(kind, "value", kind) or "")  # LiteLLM's events carry an Enum member
        key = (_field(item, "item_id"), _field(item, "output_index"), _field(item, "content_index"))
        if kind.endswith("output_text.delta") and isinstance(_field(item, "delta"), str):
            stream = self.streams.setdefault(key, StreamRestorer(self.redaction))
            _set(item, "delta", stream.feed(_field(item, "delta")))
            self.last_delta[key] = item
            return [item]
        out = []
        if kind.endswith("output_text.done") and key in self.streams and self.streams[key].pending:
            tail = copy.deepcopy(self.last_delta[key])
            _set(tail, "delta", self.streams[key].flush())
            out.append(tail)
        restore_in_place(item, self.redaction)
        return [*out, item]


def _field(item, name):
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _set(item, name, value) -> None:
    if isinstance(item, dict):
        item[name] = value
    else:
        setattr(item, name, value)


class PendingRedactions:
    """Each redacted call's placeholder mapping, kept (in memory, thread-safe) until its answer comes back;
    mappings whose answer never came are dropped after `ttl` seconds."""

    def __init__(self, ttl: float = 600.0):
        self.ttl = ttl
        self._kept: dict[str, tuple[float, Redaction]] = {}
        self._lock = threading.Lock()

    def keep(self, call_id, redaction: Redaction | None) -> None:
        """Remember `redaction` for `call_id` (nothing without an id or placeholders)."""
        if not isinstance(call_id, str) or not call_id or redaction is None or not len(redaction):
            return
        now = time.monotonic()
        with self._lock:
            for key in [k for k, (t, _) in self._kept.items() if now - t > self.ttl]:
                del self._kept[key]
            self._kept[call_id] = (now, redaction)

    def take(self, call_id) -> Redaction | None:
        """The mapping kept for `call_id`, forgotten as it is returned."""
        if not isinstance(call_id, str):
            return None
        with self._lock:
            kept = self._kept.pop(call_id, None)
        return kept[1] if kept else None
