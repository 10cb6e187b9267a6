"""`audit serve`: the router behind a small HTTP API (Starlette), with the engine loaded once.

    POST /v1/route  {"messages": [...], "workload": "name"} -> the decision, rules and redacted messages
    POST /beta/litellm_basic_guardrail_api   LiteLLM's Generic Guardrail API (audit.gateway.generic_api)
    GET  /healthz   {"status": "ok"} once the engine is loaded

Nothing here logs or echoes prompt text: errors name the problem, not the input, and
the access log holds method, path, status, time, workload and tier only. With a registry,
every decision and refusal is counted (audit.enforcement) and the counts are written to it
every `flush_seconds` and once more at shutdown.

Under load or attack: a body is read before a slot is taken (slow senders are cut off below,
by audit.serve_connections, and never hold a slot); each request is judged within a time
budget or refused; a request with more text than the budget allows is refused before it is
scanned; and no answer tells whether a text was seen before (no per-request timing, and the
span memo is emptied after every request, so a repeated text costs what a new one does).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from audit.api import router_workloads
from audit.batch import scan_batch
from audit.cache import SpanMemo
from audit.enforcement import DEFAULT_FLUSH_SECONDS, DecisionCounter
from audit.gateway.enforce import DEFAULT_MAX_CHARS, count_verdict, enforcer_for
from audit.gateway.generic_api import PATH as GENERIC_PATH
from audit.gateway.generic_api import GenericGuardrail, Judged
from audit.manifest import Manifest, unknown_workload
from audit.model import Message, Record
from audit.routing.router import RouteDecision, Router, normalise, redact_messages
from audit.serve_http import (
    AccessLog,
    BadRequest,
    Expired,
    Slots,
    access_log,
    configure_access_log,
    credential,
    error_response,
    parse_guardrail_request,
    parse_route_request,
    read_body,
    text_size,
)
from audit.settings import Settings

__all__ = ["Engine", "Recording", "ServeLimits", "configure_access_log", "create_app"]
DEFAULT_MAX_BODY = 1_000_000
DEFAULT_MAX_CONCURRENT = 4
DEFAULT_TIME_BUDGET = 10.0
MEASURED_CHARS = 2_000
CALIBRATION = "Patient Ana Lee, MRN 00417723, phone 617-555-0142, was seen for asthma on 2024-03-02. " * 120
REFUSAL_BY_STATUS = {
    400: "bad-request", 401: "unauthorised", 408: "timeout", 413: "too-large", 429: "busy",
    500: "internal-error", 503: "timeout",
}  # fmt: skip

if TYPE_CHECKING:
    from audit.store.registry import Registry


@dataclass(frozen=True)
class ServeLimits:
    """What one request may cost: body bytes, characters of text, seconds to judge it, requests at once."""

    max_body: int = DEFAULT_MAX_BODY
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    time_budget: float = DEFAULT_TIME_BUDGET
    max_chars: int = DEFAULT_MAX_CHARS


@dataclass(frozen=True)
class Recording:
    """Where `audit serve` writes its decision counts, and how often."""

    registry: Registry
    flush_seconds: float = DEFAULT_FLUSH_SECONDS


class Engine:
    """One Router, built once; calls are serialised because its span memo and NLP pipeline are not thread-safe.

    A call waits for its turn until its `deadline` (time.monotonic()) at most, else raises Expired; None waits.
    A scan cannot be interrupted, so a request whose text would take longer than the time left (at the
    engine's recent speed, `seconds_per_char`) is refused (Expired) before it starts rather than after.
    """

    def __init__(self, router: Router, generic: GenericGuardrail | None = None, budget: float = DEFAULT_TIME_BUDGET):
        self.router, self.generic, self.budget = router, generic, budget
        self.seconds_per_char = 0.0  # learnt from requests of MEASURED_CHARS or more
        self._lock = threading.Lock()

    def guardrail(self, payload: dict, caller: str = "", deadline: float | None = None):
        """LiteLLM's Generic Guardrail API: (answer, verdict) for one call (blocking: run it in a worker thread)."""
        judged = Judged(payload) if payload.get("input_type") == "request" else None
        with self._turn(deadline, sum(map(len, judged.texts + judged.extra)) if judged else 0):
            return self.generic.answer(payload, caller)

    def route(self, messages, workload: str | None, deadline: float | None = None) -> dict:
        """The JSON-ready decision for one request (blocking: run it in a worker thread)."""
        with self._turn(deadline, text_size(messages)):
            decision = self.router.route(messages, workload)
            return decision_dict(decision, self._masked(messages, decision))

    @contextmanager
    def _turn(self, deadline: float | None, chars: int):
        """The engine to this caller alone; its span memo emptied afterwards, so the next request cannot
        tell from the time it takes whether its text was seen before."""
        wait = -1 if deadline is None else deadline - time.monotonic()
        if (deadline is not None and wait <= 0) or not self._lock.acquire(timeout=wait):
            raise Expired(self.budget)
        started = time.monotonic()
        try:
            if deadline is not None and chars * self.seconds_per_char > deadline - started:
                raise Expired(self.budget)
            yield
            if chars >= MEASURED_CHARS:  # smaller requests are mostly fixed costs
                rate = (time.monotonic() - started) / chars
                self.seconds_per_char = rate if not self.seconds_per_char else 0.7 * self.seconds_per_char + 0.3 * rate
        finally:
            self.router.context.memo = SpanMemo()
            self._lock.release()

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
    }


