"""llm-audit as an in-process LiteLLM guardrail: route, redact or refuse each request before the call.

In the proxy's config (docs/routing.md, "Enforce at the gateway"):

    guardrails:
      - guardrail_name: llm-audit
        litellm_params:
          guardrail: audit.gateway.litellm_guardrail.AuditGuardrail
          mode: [pre_call, post_call]
          default_on: true

Before the call: the workload comes from the API key's metadata (else its team's) `llm_audit_workload`,
never from the request body; the router decides; the request then passes, moves to the `self_hosted`
group, is redacted with reversible placeholders for the `closed` group, or is refused with the rule and
regulation (never a value). The request's tags are replaced by the workload's, so the exported config's
tag filtering sees the bound workload, not what the client asserted. After the call: placeholders are
restored in the answer, streamed or not. Any internal error refuses the request unless `fail_open: true`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import AsyncGenerator

from fastapi import HTTPException
from litellm.integrations.custom_guardrail import CustomGuardrail

from audit.gateway.enforce import Verdict, count_verdict, enforcer_for
from audit.gateway.payloads import Texts, UnsupportedCall, api_of, get, put, request_texts, write_order
from audit.gateway.restore import PendingRedactions, restore_in_place, restored_stream

log = logging.getLogger("audit.gateway")
OUR_PARAMS = ("manifest", "db", "config", "fail_open", "flush_seconds", "max_chars")
DEFAULT_FLUSH_SECONDS = 60.0


class AuditGuardrail(CustomGuardrail):
    """The guardrail LiteLLM instantiates from `guardrails:`; its own settings come in `litellm_params`."""

    def __init__(self, **kwargs):
        ours = {k: kwargs.pop(k, None) for k in OUR_PARAMS}
        super().__init__(**kwargs)
        self.fail_open = ours["fail_open"] is True or str(ours["fail_open"]).lower() == "true"
        if self.fail_open:
            log.critical(
                "llm-audit guardrail: fail_open is set: requests are FORWARDED UNCHECKED when the guardrail fails"
            )
        self.enforcer, settings = build_enforcer(ours["manifest"], ours["db"], ours["config"])
        if ours["max_chars"] is not None:
            self.enforcer.max_chars = int(ours["max_chars"])
        self.counter = start_counting(settings, float(ours["flush_seconds"] or DEFAULT_FLUSH_SECONDS))
        self.pending = PendingRedactions()

    async def async_pre_call_hook(self, user_api_key_dict, cache, data: dict, call_type):
        try:
            texts = request_texts(data, call_type)
            workload = self.enforcer.workload_of(
                getattr(user_api_key_dict, "metadata", None), getattr(user_api_key_dict, "team_metadata", None)
            )
            verdict = await asyncio.to_thread(self.enforcer.verdict, data, texts, workload, data.get("model"))
            if verdict.action != "refuse":
                self._apply(data, call_type, texts, verdict)
        except UnsupportedCall:
            verdict = Verdict(
                "refuse", None, status=403, code="unsupported-call", reason="this endpoint is not inspected"
            )
        except Exception as exc:  # noqa: BLE001 - any failure refuses the request (fail closed)
            if self.fail_open:
                log.error(
                    "llm-audit guardrail failed (%s); fail_open is set: request FORWARDED UNCHECKED", type(exc).__name__
                )
                return data
            log.error("llm-audit guardrail failed (%s): request refused", type(exc).__name__)
            verdict = Verdict("refuse", None, status=503, code="internal-error", reason="the guardrail failed")
        self._count(verdict)
        if verdict.action == "refuse":
            raise HTTPException(status_code=verdict.status, detail={"error": f"llm-audit: refused: {verdict.reason}"})
        return data

    def _apply(self, data: dict, call_type, texts: Texts, verdict: Verdict) -> None:
        """Rewrite the request for its verdict: model group, tags, redacted texts (also in the logged copy)."""
        data["model"] = verdict.model
        bucket = "metadata" if api_of(call_type) in ("chat", "completion", "embedding") else "litellm_metadata"
        for name in {bucket, *(b for b in ("metadata", "litellm_metadata") if isinstance(data.get(b), dict))}:
            data.setdefault(name, {})
            data[name]["tags"] = [verdict.workload]
        if verdict.action != "redact":
            return
        logged = (data.get("proxy_server_request") or {}).get("body")
        changed = {path: text for (_, path), text in zip(texts.segments, verdict.texts, strict=True)}
        changed = {path: text for path, text in changed.items() if text != get(data, path)}
        for path in write_order(changed):
            put(data, path, changed[path])
            if isinstance(logged, dict):
                try:
                    put(logged, path, changed[path])
                except (KeyError, IndexError, TypeError):
                    pass
        self.pending.keep(data.get("litellm_call_id"), verdict.redaction)

    def _count(self, verdict: Verdict) -> None:
        if self.counter is None:
            return
        try:
            count_verdict(self.counter, verdict)
        except Exception as exc:  # noqa: BLE001 - evidence counting must never change a request's outcome
            log.error("llm-audit guardrail: counting failed (%s)", type(exc).__name__)

    async def async_post_call_success_hook(self, data: dict, user_api_key_dict, response):
        redaction = self.pending.take((data or {}).get("litellm_call_id"))
        if redaction is not None:
            restore_in_place(response, redaction)
        return response

    async def async_post_call_streaming_iterator_hook(
        self, user_api_key_dict, response, request_data: dict
    ) -> AsyncGenerator:
        redaction = self.pending.take((request_data or {}).get("litellm_call_id"))
        if redaction is None:
            async for item in response:
                yield item
            return
        async for item in restored_stream(response, redaction):
            yield item


def start_counting(settings, flush_seconds: float):
    """A DecisionCounter flushing to the registry `audit scan` would record into, and at exit; None without one."""
    import atexit

    from audit.enforcement import DecisionCounter
    from audit.store import scanning

    registry = scanning.open_for_scan(settings, None)
    if registry is None:
        log.warning("llm-audit guardrail: no registry: decision counts are not recorded")
        return None
    counter = DecisionCounter("guardrail")
    counter.start_periodic(registry, flush_seconds)
    atexit.register(counter.stop)
    _stop_without_reraising()
    return counter


def _stop_without_reraising() -> None:
    """SIGTERM stops the proxy gracefully *and* lets atexit handlers run, so the last counts are flushed.

    uvicorn handles SIGTERM by draining requests, then re-raises the signal with the default handler,
    which kills the process before atexit runs. This handler asks the same server to exit without
    recording the signal (so the proxy exits 0, as `audit serve` does). Anything other than uvicorn's
    handler is left alone.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    server = getattr(previous, "__self__", None)
    if server is None or not hasattr(server, "should_exit"):
        return

    def graceful(signum, frame) -> None:
        server.should_exit = True

    signal.signal(signal.SIGTERM, graceful)


def build_enforcer(manifest: str | None, db: str | None, config: str | None):
    """(the Enforcer, its settings): the engine loaded and warmed once when the proxy starts; a failure here
    stops the proxy (fail closed)."""
    from audit import api
    from audit.pipeline import build_context
    from audit.routing.router import Router
    from audit.scanner.engine import warm_up

    settings = api.settings_from(config, db=db)
    workloads = api.load_workloads(manifest, settings)
    router = Router(build_context(settings), workloads)
    warm_up(router.route)
    return enforcer_for(router, workloads, settings), settings
