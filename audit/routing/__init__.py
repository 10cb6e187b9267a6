"""Routing: send each request where policy allows, and export or replay that routing.

    from audit.routing import route
    decision = route([{"role": "user", "content": "..."}], workload="card-disputes", context=ctx)
    decision.target  # closed | redact_then_closed | self_hosted | blocked

Build the ScanContext once (`audit.pipeline.build_context`) and pass it on every
call: the router derived from it is cached, so only the first call pays for setup.
Without a context, a default one is built on first use.
"""

from __future__ import annotations

from audit.manifest import Manifest
from audit.pipeline import ScanContext
from audit.routing.redact import Redaction
from audit.routing.router import TARGETS, RouteDecision, Router

_ROUTERS: dict[int, tuple[object, object, Router]] = {}  # id(context) -> (context, manifest, router)
_MAX_ROUTERS = 8


def route(
    messages,
    workload: str | None = None,
    context: ScanContext | Router | None = None,
    manifest: Manifest | None = None,
) -> RouteDecision:
    """Where one request may go: target, tier, reasons; redacted messages for redact_then_closed."""
    return router_for(context, manifest).route(messages, workload)


def router_for(context: ScanContext | Router | None = None, manifest: Manifest | None = None) -> Router:
    """The cached Router for `context` (a default context is built once when None)."""
    if isinstance(context, Router):
        return context
    if context is None:
        context = _default_context()
    cached = _ROUTERS.get(id(context))
    if cached and cached[0] is context and cached[1] is manifest:
        return cached[2]
    if len(_ROUTERS) >= _MAX_ROUTERS:
        _ROUTERS.pop(next(iter(_ROUTERS)))
    router = Router(context, manifest)
    _ROUTERS[id(context)] = (context, manifest, router)
    return router


_DEFAULT: list[ScanContext] = []


def _default_context() -> ScanContext:
    if not _DEFAULT:
        from audit.pipeline import build_context
        from audit.settings import load_settings

        _DEFAULT.append(build_context(load_settings()))
    return _DEFAULT[0]


__all__ = ["TARGETS", "Redaction", "RouteDecision", "Router", "route", "router_for"]
