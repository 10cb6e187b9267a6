"""The real LiteLLM proxy with its own `generic_guardrail_api` guardrail pointed at `audit serve`: requests are
judged by the service (the whole structured request, not only its texts), redacted there and restored on the
way back to the caller holding the service's token, and when the service is killed, LiteLLM refuses the request
instead of forwarding it. The guardrail is configured as docs/routing.md shows: `api_key` (sent as x-api-key)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import yaml

pytest.importorskip("litellm")
httpx = pytest.importorskip("httpx")

from tests.gateway.cases import FIXTURE, PHI, PII  # noqa: E402
from tests.gateway.test_guardrail_proxy import BIN, Proxy  # noqa: E402
from tests.gateway.upstream import Upstream, free_port  # noqa: E402

AUDIT = str(BIN / "audit")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("generic")
    closed, self_hosted = Upstream("closed").start(), Upstream("self_hosted").start()
    (tmp / "workloads.yaml").write_text(
        FIXTURE.read_text().replace("CLOSED_PORT", str(closed.port)).replace("SELF_PORT", str(self_hosted.port))
    )
    env = {**os.environ, "AUDIT_HOME": str(tmp / "home"), "OPENAI_API_KEY": "sk-upstream-test"}
    env["AUDIT_SERVE_TOKEN"] = "serve-token-for-tests"
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    env.pop("AUDIT_DB", None)
    port = free_port()
    serve = subprocess.Popen(
        [AUDIT, "serve", "--manifest", "workloads.yaml", "--port", str(port), "--token-env", "AUDIT_SERVE_TOKEN"],
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "serve.log").open("wb"),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    subprocess.run(
        [AUDIT, "route", "export", "--target", "litellm", "--manifest", "workloads.yaml", "-o", "cfg.yaml"],
        cwd=tmp,
        env=env,
        check=True,
        capture_output=True,
    )
    config = yaml.safe_load((tmp / "cfg.yaml").read_text())
    # LiteLLM 1.108.7 drops a request's tags (the key's included) once a generic_guardrail_api guardrail has run,
    # so tag routing would send everything to the refusing defaults: this test routes by model group alone
    # (docs/routing.md says so; the in-process guardrail has no such limit).
    config["model_list"] = [d for d in config["model_list"] if d["model_info"].get("workload") == "helpdesk"]
    for d in config["model_list"]:
        d["litellm_params"].pop("tags")
    config.pop("router_settings")
    config["guardrails"] = [
        {
            "guardrail_name": "llm-audit-service",
            "litellm_params": {
                "guardrail": "generic_guardrail_api",
                "mode": ["pre_call", "post_call"],
                "api_base": f"http://127.0.0.1:{port}",
                "api_key": "os.environ/AUDIT_SERVE_TOKEN",
                "default_on": True,
            },
        }
    ]
    config["general_settings"]["custom_auth"] = "audit.gateway.keys.user_api_key_auth"
    (tmp / "cfg.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    block = (
        "audit gateway key helpdesk --keys keys.yaml > helpdesk.key\n"
        "audit gateway key intake --keys keys.yaml > intake.key\n"
        "export LLM_AUDIT_KEYS_FILE=keys.yaml LITELLM_MASTER_KEY=sk-change-me LITELLM_LOCAL_MODEL_COST_MAP=True\n"
        "litellm --config cfg.yaml --host 127.0.0.1 --port 4000\n"
    )
    proxy = Proxy(tmp, block, env)
    keys = {w: (tmp / f"{w}.key").read_text().strip() for w in ("intake", "helpdesk")}
    yield proxy, keys, serve, (closed, self_hosted), tmp
    proxy.stop()
    if serve.poll() is None:
        serve.terminate()
        serve.wait(15)
    closed.stop()
    self_hosted.stop()


def chat(text: str, workload: str) -> dict:
    return {"model": "closed", "messages": [{"role": "user", "content": text}]}


def test_the_service_redacts_for_the_closed_api_and_restores_the_answer(setup):
    proxy, keys, _, (closed, _), _ = setup
    r = proxy.post("/v1/chat/completions", keys["helpdesk"], chat(PII, "helpdesk"))
    assert r.status_code == 200, r.text
    assert closed.bodies and not closed.saw("Maria Garcia") and closed.saw("<PERSON_1>")
    assert r.json()["choices"][0]["message"]["content"] == f"You said: {PII}"


def test_phi_that_must_stay_self_hosted_is_blocked_with_the_reason(setup):
    proxy, keys, _, (closed, self_hosted), _ = setup
    closed.bodies.clear()
    r = proxy.post("/v1/chat/completions", keys["intake"], chat(PHI, "intake"))
    assert 400 <= r.status_code < 500, r.text
    assert "send this request to model 'self_hosted'" in r.text and "00482913" not in r.text
    assert not closed.bodies


PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
STRUCTURED = {
    "image next to text": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is on this card?"},
                {"type": "image_url", "image_url": {"url": PNG}},
            ],
        }
    ],
    "identifiers in tool call arguments": [
        {"role": "user", "content": "Look up my order."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "' + PII + '"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "found"},
        {"role": "user", "content": "Thanks, what next?"},
    ],
    "identifiers in a refusal part": [
        {"role": "assistant", "content": [{"type": "refusal", "refusal": PII}]},
        {"role": "user", "content": "Please go on."},
    ],
}


@pytest.mark.parametrize("name", sorted(STRUCTURED))
def test_what_the_service_cannot_read_or_write_back_never_reaches_the_closed_api(setup, name):
    proxy, keys, _, (closed, _), _ = setup
    closed.bodies.clear()
    r = proxy.post("/v1/chat/completions", keys["helpdesk"], {"model": "closed", "messages": STRUCTURED[name]})
    assert 400 <= r.status_code < 500, r.text
    assert "send this request to model 'self_hosted'" in r.text and "Maria" not in r.text
    assert not closed.bodies


@pytest.mark.xfail(
    strict=True, reason="LiteLLM 1.108.7 calls no guardrail for a request without text (docs/routing.md)"
)
def test_an_image_only_request_is_not_sent_to_the_closed_api(setup):
    proxy, keys, _, (closed, _), _ = setup
    closed.bodies.clear()
    messages = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": PNG}}]}]
    proxy.post("/v1/chat/completions", keys["helpdesk"], {"model": "closed", "messages": messages})
    assert not closed.bodies


def test_killing_the_service_refuses_requests_instead_of_forwarding_them(setup):
    proxy, keys, serve, (closed, self_hosted), tmp = setup
    serve.send_signal(signal.SIGKILL)
    serve.wait(10)
    closed.bodies.clear()
    self_hosted.bodies.clear()
    for text in ("What is the capital of France?", PII):
        r = proxy.post("/v1/chat/completions", keys["helpdesk"], chat(text, "helpdesk"))
        assert r.status_code >= 400, r.text
    assert not closed.bodies and not self_hosted.bodies
    assert "Maria" not in (tmp / "serve.log").read_text(errors="replace")
