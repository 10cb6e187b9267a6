"""Verdicts with the real engine and policy packs: pass, reroute, redact, refuse; and the hook failing closed."""

from __future__ import annotations

import asyncio
import logging
import types

import pytest

from audit.gateway.enforce import Enforcer
from audit.gateway.payloads import request_texts
from audit.model import Tier
from tests.gateway.cases import PHI, PII, SECRET


def verdict(parts, workload, text, model="closed", observed=None, content=None):
    router, manifest = parts
    enforcer = Enforcer(router, manifest, observed=(lambda: observed) if observed else None)
    body = {"model": model, "messages": [{"role": "user", "content": content if content is not None else text}]}
    return enforcer.verdict(body, request_texts(body, "acompletion"), workload, model)


def test_phi_without_a_baa_is_rerouted_to_self_hosted(parts):
    v = verdict(parts, "intake", PHI)
    assert (v.action, v.model, v.target) == ("reroute", "self_hosted", "self_hosted")
    assert v.reason.startswith("hipaa-phi-identifier-with-health-context [HIPAA;")
    assert "00482913" not in v.reason and "John" not in v.reason


def test_identifiers_are_redacted_for_the_closed_group(parts):
    v = verdict(parts, "helpdesk", PII)
    assert (v.action, v.model) == ("redact", "closed")
    assert v.texts == ["Hi, I am <PERSON_1>, call me at <PHONE_NUMBER_1> about my order"]
    assert v.redaction.restore("<PERSON_1>") == "Maria Garcia"


def test_a_clean_request_passes_and_self_hosted_requests_pass_as_asked(parts):
    assert (
        verdict(parts, "helpdesk", "What is 2 + 2?").action,
        verdict(parts, "helpdesk", PHI, "self_hosted").action,
    ) == (
        "pass",
        "pass",
    )


@pytest.mark.parametrize(
    ("workload", "text", "model", "status", "code"),
    [
        ("helpdesk", SECRET, "closed", 403, "blocked"),
        ("helpdesk", SECRET, "self_hosted", 403, "blocked"),
        (None, "hello", "closed", 403, "no-workload"),
        ("ghost", "hello", "closed", 403, "unknown-workload"),
        ("helpdesk", "hello", "gpt-4o", 400, "unknown-model"),
        ("closed-only", PHI, "closed", 403, "self-hosted-required"),
        ("closed-only", "hello", "self_hosted", 403, "no-self-hosted"),
    ],
)
def test_refusals(parts, workload, text, model, status, code):
    v = verdict(parts, workload, text, model)
    assert (v.action, v.status, v.code, v.target) == ("refuse", status, code, "refused")
    assert "hunter2" not in v.reason and "AKIA" not in v.reason


def test_scans_in_the_registry_keep_a_workload_off_the_closed_api(parts):
    v = verdict(parts, "helpdesk", "What is 2 + 2?", observed={"helpdesk": Tier.SELF_HOSTED})
    assert (v.action, v.model) == ("reroute", "self_hosted")
    assert "its scans require self_hosted" in v.reason


def test_parts_that_cannot_be_scanned_never_reach_a_closed_api(parts):
    content = [{"type": "text", "text": "what is in this picture?"}, {"type": "image_url", "image_url": {"url": "x"}}]
    v = verdict(parts, "helpdesk", None, content=content)
    assert (v.action, v.model) == ("reroute", "self_hosted")
    assert "cannot be scanned" in v.reason


class Broken:
    def workload_of(self, *metas):
        return "helpdesk"

    def verdict(self, *args):
        raise RuntimeError("analyzer down: Maria Garcia")


def guardrail(fail_open: bool):
    pytest.importorskip("litellm")
    from audit.gateway.litellm_guardrail import AuditGuardrail

    g = AuditGuardrail.__new__(AuditGuardrail)
    g.enforcer, g.fail_open, g.counter = Broken(), fail_open, None
    return g


def call(g):
    key = types.SimpleNamespace(metadata={"llm_audit_workload": "helpdesk"}, team_metadata=None)
    data = {"model": "closed", "messages": [{"role": "user", "content": PII}]}
    return asyncio.run(g.async_pre_call_hook(key, None, data, "acompletion"))


def test_an_error_while_judging_refuses_the_request(caplog):
    from fastapi import HTTPException

    with pytest.raises(HTTPException) as err, caplog.at_level(logging.ERROR, "audit.gateway"):
        call(guardrail(fail_open=False))
    assert err.value.status_code == 503
    assert "Maria" not in str(err.value.detail) and "Maria" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_fail_open_forwards_unchecked_and_says_so(caplog):
    with caplog.at_level(logging.ERROR, "audit.gateway"):
        data = call(guardrail(fail_open=True))
    assert data["messages"][0]["content"] == PII
    assert "FORWARDED UNCHECKED" in caplog.text and "Maria" not in caplog.text


def test_a_request_too_large_to_scan_in_time_is_refused_not_passed(parts):
    router, manifest = parts
    enforcer = Enforcer(router, manifest, max_chars=1000)
    body = {
        "model": "closed",
        "messages": [{"role": "user", "content": "a" * 600}, {"role": "user", "content": "b" * 600}],
    }
    v = enforcer.verdict(body, request_texts(body, "acompletion"), "helpdesk", "closed")
    assert (v.action, v.status, v.code) == ("refuse", 413, "too-large")
