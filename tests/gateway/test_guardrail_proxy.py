"""The real LiteLLM proxy with the exported config and the llm-audit guardrail, set up by the copy-paste
block of docs/routing.md run verbatim, in front of two fake model servers on 127.0.0.1 (one closed API,
one self-hosted). Over real HTTP: PHI never reaches the closed server, redacted requests reach it without
the raw values and the client gets them back (streamed too), credentials are refused, keys decide the
workload, and an error inside the analyzer refuses the request."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("litellm")
httpx = pytest.importorskip("httpx")

from tests.gateway.cases import FIXTURE, PHI, PII, SECRET  # noqa: E402
from tests.gateway.upstream import Upstream, free_port  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the installed entry points beside this interpreter, wherever its venv is
MARK = "tests/gateway/test_guardrail_proxy.py runs this block verbatim"
STARTUP_SECONDS = 120


def setup_block() -> str:
    """The shell block of docs/routing.md marked as run by this test."""
    doc = (REPO / "docs" / "routing.md").read_text(encoding="utf-8")
    match = re.search(re.escape(MARK) + r" -->\n```bash\n(.*?)```", doc, re.S)
    assert match, "docs/routing.md lost its gateway setup block"
    return match.group(1)


class Proxy:
    def __init__(self, workdir: Path, block: str, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "proxy.log"
        script = block.replace("--port 4000", f"--port {self.port}")
        assert script != block, "the setup block must start the proxy with --port 4000"
        self.proc = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=workdir,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the proxy exited:\n{self.output()}"
            try:
                if httpx.get(f"{self.url}/health/liveliness", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        pytest.fail(f"the proxy did not start in {STARTUP_SECONDS} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        """SIGTERM to the shell and the proxy; wait until every process of the group is gone (the proxy
        flushes its decision counts as it exits, after the shell)."""
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.proc.poll()
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.killpg(self.proc.pid, signal.SIGKILL)

    def post(self, path: str, key: str, body: dict) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.post(f"{self.url}{path}", json=body, headers=headers, timeout=60)

    def stream(self, path: str, key: str, body: dict) -> list[dict]:
        """The JSON events of a streamed answer."""
        events = []
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.stream("POST", f"{self.url}{path}", json=body, headers=headers, timeout=60) as r:
            assert r.status_code == 200, r.read()
            for line in r.iter_lines():
                if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
                    events.append(json.loads(line[5:]))
        return events


def workspace(tmp: Path, closed: Upstream, self_hosted: Upstream) -> dict:
    manifest = FIXTURE.read_text().replace("CLOSED_PORT", str(closed.port)).replace("SELF_PORT", str(self_hosted.port))
    (tmp / "workloads.yaml").write_text(manifest)
    (tmp / "home").mkdir()
    env = {**os.environ, "AUDIT_HOME": str(tmp / "home"), "OPENAI_API_KEY": "sk-upstream-test"}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    env.pop("AUDIT_DB", None)
    return env


@pytest.fixture(scope="module")
def upstreams():
    closed, self_hosted = Upstream("closed").start(), Upstream("self_hosted").start()
    yield closed, self_hosted
    closed.stop()
    self_hosted.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, upstreams):
    tmp = tmp_path_factory.mktemp("gateway")
    env = workspace(tmp, *upstreams)
    proxy = Proxy(tmp, setup_block(), env)
    proxy.keys = {w: (tmp / f"{w}.key").read_text().strip() for w in ("intake", "helpdesk")}
    proxy.tmp = tmp
    yield proxy
    proxy.stop()


@pytest.fixture(autouse=True)
def _clear(upstreams):
    for u in upstreams:
        u.bodies.clear()


def chat(text: str, **extra) -> dict:
    return {"model": "closed", "messages": [{"role": "user", "content": text}], **extra}


def test_the_keys_file_holds_hashes_never_keys(gateway):
    stored = (gateway.tmp / "keys.yaml").read_text()
    assert all(key not in stored for key in gateway.keys.values())
    assert oct((gateway.tmp / "keys.yaml").stat().st_mode & 0o777) == "0o600"


def test_phi_for_a_workload_without_a_baa_goes_to_the_self_hosted_model(gateway, upstreams):
    closed, self_hosted = upstreams
    r = gateway.post("/v1/chat/completions", gateway.keys["intake"], chat(PHI))
    assert r.status_code == 200, r.text
    assert not closed.saw("00482913") and not closed.bodies
    assert self_hosted.saw("00482913")
    assert r.json()["choices"][0]["message"]["content"] == f"You said: {PHI}"


def test_a_redacted_request_reaches_the_closed_api_without_the_values_and_the_answer_gets_them_back(gateway, upstreams):
    closed, self_hosted = upstreams
    r = gateway.post("/v1/chat/completions", gateway.keys["helpdesk"], chat(PII))
    assert r.status_code == 200, r.text
    assert len(closed.bodies) == 1 and not self_hosted.bodies
    sent = closed.bodies[0]["messages"][0]["content"]
    assert "Maria Garcia" not in sent and "617-555-0199" not in sent
    assert "<PERSON_1>" in sent and "<PHONE_NUMBER_1>" in sent
    assert r.json()["choices"][0]["message"]["content"] == f"You said: {PII}"


def test_a_streamed_answer_is_restored_even_where_chunks_split_a_placeholder(gateway, upstreams):
    closed, _ = upstreams
    events = gateway.stream("/v1/chat/completions", gateway.keys["helpdesk"], chat(PII, stream=True))
    text = "".join((e["choices"][0]["delta"].get("content") or "") for e in events if e.get("choices"))
    assert text == f"You said: {PII}"
    assert closed.bodies[0]["stream"] is True and not closed.saw("Maria Garcia")


def test_responses_api_is_redacted_and_restored_whole_and_streamed(gateway, upstreams):
    closed, _ = upstreams
    r = gateway.post("/v1/responses", gateway.keys["helpdesk"], {"model": "closed", "input": PII})
    assert r.status_code == 200, r.text
    assert r.json()["output"][0]["content"][0]["text"] == f"You said: {PII}"
    events = gateway.stream(
        "/v1/responses", gateway.keys["helpdesk"], {"model": "closed", "input": PII, "stream": True}
    )
    deltas = "".join(e["delta"] for e in events if e.get("type") == "response.output_text.delta")
    assert deltas == f"You said: {PII}"
    assert not closed.saw("Maria Garcia") and not closed.saw("617-555-0199")
    assert len(closed.bodies) == 2


def test_anthropic_messages_are_redacted_and_restored_whole_and_streamed(gateway, upstreams):
    closed, _ = upstreams
    body = {"model": "closed", "max_tokens": 100, "messages": [{"role": "user", "content": PII}]}
    r = gateway.post("/v1/messages", gateway.keys["helpdesk"], body)
    assert r.status_code == 200, r.text
    assert r.json()["content"][0]["text"] == f"You said: {PII}"
    events = gateway.stream("/v1/messages", gateway.keys["helpdesk"], {**body, "stream": True})
    deltas = "".join(e["delta"].get("text", "") for e in events if e.get("type") == "content_block_delta")
    assert deltas == f"You said: {PII}"
    assert not closed.saw("Maria Garcia") and len(closed.bodies) == 2


def test_phi_on_the_responses_and_messages_apis_also_stays_self_hosted(gateway, upstreams):
    closed, self_hosted = upstreams
    assert gateway.post("/v1/responses", gateway.keys["intake"], {"model": "closed", "input": PHI}).status_code == 200
    body = {"model": "closed", "max_tokens": 100, "messages": [{"role": "user", "content": PHI}]}
    assert gateway.post("/v1/messages", gateway.keys["intake"], body).status_code == 200
    assert not closed.bodies and len(self_hosted.bodies) == 2


def test_credentials_are_refused_naming_the_rule_and_regulation_but_no_value(gateway, upstreams):
    r = gateway.post("/v1/chat/completions", gateway.keys["helpdesk"], chat(SECRET))
    assert r.status_code == 403
    message = r.json()["error"]["message"]
    assert "credential-strip" in message and "CCPA" in message
    assert "hunter2" not in r.text and "AKIAIOSFODNN7EXAMPLE" not in r.text
    assert not any(u.bodies for u in upstreams)


def test_client_asserted_tags_do_not_change_the_workload(gateway, upstreams):
    closed, self_hosted = upstreams
    asserted = {"tags": ["helpdesk"], "metadata": {"tags": ["helpdesk"], "llm_audit_workload": "helpdesk"}}
    r = gateway.post("/v1/chat/completions", gateway.keys["intake"], chat(PHI, **asserted))
    assert r.status_code == 200, r.text
    assert not closed.bodies and self_hosted.saw("00482913")
    assert r.headers["x-litellm-model-id"] == "intake/self_hosted/local"
    clean = chat("What is the capital of France?", **asserted)
    headers = {"Authorization": f"Bearer {gateway.keys['intake']}", "x-litellm-tags": "helpdesk"}
    r = httpx.post(f"{gateway.url}/v1/chat/completions", json=clean, headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["x-litellm-model-id"] == "intake/closed/primary"  # the key's workload, not the asserted one


def test_an_unknown_key_or_a_key_bound_to_no_registered_workload_is_refused(gateway, upstreams):
    assert gateway.post("/v1/chat/completions", "sk-not-a-key", chat("hello")).status_code == 401
    assert gateway.post("/v1/chat/completions", "", chat("hello")).status_code == 401
    elsewhere = gateway.tmp / "elsewhere"  # no ./workloads.yaml, no ./llm-audit.db
    elsewhere.mkdir(exist_ok=True)

    def key(*extra, cwd=gateway.tmp):
        return subprocess.run(
            [str(BIN / "audit"), "gateway", "key", "ghost", "--keys", str(gateway.tmp / "keys.yaml"), *extra],
            cwd=cwd,
            env={**os.environ, "AUDIT_HOME": str(gateway.tmp / "home")},
            capture_output=True,
            text=True,
        )

    refused = key()  # the registry names no such workload: a typo never makes a key
    assert refused.returncode == 2 and "no workload named 'ghost'" in refused.stderr
    ghost = key("--no-registry", cwd=elsewhere)  # made with nothing to check against; the guardrail does check
    assert ghost.returncode == 0, ghost.stderr
    r = gateway.post("/v1/chat/completions", ghost.stdout.strip(), chat("hello"))
    assert r.status_code == 403 and "not in the registry" in r.json()["error"]["message"]
    assert not any(u.bodies for u in upstreams)


def test_an_unknown_model_group_is_refused(gateway, upstreams):
    r = gateway.post("/v1/chat/completions", gateway.keys["helpdesk"], {**chat("hello"), "model": "gpt-4o"})
    assert r.status_code == 400
    assert not any(u.bodies for u in upstreams)


def test_a_clean_request_passes_to_the_group_asked_for(gateway, upstreams):
    closed, self_hosted = upstreams
    r = gateway.post("/v1/chat/completions", gateway.keys["helpdesk"], chat("What is the capital of France?"))
    assert r.status_code == 200
    assert len(closed.bodies) == 1 and not self_hosted.bodies


FAULTY = '''
from audit.gateway.litellm_guardrail import AuditGuardrail


class FaultyGuardrail(AuditGuardrail):
    """The real guardrail whose analyzer raises on every request after start-up."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

        def broken(*args, **kw):
            raise RuntimeError("analyzer down")

        self.enforcer.router.route = broken
