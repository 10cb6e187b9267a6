"""LiteLLM's Generic Guardrail API, answered by the same verdicts as the in-process guardrail.

LiteLLM's `generic_guardrail_api` guardrail POSTs `{input_type, texts, model, request_data, ...}` to
`<api_base>/beta/litellm_basic_guardrail_api` and reads `{action: NONE | BLOCKED | GUARDRAIL_INTERVENED,
texts, blocked_reason}`. This API can change texts but not the model, so a request that must stay
self-hosted is BLOCKED with the reason (send it to `self_hosted`), redaction returns the texts with
placeholders, and the answer (`input_type: response`, same `litellm_call_id`) gets the values back.
The workload is the key's team alias, else the key's alias: names LiteLLM authenticated, never a
field of the request body (LiteLLM merges request-body parameters into
`additional_provider_specific_params`, so that field is not trusted).
"""

from __future__ import annotations

from collections.abc import Mapping

from audit.gateway.enforce import SELF_HOSTED, Enforcer, Verdict
from audit.gateway.payloads import Texts
from audit.gateway.restore import PendingRedactions

PATH = "/beta/litellm_basic_guardrail_api"


class GenericGuardrail:
    """Answers Generic Guardrail API calls; keeps each redacted call's mapping until its answer is checked."""

    def __init__(self, enforcer: Enforcer):
        self.enforcer = enforcer
        self.pending = PendingRedactions()

    def answer(self, payload: Mapping) -> tuple[dict, Verdict | None]:
        """The API's answer for one call, and the verdict behind it (None for a response check)."""
        texts = payload.get("texts") or []
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ValueError("'texts' must be a list of strings")
        call_id = payload.get("litellm_call_id")
        if payload.get("input_type") == "response":
            redaction = self.pending.take(call_id)
            if redaction is None:
                return {"action": "NONE"}, None
            return {"action": "GUARDRAIL_INTERVENED", "texts": [redaction.restore(t) for t in texts]}, None
        meta = payload.get("request_data") if isinstance(payload.get("request_data"), Mapping) else {}
        workload = meta.get("user_api_key_team_alias") or meta.get("user_api_key_alias") or None
        body = {"texts": list(texts)}
        segments = Texts(segments=[("user", ("texts", i)) for i in range(len(texts))])
        verdict = self.enforcer.verdict(body, segments, workload, payload.get("model"))
        if verdict.action == "refuse":
            return {"action": "BLOCKED", "blocked_reason": f"llm-audit: refused: {verdict.reason}"}, verdict
        if verdict.action == "reroute":
            reason = f"llm-audit: send this request to model '{SELF_HOSTED}': {verdict.reason}"
            return {"action": "BLOCKED", "blocked_reason": reason}, verdict
        if verdict.action == "redact":
            self.pending.keep(call_id, verdict.redaction)
            return {"action": "GUARDRAIL_INTERVENED", "texts": verdict.texts}, verdict
        return {"action": "NONE"}, verdict
