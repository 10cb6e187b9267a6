"""`audit serve`: the router behind a small HTTP API (Starlette), with the engine loaded once.

    POST /v1/route  {"messages": [...], "workload": "name"} -> the decision, rules and redacted messages
    POST /beta/litellm_basic_guardrail_api   LiteLLM's Generic Guardrail API (audit.gateway.generic_api)
    GET  /healthz   {"status": "ok"} once the engine is loaded

Nothing here logs or echoes prompt text: errors name the problem, not the input, and
the access log holds method, path, status, time, workload and tier only. With a registry,
every /v1/route decision and refusal is counted (audit.enforcement) and the counts are
written to it every `flush_seconds` and once more at shutdown.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from audit.batch import scan_batch
from audit.enforcement import DEFAULT_FLUSH_SECONDS, DecisionCounter
from audit.gateway.enforce import count_verdict, enforcer_for
from audit.gateway.generic_api import PATH as GENERIC_PATH
from audit.gateway.generic_api import GenericGuardrail
from audit.manifest import Manifest
from audit.model import Message, Record
from audit.routing.router import RouteDecision, Router, normalise, redact_messages
from audit.settings import Settings

DEFAULT_MAX_BODY = 1_000_000
DEFAULT_MAX_CONCURRENT = 4
WORKLOAD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
access_log = logging.getLogger("audit.serve.access")
REFUSAL_BY_STATUS = {400: "bad-request", 401: "unauthorised", 413: "too-large", 429: "busy", 500: "internal-error"}

if TYPE_CHECKING:
    from audit.store.registry import Registry


@dataclass(frozen=True)
class Recording:
    """Where `audit serve` writes its decision counts, and how often."""

    registry: Registry
    flush_seconds: float = DEFAULT_FLUSH_SECONDS


class BadRequest(Exception):
    """A request the service refuses: an HTTP status and a one-line reason naming no input."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


class Engine:
    """One Router, built once; calls are serialised because its span memo and NLP pipeline are not thread-safe."""

    def __init__(self, router: Router, generic: GenericGuardrail | None = None):
        self.router, self.generic = router, generic
        self._lock = threading.Lock()

    def guardrail(self, payload: dict):
        """LiteLLM's Generic Guardrail API: (answer, verdict) for one call (blocking: run it in a worker thread)."""
        with self._lock:
            return self.generic.answer(payload)

    def route(self, messages, workload: str | None) -> dict:
        """The JSON-ready decision for one request (blocking: run it in a worker thread)."""
        with self._lock:
            decision = self.router.route(messages, workload)
            return decision_dict(decision, self._masked(messages, decision))

    def _masked(self, messages, decision: RouteDecision) -> list[dict] | None:
        """The messages with every identifier replaced by a placeholder; None when the request is blocked."""
        if decision.target == "blocked":
            return None
        if decision.messages is not None:
            return decision.messages
        parsed = normalise(messages)
        if not decision.entities:
            return [{"role": role, "content": text} for role, text in parsed]
        # The span memo makes this second scan of the same texts cheap.
        record = Record("<serve>", "request", 0, tuple(Message(i, r, t) for i, (r, t) in enumerate(parsed)))
        return redact_messages(parsed, scan_batch(self.router.context, [record])[0].findings)[0]


def decision_dict(decision: RouteDecision, redacted: list[dict] | None) -> dict:
    """A RouteDecision as JSON: no raw values (the redaction mapping stays in memory and is dropped)."""
    return {
        "target": decision.target,
        "tier": decision.tier.value,
        "workload": decision.workload,
        "endpoint": decision.endpoint,
        "reasons": list(decision.reasons),
        "rules": list(decision.rules),
        "entities": list(decision.entities),
        "redacted_messages": redacted,
        "elapsed_ms": decision.elapsed_ms,
    }


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
    if texts is not None and not (isinstance(texts, list) and all(isinstance(t, str) for t in texts)):
        raise BadRequest(400, "'texts' must be a list of strings")
    data["texts"] = texts or []
    return data