'''


def test_an_error_inside_the_analyzer_refuses_the_request(tmp_path, upstreams):
    env = workspace(tmp_path, *upstreams)
    (tmp_path / "faulty.py").write_text(FAULTY)
    block = setup_block().replace(
        "-o litellm_config.yaml\n",
        "-o litellm_config.yaml\nsed -i 's/audit.gateway.litellm_guardrail.AuditGuardrail/faulty.FaultyGuardrail/' "
        "litellm_config.yaml\n",
    )
    proxy = Proxy(tmp_path, block, env)
    try:
        key = (tmp_path / "helpdesk.key").read_text().strip()
        for body in (chat("What is the capital of France?"), chat(PII), chat(PII, stream=True)):
            r = proxy.post("/v1/chat/completions", key, body)
            assert r.status_code == 503, r.text
            assert "the guardrail failed" in r.json()["error"]["message"]
        assert not any(u.bodies for u in upstreams)
        assert "RuntimeError" in proxy.output() and "Maria" not in proxy.output()
    finally:
        proxy.stop()


def test_after_shutdown_the_registry_holds_the_gateway_decisions_and_no_text(gateway):
    """Runs after the other tests of the shared proxy: it stops it, which flushes the counts."""
    gateway.post("/v1/chat/completions", gateway.keys["intake"], chat(PHI))
    gateway.stop()
    assert gateway.proc.returncode is not None
    report = subprocess.run(
        [str(BIN / "audit"), "report", "--format", "json"],
        cwd=gateway.tmp,
        env={**os.environ, "AUDIT_HOME": str(gateway.tmp / "home")},
        capture_output=True,
        text=True,
    )
    assert report.returncode == 0, report.stderr
    section = json.loads(report.stdout)["gateway"]
    assert section["recorded"] is True and section["sources"] == ["guardrail"]
    rows = {w["workload"]: w for w in section["workloads"]}
    assert rows["intake"]["by_target"].get("self_hosted", 0) >= 3
    assert rows["helpdesk"]["by_target"].get("redact_then_closed", 0) >= 5
    assert rows["helpdesk"]["refusals"].get("blocked") == 1
    raw = (gateway.tmp / "llm-audit.db").read_bytes()
    for value in (b"00482913", b"Maria Garcia", b"617-555-0199", b"hunter2", b"AKIAIOSFODNN7EXAMPLE"):
        assert value not in raw
