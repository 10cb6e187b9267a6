"""`audit serve` over real HTTP: a subprocess server, stdlib clients, concurrency, limits and shutdown."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import REPO, SAMPLES

TOKEN = "t0ken-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
PHI = "Patient John Smith, MRN 00482913, was admitted with pneumonia."
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp_path, *extra: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "AUDIT_HOME": str(tmp_path / "home"), "SERVE_TOKEN": TOKEN}
    args = ["serve", "--port", str(port), "--token-env", "SERVE_TOKEN", "--manifest", str(SAMPLES / "workloads.yaml")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "audit", *args, *extra],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return _healthy(proc, port)


def _healthy(proc: subprocess.Popen, port: int) -> tuple[subprocess.Popen, int]:
    """`proc` and `port` once `/healthz` answers 200 (within two minutes), else the server's error."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if _call(port, "GET", "/healthz", headers={})[0] == 200:
                return proc, port
        except OSError:
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not become healthy")


def _call(port: int, method: str, path: str, body: bytes | None = None, headers=AUTH, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def _route(port: int, messages, workload: str | None = "patient-intake", headers=AUTH):
    body = json.dumps({"messages": messages, "workload": workload}).encode()
    return _call(port, "POST", "/v1/route", body, headers)


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    return err


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, port = _start(tmp_path_factory.mktemp("serve"), "--max-concurrent", "2", "--max-body", "20000")
    yield proc, port
    if proc.poll() is None:
        _stop(proc)


def test_phi_is_routed_self_hosted_with_masked_messages(server):
    status, d = _route(server[1], [{"role": "user", "content": PHI}])
    assert status == 200 and d["target"] == "self_hosted" and d["workload"] == "patient-intake"
    assert any(r.startswith("hipaa/") for r in d["rules"]) and "MEDICAL_RECORD_NUMBER" in d["entities"]
    text = json.dumps(d)
    assert "John Smith" not in text and "00482913" not in text
    assert d["redacted_messages"][0]["content"].startswith("Patient <PERSON_1>, MRN <MEDICAL_RECORD_NUMBER_1>")


def test_the_docs_example_body_routes_as_documented(server):
    """docs/routing.md's curl body, posted verbatim."""
    doc = (REPO / "docs" / "routing.md").read_text()
    body = re.search(r"## audit serve.*?-d '(\{.*?\})'", doc, re.S).group(1)
    status, d = _call(server[1], "POST", "/v1/route", body.encode())
    assert status == 200 and d["target"] == "self_hosted" and "John Smith" not in json.dumps(d)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}])
def test_a_missing_or_wrong_token_gets_401(server, headers):
    status, d = _route(server[1], [PHI], headers=headers)
    assert status == 401 and "John" not in json.dumps(d)


def test_an_oversized_body_gets_413_declared_or_streamed(server):
    big = json.dumps({"messages": ["x" * 30_000]}).encode()
    assert _call(server[1], "POST", "/v1/route", big)[0] == 413
    conn = http.client.HTTPConnection("127.0.0.1", server[1], timeout=60)  # chunked: no Content-Length to trust
    conn.request("POST", "/v1/route", body=iter([big[:10_000], big[10_000:]]), headers=AUTH, encode_chunked=True)
    assert conn.getresponse().status == 413
    conn.close()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"messages": []}',
        b'{"messages": "John Smith"}',
        b'{"messages": [{"content": 3}]}',
        b'{"messages": ["hi"], "workload": "John Smith MRN 00482913"}',
    ],
)
def test_a_malformed_body_gets_400_naming_no_input(server, body):
    status, d = _call(server[1], "POST", "/v1/route", body)
    assert status == 400 and set(d) == {"error"} and "John" not in d["error"] and "\n" not in d["error"]