def _content_ok(content) -> bool:
    if content is None or isinstance(content, str):
        return True
    return isinstance(content, list) and all(isinstance(p, dict | str) for p in content)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it exceeds `limit` bytes: never buffered past it."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BadRequest(413, f"the body exceeds {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(413, f"the body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def authorised(request: Request, token: str | None) -> bool:
    """True without a token; else the Authorization header must be `Bearer <token>` (constant-time compare)."""
    if token is None:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _error(exc: BadRequest) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=headers)


def create_app(
    settings: Settings,
    manifest: Manifest | None = None,
    token: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    recording: Recording | None = None,
) -> Starlette:
    """The service: the engine is built and warmed once at startup, before the first request is accepted.

    With `recording`, decisions are counted and flushed to its registry periodically and at shutdown.
    """
    slots = Slots(max_concurrent)
    state: dict[str, Engine] = {}
    counter = DecisionCounter("serve") if recording else None

    def refused(status: int, workload: str | None = None) -> None:
        if counter is not None and status in REFUSAL_BY_STATUS:
            counter.refuse(workload, REFUSAL_BY_STATUS[status])

    @asynccontextmanager
    async def lifespan(app):
        state["engine"] = await run_in_threadpool(_load_engine, settings, manifest)
        if counter is not None:
            counter.start_periodic(recording.registry, recording.flush_seconds)
        try:
            yield
        finally:
            if counter is not None:  # after uvicorn drained the requests in flight: their counts are in
                await run_in_threadpool(counter.stop)

    async def healthz(request: Request) -> JSONResponse:
        if "engine" not in state:
            return JSONResponse({"status": "loading"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def answer(request: Request, handle) -> JSONResponse:
        """Authorise, take a slot (429 at once when none is free), read the body within the limit, then
        `await handle(body, seen)`; errors become one-line answers that quote no input, and every refusal
        is counted (`seen["workload"]`, once the handler knows it)."""
        if not authorised(request, token):
            refused(401)
            return _error(BadRequest(401, "a valid bearer token is required"))
        if not slots.try_acquire():
            refused(429)
            return JSONResponse(
                {"error": "busy: too many requests in progress"}, status_code=429, headers={"Retry-After": "1"}
            )
        seen: dict = {}
        try:
            return await handle(await read_body(request, max_body), seen)
        except BadRequest as exc:
            refused(exc.status)
            return _error(exc)
        except Exception as exc:  # noqa: BLE001 - a message or traceback could quote prompt text: the type only
            refused(500, seen.get("workload"))
            access_log.error(json.dumps({"error": type(exc).__name__}))
            return JSONResponse({"error": "internal error"}, status_code=500)
        finally:
            slots.release()

    async def route(request: Request) -> JSONResponse:
        async def handle(body: bytes, seen: dict) -> JSONResponse:
            messages, seen["workload"] = parse_route_request(body)
            result = await run_in_threadpool(state["engine"].route, messages, seen["workload"])
            if counter is not None:
                counter.count(result["workload"], result["tier"], result["target"], result["rules"])
            request.scope["audit.log"].update(workload=result["workload"], tier=result["tier"])
            return JSONResponse(result)

        return await answer(request, handle)

    async def generic_guardrail(request: Request) -> JSONResponse:
        """LiteLLM's Generic Guardrail API. Any error answers non-2xx, which LiteLLM treats as a failure and, with
        its default `fail_on_error`, refuses the request: this service failing never lets a request through."""

        async def handle(body: bytes, seen: dict) -> JSONResponse:
            if state["engine"].generic is None:
                raise BadRequest(404, "no workloads: start with --manifest, or after `audit registry import`")
            payload = parse_guardrail_request(body)
            result, verdict = await run_in_threadpool(state["engine"].guardrail, payload)
            if verdict is not None:
                if counter is not None:
                    count_verdict(counter, verdict)
                tier = verdict.tier.value if verdict.tier else None
                request.scope["audit.log"].update(workload=verdict.workload, tier=tier)
            return JSONResponse(result)

        return await answer(request, handle)

    routes = [
        Route("/healthz", healthz),
        Route("/v1/route", route, methods=["POST"]),
        Route(GENERIC_PATH, generic_guardrail, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    return AccessLog(app)


def _load_engine(settings: Settings, manifest: Manifest | None) -> Engine:
    from audit.pipeline import build_context

    router = Router(build_context(settings), manifest)
    generic = GenericGuardrail(enforcer_for(router, manifest, settings)) if manifest is not None else None
    engine = Engine(router, generic)
    engine.route(["warm-up: load the engine before the first request"], None)
    return engine


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
