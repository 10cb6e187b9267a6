"""Every probe of tests/gateway/probes.py against the Enforcer directly, written back as the guardrail does:
no raw value is left in a request that may go to the closed group; refusals name a rule, never a value.
And a property: an SSN planted at any path of any JSON request never passes, nor leaves a redaction whole."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.gateway.enforce import Enforcer
from audit.gateway.payloads import get, put, request_texts, write_order
from audit.model import Tier
from tests.gateway.probes import PLANTS, SSN, all_probes, escaped_probes, leaked

CASES = [(probe, plant) for probe in all_probes() if not probe.kept for plant in PLANTS] + [
    (p, "ssn") for p in escaped_probes()
]


def judge(parts, body: dict, call_type: str, workload: str, observed=None):
    """The verdict, and the body as it would leave the guardrail (redactions written back)."""
    router, manifest = parts
    enforcer = Enforcer(router, manifest, observed=observed)
    body = copy.deepcopy(body)
    texts = request_texts(body, call_type)
    verdict = enforcer.verdict(body, texts, workload, body.get("model"))
    if verdict.action == "redact":
        changed = {path: t for (_, path), t in zip(texts.segments, verdict.texts, strict=True) if t != get(body, path)}
        for path in write_order(changed):
            put(body, path, changed[path])
    return verdict, body


@pytest.mark.parametrize(("probe", "plant"), CASES, ids=[f"{p.name}-{k}" for p, k in CASES])
def test_no_planted_value_reaches_the_closed_group(parts, probe, plant):
    workload, text, values = PLANTS[plant]
    body = probe.planted(text) if "PLANT" in json.dumps(probe.body) else probe.body
    verdict, sent = judge(parts, body, probe.call_type, workload)
    if verdict.action in ("pass", "redact"):
        assert verdict.model == "closed"
        assert not leaked([sent], values), f"{probe.name}: {verdict.action} left the value in the request"
    if verdict.action == "refuse":
        assert verdict.code and not leaked([verdict.reason], values)
        if verdict.code == "blocked":
            assert "[" in verdict.reason  # the rule and its regulation
    assert verdict.action != "pass" or plant not in ("phi", "aws")


def test_the_probes_are_not_all_refused_or_rerouted(parts):
    """The planted SSN is redacted in place where it can be, so the closed API stays usable."""
    actions = {}
    for probe in all_probes():
        verdict, _ = judge(parts, probe.planted(PLANTS["ssn"][1]), probe.call_type, "helpdesk")
        actions.setdefault(verdict.action, []).append(probe.name)
    assert len(actions.get("redact", [])) >= 40, actions


def test_a_clean_request_with_tools_and_options_still_passes(parts):
    body = {
        "model": "closed",
        "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
        "tools": [{"type": "function", "function": {"name": "weather", "description": "Weather of a city."}}],
        "tool_choice": "auto",
        "temperature": 0.2,
        "stream": True,
        "user": "d41d8cd98f00b204e9800998ecf8427e",
    }
    verdict, sent = judge(parts, body, "acompletion", "helpdesk")
    assert verdict.action == "pass" and sent == body


def test_values_hidden_in_base64_or_token_arrays_never_go_closed(parts):
    blob = "QWxhZGRpbjpvcGVuIHNlc2FtZQ" * 4
    for body, call_type in (
        ({"model": "closed", "messages": [{"role": "user", "content": "hi"}], "x_blob": blob}, "acompletion"),
        ({"model": "closed", "prompt": [[1, 2, 3]]}, "atext_completion"),
        ({"model": "closed", "input": [101, 2023]}, "aembedding"),
    ):
        verdict, _ = judge(parts, body, call_type, "helpdesk")
        assert (verdict.action, verdict.model) == ("reroute", "self_hosted"), body


class Source:
    """A registry reader that works, then fails, then comes back empty (a deleted file re-created)."""

    def __init__(self):
        self.answers = [{"helpdesk": Tier.SELF_HOSTED, "intake": None}, RuntimeError("gone"), {}]

    def __call__(self):
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_losing_the_registry_keeps_the_last_restrictions_and_says_so(parts, monkeypatch, caplog):
    from audit.gateway import enforce

    router, manifest = parts
    enforcer = Enforcer(router, manifest, observed=Source())
    body = {"model": "closed", "messages": [{"role": "user", "content": "What is 2 + 2?"}]}
    for _ in range(3):
        verdict = enforcer.verdict(body, request_texts(body, "acompletion"), "helpdesk", "closed")
        assert (verdict.action, verdict.model) == ("reroute", "self_hosted")
        monkeypatch.setattr(enforce, "REFRESH_SECONDS", 0.0)
    assert enforcer.registry_failures == 2
    assert "the registry cannot be read" in caplog.text and caplog.records[-1].levelname == "ERROR"


def test_a_registry_never_read_refuses_every_workload(parts):
    router, manifest = parts

    def broken():
        raise OSError("no such file")

    enforcer = Enforcer(router, manifest, observed=broken)
    body = {"model": "closed", "messages": [{"role": "user", "content": "What is 2 + 2?"}]}
    verdict = enforcer.verdict(body, request_texts(body, "acompletion"), "helpdesk", "closed")
    assert (verdict.action, verdict.status, verdict.code) == ("refuse", 503, "registry-unavailable")
    assert enforcer.registry_failures == 1


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
SENTENCES = st.sampled_from([f"my SSN is {SSN}", f"SSN {SSN} on file", f"call about {SSN} today", f"ssn: {SSN}"])


@st.composite
def planted_requests(draw):
    """A chat request with random extra JSON and the SSN sentence at a random path inside it."""
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=8), JSON, max_size=3))
    body = {"model": "closed", "messages": [{"role": "user", "content": "Please help me."}], **extra}
    sentence = draw(SENTENCES)
    node, key = body, None
    for _ in range(draw(st.integers(0, 4))):
        containers = [
            k
            for k, v in (node.items() if isinstance(node, dict) else enumerate(node))
            if isinstance(v, dict | list) and v
        ]
        if not containers:
            break
        key = draw(st.sampled_from(containers))
        node = node[key]
    if isinstance(node, list):
        node.insert(draw(st.integers(0, len(node))), sentence)
    else:
        node[draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in node))] = sentence
    return body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=planted_requests())
def test_a_planted_ssn_anywhere_is_never_passed_nor_left_in_a_redaction(parts, body):
    verdict, sent = judge(parts, body, "acompletion", "helpdesk")
    assert verdict.action != "pass"
    if verdict.action == "redact":
        assert not leaked([sent], (SSN,))
    if verdict.action == "refuse":
        assert SSN not in verdict.reason