def create_app(
    settings: Settings,
    manifest: Manifest | None = None,
    token: str | None = None,
    limits: ServeLimits = ServeLimits(),
    recording: Recording | None = None,
) -> Starlette:
    """The service: the engine is built and warmed once at startup, before the first request is accepted.

    With `recording`, decisions are counted and flushed to its registry periodically and at shutdown.
    Without `token`, LiteLLM's answers are not restored (a call id alone must not give values back).
    """
    slots = Slots(limits.max_concurrent)
    state: dict[str, Engine] = {}
    counter = DecisionCounter("serve") if recording else None

    def refused(status: int, workload: str | None = None) -> None:
        if counter is not None and status in REFUSAL_BY_STATUS:
            counter.refuse(workload, REFUSAL_BY_STATUS[status])

    @asynccontextmanager
    async def lifespan(app):
        state["engine"] = await run_in_threadpool(_load_engine, settings, manifest, token is not None, limits)
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

    async def in_engine(seen: dict, method, *args):
        """`method(*args, deadline)` in a worker thread, awaited for the time budget at most (else Expired).
        Work that overruns keeps its slot until it ends, so slots count what the engine really holds."""
        deadline = time.monotonic() + limits.time_budget
        task = asyncio.ensure_future(run_in_threadpool(method, *args, deadline))
        done, _ = await asyncio.wait({task}, timeout=limits.time_budget)
        if task in done:
            return task.result()
        seen["slot_detached"] = True
        task.add_done_callback(lambda t: (slots.release(), t.cancelled() or t.exception()))
        raise Expired(limits.time_budget)

    async def answer(request: Request, handle) -> JSONResponse:
        """Authorise, read the body within the limit, take a slot (429 at once when none is free), then
        `await handle(body, seen)`; errors become one-line answers that quote no input, and every refusal
        is counted (`seen["workload"]`, once the handler knows it). The body is read before the slot is
        taken: a slow sender holds its own connection, never a slot."""
        given = credential(request, token)
        if given is None:
            refused(401)
            return error_response(BadRequest(401, "a valid token is required (Authorization: Bearer, or x-api-key)"))
        seen: dict = {"credential": given}
        try:
            body = await read_body(request, limits.max_body)
        except BadRequest as exc:
            refused(exc.status)
            return error_response(exc)
        if not slots.try_acquire():
            refused(429)
            return JSONResponse(
                {"error": "busy: too many requests in progress"}, status_code=429, headers={"Retry-After": "1"}
            )
        try:
            return await handle(body, seen)
        except BadRequest as exc:
            refused(exc.status, seen.get("workload"))
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - a message or traceback could quote prompt text: the type only
            refused(500, seen.get("workload"))
            access_log.error(json.dumps({"error": type(exc).__name__}))
            return JSONResponse({"error": "internal error"}, status_code=500)
        finally:
            if not seen.get("slot_detached"):
                slots.release()

    async def route(request: Request) -> JSONResponse:
        async def handle(body: bytes, seen: dict) -> JSONResponse:
            messages, seen["workload"] = parse_route_request(body)
            problem = unknown_workload(seen["workload"], router_workloads(state["engine"].router), quote=False)
            if problem:  # a typo is refused, never routed as a workload with no agreements
                raise BadRequest(400, problem)
            if text_size(messages) > limits.max_chars:
                raise BadRequest(413, f"the request carries more than {limits.max_chars} characters of text")
            result = await in_engine(seen, state["engine"].route, messages, seen["workload"])
            if counter is not None:
                counter.count(result["workload"], result["tier"], result["target"], result["rules"])
            request.scope["audit.log"].update(workload=result["workload"], tier=result["tier"])
            return JSONResponse(result)

        return await answer(request, handle)

    async def generic_guardrail(request: Request) -> JSONResponse:
        """LiteLLM's Generic Guardrail API. Any error answers non-2xx, which LiteLLM treats as a failure and, with
        its default `fail_on_error`, refuses the request: this service failing never lets a request through.
        An expired time budget answers BLOCKED instead: LiteLLM's `unreachable_fallback: fail_open` lets a
        request through on 502-504, never on BLOCKED."""

        async def handle(body: bytes, seen: dict) -> JSONResponse:
            if state["engine"].generic is None:
                raise BadRequest(404, "no workloads: start with --manifest, or after `audit registry import`")
            payload = parse_guardrail_request(body)
            try:
                result, verdict = await in_engine(seen, state["engine"].guardrail, payload, seen["credential"])
            except Expired as exc:
                refused(503)
                return JSONResponse({"action": "BLOCKED", "blocked_reason": f"llm-audit: refused: {exc}"})
            if verdict is not None:
                _count_generic(counter, verdict)
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


def _count_generic(counter: DecisionCounter | None, verdict) -> None:
    """A Generic Guardrail API verdict counted as answered: a request to resend self-hosted was BLOCKED,
    not sent anywhere, so it is a refusal (never a request counted as 'self-hosted model')."""
    if counter is None:
        return
    if verdict.action == "reroute":
        counter.refuse(verdict.workload, "must-self-host")
    else:
        count_verdict(counter, verdict)


def _load_engine(settings: Settings, manifest: Manifest | None, restore: bool, limits: ServeLimits) -> Engine:
    from audit.pipeline import build_context
    from audit.scanner.engine import warm_up

    router = Router(build_context(settings), manifest)
    generic = None
    if manifest is not None:
        enforcer = enforcer_for(router, manifest, settings)
        enforcer.max_chars = limits.max_chars
        generic = GenericGuardrail(enforcer, restore=restore)
    engine = Engine(router, generic, limits.time_budget)
    warm_up(engine.route)
    engine.route([CALIBRATION], None)  # the first estimate of its speed, for refusing what would overrun
    return engine
