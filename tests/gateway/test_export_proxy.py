"""`audit route export --target litellm` against the real LiteLLM proxy, over real HTTP.

Two fake OpenAI-compatible upstreams (one standing for a closed API, one for a self-hosted server) record
every request they receive, so each test sees where a request landed or that it landed nowhere.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import run_cli

# Not imported here: this process only speaks HTTP to the proxy, and importing litellm costs seconds.
if importlib.util.find_spec("litellm") is None:
    pytest.skip("litellm is not installed (pip install 'llm-audit[gateway]')", allow_module_level=True)
import httpx  # noqa: E402  (installed with litellm)

pytestmark = pytest.mark.slow

MASTER_KEY = "sk-test-llm-audit"
REFUSED = "llm-audit: request has no workload tag allowed on model group"
STARTUP_SECONDS = 120


class Upstream:
    """An OpenAI-compatible server on 127.0.0.1 answering /chat/completions, recording (path, body) per request."""

    def __init__(self, name: str):
        self.name = name
        self.received: list[tuple[str, str, dict]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # LiteLLM may probe /models; nothing here serves it
                upstream.received.append(("GET", self.path, {}))
                self.send_error(404)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                upstream.received.append(("POST", self.path, body))
                if body.get("stream"):
                    self._stream(body)
                else:
                    self._send(200, "application/json", json.dumps(upstream.completion(body)).encode())

            def _stream(self, body):
                chunk = upstream.completion(body) | {"object": "chat.completion.chunk"}
                chunk["choices"] = [{"index": 0, "delta": {"role": "assistant", "content": upstream.name}}]
                done = chunk | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                events = f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(done)}\n\ndata: [DONE]\n\n"
                self._send(200, "text/event-stream", events.encode())

            def _send(self, status, content_type, payload):
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def completion(self, body: dict) -> dict:
        """A fixed completion naming this upstream, so a client sees where it was answered."""
        message = {"role": "assistant", "content": self.name}
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 1,
            "model": body.get("model", ""),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def saw(self, nonce: str) -> bool:
        """Whether any request this upstream received carried `nonce`."""
        return any(nonce in json.dumps(body) for _, _, body in self.received)

    def models_asked(self, nonce: str) -> list[str]:
        """The `model` of each chat request carrying `nonce`."""
        return [
            body["model"]
            for _, path, body in self.received
            if path.endswith("/chat/completions") and nonce in json.dumps(body)
        ]


class Proxy:
    """The LiteLLM proxy process and its log."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path):
        self.process, self.url, self.log = process, url, log

    def tail(self) -> str:
        """The end of the proxy's stdout and stderr, to show when a test fails."""
        return "\n--- LiteLLM proxy log ---\n" + self.log.read_text(errors="replace")[-6000:]

    def chat(self, model: str, nonce: str, tags: list[str] | None = None, stream: bool = False) -> httpx.Response:
        """POST /v1/chat/completions with a user message holding `nonce`; the whole body read."""
        body: dict = {"model": model, "messages": [{"role": "user", "content": f"hello {nonce}"}], "stream": stream}
        if tags is not None:
            body["metadata"] = {"tags": tags}
        return self.post("/v1/chat/completions", body)

    def post(self, path: str, body: dict) -> httpx.Response:
        """POST with the master key; the whole body read (a stream included)."""
        headers = {"Authorization": f"Bearer {MASTER_KEY}"}
        return httpx.post(self.url + path, json=body, headers=headers, timeout=60)


MANIFEST = """\
workloads:
  - name: alpha
    owner: a@example.org
    endpoints:
      - {{name: primary, provider: openai, model: alpha-model, hosting: closed_api, api_base: "{closed}"}}
  - name: beta
    owner: b@example.org
    endpoints:
      - {{name: primary, provider: openai, model: beta-model, hosting: closed_api, api_base: "{closed}"}}
  - name: clinic
    owner: c@example.org
    domain: healthcare
    hipaa_entity: covered_entity
    endpoints:
      - {{name: primary, provider: openai, model: clinic-closed, hosting: closed_api, api_base: "{closed}",
         agreements: [DPA, ZDR, NO_TRAINING]}}
      - {{name: local, provider: hosted_vllm, model: clinic-local, hosting: self_hosted, api_base: "{hosted}"}}
    data_flows:
      - {{name: notes, source: EHR notes, categories: [user.health_and_medical, user.name], endpoint: primary}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def upstreams():
    """The closed and the self-hosted upstream, serving for the whole module."""
    pair = Upstream("closed-upstream"), Upstream("self-hosted-upstream")
    for u in pair:
        u.thread.start()
    yield pair
    for u in pair:
        u.server.shutdown()
        u.server.server_close()


@pytest.fixture(scope="module")
def exported(upstreams, tmp_path_factory):
    """The config `audit route export` writes for MANIFEST, and the CLI's stderr."""
    closed, hosted = upstreams
    work = tmp_path_factory.mktemp("export")
    manifest = work / "workloads.yaml"
    manifest.write_text(
        MANIFEST.format(closed=f"http://127.0.0.1:{closed.port}/v1", hosted=f"http://127.0.0.1:{hosted.port}/v1")
    )
    out = work / "litellm_config.yaml"
    done = run_cli("route", "export", "--target", "litellm", "--manifest", str(manifest), "-o", str(out), cwd=work)
    assert done.returncode == 0, done.stderr.decode()
    return out, done.stderr.decode()


