"""Every gateway surface judges the same request alike: the router (audit.routing.route, `route replay`), the
in-process LiteLLM guardrail's verdict, LiteLLM's Generic Guardrail API answer, and `audit serve`'s /v1/route."""

from __future__ import annotations

import pytest

from audit.gateway.enforce import Enforcer
from audit.gateway.generic_api import GenericGuardrail
from audit.gateway.payloads import request_texts
from audit.serve import Engine
from tests.gateway.cases import PHI, PII, SECRET

PROMPTS = {
    "clean": "What is the capital of France? Answer in one word.",
    "pii": PII,
    "phi": PHI,
    "secret": SECRET,
    "card": "Please refund card 4111 1111 1111 1111 for Jane Doe, order 5521.",
    "ssn": "My SSN is 078-05-1120, can you check my claim status?",
}
# What the guardrail and the Generic Guardrail API do with each router target, for a request to `closed`.
EXPECTED = {
    "closed": ("pass", "NONE"),
    "redact_then_closed": ("redact", "GUARDRAIL_INTERVENED"),
    "self_hosted": ("reroute", "BLOCKED"),
    "blocked": ("refuse", "BLOCKED"),
}


@pytest.mark.parametrize("workload", ["intake", "helpdesk"])
@pytest.mark.parametrize("kind", sorted(PROMPTS))
def test_router_guardrail_generic_api_and_serve_agree(parts, workload, kind):
    router, manifest = parts
    text = PROMPTS[kind]
    messages = [{"role": "user", "content": text}]
    decision = router.route(messages, workload)

    enforcer = Enforcer(router, manifest)
    body = {"model": "closed", "messages": [dict(m) for m in messages]}
    verdict = enforcer.verdict(body, request_texts(body, "acompletion"), workload, "closed")
    answer, _ = GenericGuardrail(enforcer).answer(
        {"input_type": "request", "texts": [text], "model": "closed", "request_data": {"user_api_key_alias": workload}}
    )
    served = Engine(router).route(messages, workload)

    action, generic = EXPECTED[decision.target]
    assert (verdict.action, answer["action"]) == (action, generic)
    assert verdict.tier == decision.tier and served["tier"] == decision.tier.value
    assert served["target"] == decision.target and served["rules"] == list(decision.rules)
    if decision.target == "redact_then_closed":
        assert verdict.texts == answer["texts"] == [m["content"] for m in served["redacted_messages"]]
    if decision.target == "blocked":
        assert served["redacted_messages"] is None and verdict.code == "blocked"


def test_the_prompts_cover_every_target(parts):
    router, _ = parts
    seen = {router.route([text], w).target for text in PROMPTS.values() for w in ("intake", "helpdesk")}
    assert seen == set(EXPECTED)