def test_concurrent_clients_get_200_or_an_immediate_429(server):
    """12 clients at once against 2 slots: some are refused, none waits in a queue, every 200 is right."""
    results: list[tuple[int, dict, int]] = []

    def client(i: int, barrier: threading.Barrier) -> None:
        text = f"Patient Anna Berg {i}, MRN 0048{i:04d}, has diabetes. " + "Notes follow. " * 200
        barrier.wait()
        status, d = _route(server[1], [text])
        results.append((status, d, i))

    for _ in range(5):  # a round where no two requests overlap is possible, if unlikely
        barrier = threading.Barrier(12)
        threads = [threading.Thread(target=client, args=(i, barrier)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        if any(s == 429 for s, _, _ in results):
            break
    statuses = {s for s, _, _ in results}
    assert statuses <= {200, 429} and 429 in statuses and 200 in statuses
    for status, d, i in results:
        if status == 200:
            assert d["target"] == "self_hosted" and f"0048{i:04d}" not in json.dumps(d)


def test_the_access_log_holds_no_message_text(tmp_path):
    proc, port = _start(tmp_path)
    assert _route(port, [PHI])[0] == 200
    assert _call(port, "POST", "/v1/route", b'{"messages": ["John Smith 00482913"')[0] == 400
    err = _stop(proc)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert {"method": "POST", "path": "/v1/route", "status": 200, "workload": "patient-intake"}.items() <= lines[
        -2
    ].items()
    assert lines[-2]["tier"] == "self_hosted" and lines[-1]["status"] == 400
    assert "John" not in err and "00482913" not in err and "pneumonia" not in err


def test_sigterm_lets_the_in_flight_request_finish_then_exits_0(tmp_path):
    proc, port = _start(tmp_path, "--time-budget", "120")  # a long request, on a machine that may be busy
    done: list[tuple[int, dict]] = []
    long_text = " ".join(f"Patient Jo {i} has asthma, MRN {10000000 + i}." for i in range(2000))
    worker = threading.Thread(target=lambda: done.append((*_route(port, [long_text]), time.monotonic())))
    worker.start()
    time.sleep(0.5)  # the request is being scanned
    assert proc.poll() is None
    signalled = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    worker.join(60)
    proc.communicate(timeout=15)
    assert done and done[0][0] == 200 and done[0][1]["target"] == "self_hosted"
    assert done[0][2] > signalled  # it was still in flight when the signal came
    assert time.monotonic() - signalled < 15
    assert proc.returncode == 0


def test_decisions_are_counted_into_the_registry_without_any_prompt_text(tmp_path):
    """Routed, malformed and unauthorised requests are counted; SIGTERM flushes them; no prompt text in the file."""
    from audit.store.enforcement import read_gateway
    from audit.store.registry import Registry

    db = tmp_path / "registry.db"
    Registry.open(f"sqlite:///{db}").close()  # serve records into a registry, never creates one (issue 25)
    proc, port = _start(tmp_path, "--db", str(db), "--flush-seconds", "3600")
    assert _route(port, [PHI])[0] == 200 and _route(port, [PHI])[0] == 200
    assert _call(port, "POST", "/v1/route", b'{"messages": ["John Smith 00482913"')[0] == 400
    assert _route(port, [PHI], headers={})[0] == 401
    err = _stop(proc)
    assert proc.returncode == 0, err
    registry = Registry.open(f"sqlite:///{db}", create=False, home=tmp_path / "home")
    try:
        record, verified = read_gateway(registry), registry.verify()
    finally:
        registry.close()
    assert verified.ok, verified.problem
    counts = {(c.workload, c.target, c.refusal, c.rule): c.count for c in record.counts}
    assert counts[("patient-intake", "self_hosted", None, None)] == 2
    assert counts[(None, None, "bad-request", None)] == 1 and counts[(None, None, "unauthorised", None)] == 1
    assert any(rule and rule.startswith("hipaa/") and n == 2 for (_, _, _, rule), n in counts.items())
    assert record.sources == ["serve"]
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("registry.db*"))
    for value in (b"John Smith", b"00482913", b"pneumonia", b"Patient"):
        assert value not in raw
