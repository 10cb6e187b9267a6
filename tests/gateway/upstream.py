"""A fake OpenAI-compatible model server on 127.0.0.1 for the gateway tests: it records every request body
and answers by echoing the last user text (so a redacted prompt comes back with its placeholders), as chat
completions or Responses, streamed in 5-character pieces (which split placeholders) or whole."""

from __future__ import annotations

import json
import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

PIECE = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _last_text(body: dict) -> str:
    if "messages" in body:
        content = body["messages"][-1].get("content")
    else:
        value = body.get("input")
        content = value if isinstance(value, str) else value[-1].get("content")
    if isinstance(content, list):
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return f"You said: {content}"


def _sse(events) -> StreamingResponse:
    async def gen():
        for e in events:
            name = e.get("type") if isinstance(e, dict) else None
            head = f"event: {name}\n" if name else ""
            yield f"{head}data: {json.dumps(e) if isinstance(e, dict) else e}\n\n"

    return StreamingResponse(gen(), media_type="text/event-stream")


class Upstream:
    """One fake model server; `bodies` holds every request it received."""

    def __init__(self, name: str):
        self.name, self.port, self.bodies = name, free_port(), []
        routes = [
            Route(p, h, methods=["POST"])
            for p, h in (
                ("/v1/chat/completions", self.chat),
                ("/v1/responses", self.responses),
                ("/{rest:path}", self.other),
            )
        ]
        self.server = uvicorn.Server(
            uvicorn.Config(Starlette(routes=routes), host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> Upstream:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)

    def saw(self, needle: str) -> bool:
        """True when any request this server received contains `needle`."""
        return any(needle in json.dumps(b) for b in self.bodies)

    async def other(self, request: Request):
        """Embeddings, legacy completions, token counting or anything else: recorded, answered in that shape."""
        body = await request.json()
        self.bodies.append(body)
        path, usage = request.url.path, {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}
        if path.endswith("/embeddings"):
            data = [{"object": "embedding", "index": 0, "embedding": [0.0, 0.1]}]
            return JSONResponse({"object": "list", "data": data, "model": body.get("model"), "usage": usage})
        if path.endswith("/completions"):
            choice = {"index": 0, "text": "ok", "finish_reason": "stop", "logprobs": None}
            return JSONResponse(
                {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": body.get("model"),
                 "choices": [choice], "usage": usage}
            )  # fmt: skip
        return JSONResponse({"object": "response.input_tokens", "input_tokens": 5})

    async def chat(self, request: Request):
        body = await request.json()
        self.bodies.append(body)
        text, model = _last_text(body), body["model"]
        if not body.get("stream"):
            message = {"role": "assistant", "content": text}
            return JSONResponse(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1,
                    "model": model,
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
                }
            )
        head = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model}
        events = [
            {**head, "choices": [{"index": 0, "delta": {"content": text[i : i + PIECE]}, "finish_reason": None}]}
            for i in range(0, len(text), PIECE)
        ]
        events.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        return _sse([*events, "[DONE]"])

    async def responses(self, request: Request):
        body = await request.json()
        self.bodies.append(body)
        text, model = _last_text(body), body["model"]
        part = {"type": "output_text", "text": text, "annotations": []}
        item = {"id": "msg_1", "type": "message", "status": "completed", "role": "assistant", "content": [part]}
        usage = {"input_tokens": 5, "output_tokens": 5, "total_tokens": 10}
        response = {
            "id": "resp_1",
            "object": "response",
            "created_at": 1,
            "status": "completed",
            "model": model,
            "output": [item],
            "usage": usage,
        }
        if not body.get("stream"):
            return JSONResponse(response)
        started = {**response, "status": "in_progress", "output": [], "usage": None}
        empty_item = {**item, "status": "in_progress", "content": []}
        where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
        events = [
            {"type": "response.created", "response": started},
            {"type": "response.in_progress", "response": started},
            {"type": "response.output_item.added", "output_index": 0, "item": empty_item},
            {"type": "response.content_part.added", **where, "part": {**part, "text": ""}},
            *(
                {"type": "response.output_text.delta", **where, "delta": text[i : i + PIECE], "logprobs": []}
                for i in range(0, len(text), PIECE)
            ),
            {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
            {"type": "response.content_part.done", **where, "part": part},
            {"type": "response.output_item.done", "output_index": 0, "item": item},
            {"type": "response.completed", "response": response},
        ]
        for n, e in enumerate(events):
            e["sequence_number"] = n
        return _sse(events)
