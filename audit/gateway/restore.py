"""Placeholders back into a model's answer: whole responses, and streams whose chunks split a placeholder.

Only placeholders this request issued are replaced (`Redaction.restore`), so walking every string of a
response object is safe: ids and model names never hold one.
"""

from __future__ import annotations

import json
import re

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
