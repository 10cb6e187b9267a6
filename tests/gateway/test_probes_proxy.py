"""Every probe of tests/gateway/probes.py through the real LiteLLM proxy, set up by the documented block (exported
config, guardrail, keys file), in one proxy process: no raw value reaches the recording closed upstream, whatever
field carries it, whichever endpoint and model name the request uses. Refusals name no value."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("litellm")

from tests.gateway.probes import PLANTS, SSN, all_probes, escaped_probes, leaked, unguarded_probes  # noqa: E402
from tests.gateway.test_guardrail_proxy import Proxy, setup_block, workspace  # noqa: E402
from tests.gateway.upstream import Upstream  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    closed, self_hosted = Upstream("closed").start(), Upstream("self_hosted").start()
    tmp = tmp_path_factory.mktemp("probes")
    proxy = Proxy(tmp, setup_block(), workspace(tmp, closed, self_hosted))
    proxy.keys = {w: (tmp / f"{w}.key").read_text().strip() for w in ("intake", "helpdesk")}
    yield proxy, closed
    proxy.stop()
    closed.stop()
    self_hosted.stop()


def run(proxy, closed, cases) -> tuple[list[str], list[str], dict]:
    """(the probes whose raw value reached the closed upstream, those whose refusal quoted it, status counts)."""
    leaks, quoted, statuses = [], [], {}
    for probe, plant in cases:
        workload, text, values = PLANTS[plant]
        body = probe.planted(text) if "PLANT" in json.dumps(probe.body) else probe.body
        closed.bodies.clear()
        r = proxy.post(probe.path, proxy.keys[workload], body)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        if leaked(closed.bodies, values):
            leaks.append(f"{probe.name}-{plant} ({r.status_code})")
        if r.status_code >= 400 and any(v in r.text for v in values):
            quoted.append(f"{probe.name}-{plant}")
    return leaks, quoted, statuses


def test_no_probe_puts_a_raw_value_on_the_closed_upstream(setup):
    proxy, closed = setup
    cases = [(p, k) for p in all_probes() for k in PLANTS] + [(p, "ssn") for p in escaped_probes()]
    leaks, quoted, statuses = run(proxy, closed, cases)
    print(f"\nprobes: {len(cases)} requests, {len(leaks)} leaked, statuses {sorted(statuses.items())}")
    assert leaks == [], leaks
    assert quoted == [], quoted
    assert statuses.get(200, 0) >= len(cases) // 3  # redaction keeps the closed API usable
    assert "219-09-9999" not in proxy.output() and "AKIAIOSFODNN7EXAMPLE" not in proxy.output()


def test_token_counting_and_direct_deployment_or_provider_models_are_refused(setup):
    proxy, closed = setup
    cases = [(p, k) for p in unguarded_probes() for k in PLANTS]
    leaks, quoted, statuses = run(proxy, closed, cases)
    print(f"\nunguarded probes: {len(cases)} requests, {len(leaks)} leaked, statuses {sorted(statuses.items())}")
    assert leaks == [] and quoted == [], (leaks, quoted)
    assert set(statuses) <= {400, 403}, statuses


def test_a_clean_request_still_passes_with_its_options(setup):
    proxy, closed = setup
    closed.bodies.clear()
    body = {
        "model": "closed",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
        "tools": [{"type": "function", "function": {"name": "weather", "description": "Weather of a city."}}],
        "user": "d41d8cd98f00b204e9800998ecf8427e",
    }
    r = proxy.post("/v1/chat/completions", proxy.keys["helpdesk"], body)
    assert r.status_code == 200, r.text
    assert closed.bodies and closed.bodies[0]["messages"][0]["content"] == "What is the capital of France?"
    assert closed.bodies[0]["tools"][0]["function"]["description"] == "Weather of a city."


def test_a_redacted_field_is_restored_nowhere_but_the_answer(setup):
    """A planted SSN in a tool description reaches the closed API as a placeholder."""
    proxy, closed = setup
    closed.bodies.clear()
    body = {
        "model": "closed",
        "messages": [{"role": "user", "content": "Please help me."}],
        "tools": [{"type": "function", "function": {"name": "lookup", "description": f"SSN {SSN} on file"}}],
    }
    r = proxy.post("/v1/chat/completions", proxy.keys["helpdesk"], body)
    assert r.status_code == 200, r.text
    sent = closed.bodies[0]["tools"][0]["function"]["description"]
    assert SSN not in sent and "<US_SSN_1>" in sent