@pytest.fixture(scope="module")
def proxy(exported, tmp_path_factory):
    """The real LiteLLM proxy on the exported config: no database, no network beyond 127.0.0.1."""
    config, _ = exported
    litellm_bin = shutil.which("litellm", path=str(Path(sys.executable).parent))
    assert litellm_bin, "the litellm console script is missing next to the interpreter"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LITELLM_CONFIG_PATH")}
    env |= {
        "LITELLM_MASTER_KEY": MASTER_KEY,
        "OPENAI_API_KEY": "sk-fake-upstream",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    log = tmp_path_factory.mktemp("proxy") / "litellm.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [litellm_bin, "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    running = Proxy(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_live(running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_live(proxy: Proxy) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            pytest.fail(f"the LiteLLM proxy exited with {proxy.process.returncode}{proxy.tail()}")
        try:
            if httpx.get(proxy.url + "/health/liveliness", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"the LiteLLM proxy was not live after {STARTUP_SECONDS}s{proxy.tail()}")


def _nonce() -> str:
    return uuid.uuid4().hex


def _assert_refused(proxy: Proxy, response: httpx.Response, group: str, upstreams, nonce: str) -> None:
    assert response.status_code == 400, f"{response.status_code} {response.text}{proxy.tail()}"
    error = response.json()["error"]
    assert f"{REFUSED} {group}" in error["message"], error
    assert "No fallback was attempted" in error["message"], error
    assert not any(u.saw(nonce) for u in upstreams), [u.received for u in upstreams]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("group", ["closed", "self_hosted"])
def test_an_untagged_request_is_refused_before_any_upstream(proxy, upstreams, group, stream):
    nonce = _nonce()
    _assert_refused(proxy, proxy.chat(group, nonce, stream=stream), group, upstreams, nonce)


@pytest.mark.parametrize("tags", [["no-such-workload"], ["default"], ["!alpha"], []], ids=str)
def test_a_request_tagged_with_no_known_workload_is_refused(proxy, upstreams, tags):
    nonce = _nonce()
    _assert_refused(proxy, proxy.chat("closed", nonce, tags), "closed", upstreams, nonce)


def test_a_workload_whose_data_requires_self_hosting_never_reaches_the_closed_api(proxy, upstreams, exported):
    closed, hosted = upstreams
    assert "clinic: self-hosted only: declared data requires self_hosted (missing BAA)" in exported[1]
    nonce = _nonce()
    for stream in (False, True):
        _assert_refused(proxy, proxy.chat("closed", nonce, ["clinic"], stream), "closed", upstreams, nonce)
    allowed = proxy.chat("self_hosted", nonce, ["clinic"])
    assert allowed.status_code == 200, allowed.text + proxy.tail()
    assert allowed.json()["choices"][0]["message"]["content"] == "self-hosted-upstream"
    assert allowed.headers["x-litellm-model-id"] == "clinic/self_hosted/local"
    assert hosted.models_asked(nonce) == ["clinic-local"] and not closed.saw(nonce)


def test_workloads_with_an_endpoint_named_alike_get_distinct_deployments(proxy, upstreams):
    closed, hosted = upstreams
    info = httpx.get(proxy.url + "/model/info", headers={"Authorization": f"Bearer {MASTER_KEY}"}, timeout=30)
    assert info.status_code == 200, info.text + proxy.tail()
    ids = sorted(d["model_info"]["id"] for d in info.json()["data"])
    assert ids == [
        "alpha/closed/primary",
        "beta/closed/primary",
        "clinic/self_hosted/local",
        "llm-audit:refusal:closed",
        "llm-audit:refusal:self_hosted",
    ]
    for workload in ("alpha", "beta"):
        nonce = _nonce()
        for stream in (False, True):
            answer = proxy.chat("closed", nonce, [workload], stream)
            assert answer.status_code == 200, answer.text + proxy.tail()
            assert answer.headers["x-litellm-model-id"] == f"{workload}/closed/primary"
            assert "closed-upstream" in answer.text
        assert closed.models_asked(nonce) == [f"{workload}-model"] * 2 and not hosted.saw(nonce)


def test_a_request_carrying_two_workloads_tags_matches_neither(proxy, upstreams):
    """tag_filtering_match_any: false; with LiteLLM's default (true) it would reach either workload's deployment."""
    nonce = _nonce()
    answer = proxy.chat("closed", nonce, ["alpha", "beta"])
    assert answer.status_code == 401, answer.text + proxy.tail()
    assert "Not allowed to access model due to tags configuration" in answer.json()["error"]["message"]
    assert not any(u.saw(nonce) for u in upstreams)


def test_refusals_never_cool_down_the_refusing_deployment(proxy, upstreams):
    """A cooled-down default would leave untagged requests free to use every deployment of the group."""
    nonce = _nonce()
    for _ in range(12):  # past LiteLLM's minimum of 5 requests for a failure-rate cooldown
        _assert_refused(proxy, proxy.chat("closed", nonce), "closed", upstreams, nonce)
    still = proxy.chat("closed", nonce, ["alpha"])
    assert still.status_code == 200 and still.headers["x-litellm-model-id"] == "alpha/closed/primary", still.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/messages", {"max_tokens": 8, "messages": [{"role": "user", "content": "NONCE"}]}),
        ("/v1/responses", {"input": "NONCE"}),
        ("/v1/embeddings", {"input": "NONCE"}),
        ("/v1/completions", {"prompt": "NONCE"}),
    ],
    ids=["messages", "responses", "embeddings", "completions"],
)
def test_other_endpoints_never_reach_an_upstream_untagged(proxy, upstreams, path, body):
    """LiteLLM answers the refusal as a 400 on completions, but as a 200 whose content is the refusal on
    /v1/messages, /v1/responses and /v1/embeddings (docs/routing.md says so); no upstream sees the request."""
    nonce = _nonce()
    answer = proxy.post(path, {"model": "closed", **json.loads(json.dumps(body).replace("NONCE", nonce))})
    assert answer.status_code == (400 if path == "/v1/completions" else 200), answer.text + proxy.tail()
    assert f"{REFUSED} closed" in answer.text
    assert not any(u.saw(nonce) for u in upstreams)


def test_tags_are_whatever_the_client_asserts(proxy, upstreams):
    """What docs/routing.md warns of: a body's top-level tags or an x-litellm-tags header pick a workload."""
    closed, _ = upstreams
    nonce = _nonce()
    message = [{"role": "user", "content": nonce}]
    by_body = proxy.post("/v1/chat/completions", {"model": "closed", "messages": message, "tags": ["beta"]})
    by_header = httpx.post(
        proxy.url + "/v1/chat/completions",
        json={"model": "closed", "messages": message},
        headers={"Authorization": f"Bearer {MASTER_KEY}", "x-litellm-tags": "alpha"},
        timeout=60,
    )
    assert (by_body.status_code, by_header.status_code) == (200, 200), by_body.text + by_header.text
    assert by_body.headers["x-litellm-model-id"] == "beta/closed/primary"
    assert by_header.headers["x-litellm-model-id"] == "alpha/closed/primary"
    assert closed.models_asked(nonce) == ["beta-model", "alpha-model"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/messages/count_tokens", {"messages": [{"role": "user", "content": "NONCE"}]}),
        ("/v1/responses/input_tokens", {"input": "NONCE"}),
        ("/openai/v1/chat/completions", {"messages": [{"role": "user", "content": "NONCE"}]}),
    ],
    ids=["count_tokens", "input_tokens", "pass-through"],
)
@pytest.mark.parametrize("model", ["closed", "alpha/closed/primary", "openai/alpha-model"])
def test_routes_no_guardrail_sees_are_refused_even_for_the_master_key(proxy, upstreams, path, body, model):
    nonce = _nonce()
    answer = proxy.post(path, {"model": model, **json.loads(json.dumps(body).replace("NONCE", nonce))})
    assert answer.status_code == 403, answer.text + proxy.tail()
    assert "not allowed" in answer.text
    assert not any(u.saw(nonce) for u in upstreams)


def test_a_deployment_named_directly_skips_tag_filtering(proxy, upstreams):
    """The limit docs/routing.md and the export's header state: LiteLLM has no setting against it; the guardrail
    refuses such a model (tests/gateway/test_probes_proxy.py)."""
    closed, _ = upstreams
    nonce = _nonce()
    answer = proxy.chat("alpha/closed/primary", nonce)
    assert answer.status_code == 200 and answer.headers["x-litellm-model-id"] == "alpha/closed/primary"
    assert closed.saw(nonce)
