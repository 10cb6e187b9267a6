"""Request plumbing of `audit serve`: refusals, credentials, bodies read within limits, request slots,
request parsing and the access log. Nothing here quotes request text: errors name the problem only.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from audit.leaves import string_leaves

WORKLOAD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
access_log = logging.getLogger("audit.serve.access")


class BadRequest(Exception):
    """A request the service refuses: an HTTP status and a one-line reason naming no input."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


class Expired(BadRequest):
    """The request was not judged within its time budget (503: try again later)."""

    def __init__(self, budget: float):
        super().__init__(503, f"not judged within the time budget ({budget:g} s): try again later")


class Slots:
    """At most `limit` requests in progress; a request beyond that is refused at once, never queued."""

    def __init__(self, limit: int):
        self.limit, self.busy = limit, 0

    def try_acquire(self) -> bool:
        """True (and one slot taken) when a slot is free. The event loop is one thread, so no lock is needed."""
        if self.busy >= self.limit:
            return False
        self.busy += 1
        return True

    def release(self) -> None:
        """Give back a slot taken by try_acquire."""
        self.busy -= 1


def parse_route_request(body: bytes) -> tuple[list, str | None]:
    """(messages, workload) from a request body, else BadRequest(400) with a reason naming no prompt text."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "the body must be a JSON object")
    messages, workload = data.get("messages"), data.get("workload")
    if not isinstance(messages, list) or not messages:
        raise BadRequest(400, "'messages' must be a non-empty list")
    if not all(isinstance(m, str) or (isinstance(m, dict) and _content_ok(m.get("content"))) for m in messages):
        raise BadRequest(400, "each message must be a string or an object with string 'content'")
    if workload is not None and not (isinstance(workload, str) and WORKLOAD_NAME.fullmatch(workload)):
        raise BadRequest(400, "'workload' must be a workload name (letters, digits, '.', '_', '-')")
    return messages, workload


def parse_guardrail_request(body: bytes) -> dict:
    """A Generic Guardrail API call, else BadRequest(400) naming no input."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "the body is not valid JSON") from None
    if not isinstance(data, dict) or data.get("input_type") not in ("request", "response"):
        raise BadRequest(400, "expected a Generic Guardrail API call: an object with input_type request or response")
    texts = data.get("texts")
    if texts is not None and not isinstance(texts, list):
        raise BadRequest(400, "'texts' must be a list")
    data["texts"] = texts or []
    return data


def text_size(messages) -> int:
    """Characters of text in a request's messages (every string, wherever it sits)."""
    return sum(len(text) for _, text in string_leaves(messages))


def _content_ok(content) -> bool:
    if content is None or isinstance(content, str):
        return True
    return isinstance(content, list) and all(isinstance(p, dict | str) for p in content)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it exceeds `limit` bytes: never buffered past it.
    A client cut off for sending too slowly (audit.serve_connections) is a 408."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BadRequest(413, f"the body exceeds {limit} bytes")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BadRequest(413, f"the body exceeds {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise BadRequest(408, "the body was not received in time") from None
    return b"".join(chunks)


def credential(request: Request, token: str | None) -> str | None:
    """The token the caller presented when it is the service's (constant-time compare), "" without a token,
    else None. Accepted as `Authorization: Bearer <token>` or `x-api-key: <token>` (what LiteLLM's
    `generic_guardrail_api` sends for its `api_key`)."""
    if token is None:
        return ""
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    for given in (bearer.strip() if scheme.lower() == "bearer" else "", request.headers.get("x-api-key", "").strip()):
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return given
    return None


def error_response(exc: BadRequest) -> JSONResponse:
    headers = {401: {"WWW-Authenticate": "Bearer"}, 503: {"Retry-After": "1"}}.get(exc.status)
    return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=headers)


class AccessLog:
    """ASGI middleware: one JSON line per HTTP request (method, path, status, ms, workload, tier); no prompt text."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, fields = time.perf_counter(), {"status": 500, "workload": None, "tier": None}
        scope["audit.log"] = fields

        async def send_status(message):
            if message["type"] == "http.response.start":
                fields["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            ms = round((time.perf_counter() - started) * 1000, 1)
            line = {"method": scope["method"], "path": scope["path"], "status": fields["status"], "ms": ms}
            access_log.info(json.dumps({**line, "workload": fields["workload"], "tier": fields["tier"]}))


def configure_access_log() -> None:
    """Send the access log to stderr, one bare JSON line per request."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
