"""`audit serve` under attack, over real sockets on 127.0.0.1: slow and half-open clients, huge requests,
unauthenticated restoration, timing and refusal counts. Every wait is a bounded loop."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import pytest

from tests.gateway.cases import FIXTURE, PHI, PII
from tests.test_serve import TOKEN, _call, _free_port, _healthy, _start, _stop

pytestmark = pytest.mark.slow
READ_TIMEOUT, BUDGET, PER_CLIENT = 2, 2, 12
KEY = {"x-api-key": TOKEN, "Content-Type": "application/json"}  # what LiteLLM's `api_key` sends
GENERIC = "/beta/litellm_basic_guardrail_api"


def _manifest(tmp) -> str:
    path = tmp / "workloads.yaml"
    path.write_text(FIXTURE.read_text().replace("CLOSED_PORT", "9").replace("SELF_PORT", "9"))
    return str(path)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    limits = ["--read-timeout", str(READ_TIMEOUT), "--time-budget", str(BUDGET), "--max-per-client", str(PER_CLIENT)]
    sizes = ["--max-chars", "5000000", "--max-body", "3000000", "--max-concurrent", "2"]
    proc, port = _start(tmp, *limits, *sizes, "--manifest", _manifest(tmp))
    yield port
    if proc.poll() is None:
        _stop(proc)


def _start_without_token(tmp, *args: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "AUDIT_HOME": str(tmp / "home")}
    cmd = [sys.executable, "-m", "audit", "serve", "--port", str(port), "--flush-seconds", "3600", *args]
    proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return _healthy(proc, port)


def _route(port, text, workload="intake", headers=KEY):
    return _call(port, "POST", "/v1/route", json.dumps({"messages": [text], "workload": workload}).encode(), headers)


def _generic(port, texts, input_type="request", call_id="call-1", key_hash="h1", headers=KEY, workload="helpdesk"):
    meta = {"user_api_key_alias": workload, "user_api_key_hash": key_hash}
    body = {"input_type": input_type, "texts": texts, "model": "closed", "litellm_call_id": call_id}
    return _call(port, "POST", GENERIC, json.dumps({**body, "request_data": meta}).encode(), headers)


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bytes, float]:
    """What the server sent before closing the connection, and when it closed (inf: still open)."""
    started, got = time.monotonic(), b""
    sock.settimeout(0.2)
    while time.monotonic() - started < seconds:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            return got, time.monotonic() - started
        if not chunk:
            return got, time.monotonic() - started
        got += chunk
    return got, float("inf")


def _slow_body(port: int, out: list) -> None:
    """Headers at once, then a body declared 200 bytes long, one byte every half second."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = f"POST /v1/route HTTP/1.1\r\nHost: x\r\nx-api-key: {TOKEN}\r\nContent-Length: 200\r\n\r\n"
    sock.sendall(head.encode())
    started = time.monotonic()
    try:
        for _ in range(40):  # 20 s at most
            sock.sendall(b"{")
            time.sleep(0.5)
    except OSError:
        pass
    out.append((_closed_within(sock, 5)[0], time.monotonic() - started))
    sock.close()


def test_slow_body_clients_are_cut_off_and_do_not_starve_a_normal_client(server):
    slow: list = []
    threads = [threading.Thread(target=_slow_body, args=(server, slow)) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # the slow clients hold their connections now
    statuses, deadline = [], time.monotonic() + READ_TIMEOUT + 1
    while time.monotonic() < deadline:
        statuses.append(_route(server, "What is the capital of France?")[0])
        time.sleep(0.2)
    for t in threads:
        t.join(30)
    assert statuses and set(statuses) == {200}, statuses  # never a 429 while the slow clients dribble
    assert len(slow) == 4
    for got, seconds in slow:
        assert seconds < READ_TIMEOUT + 3 and (got == b"" or b" 408 " in got)


def test_half_open_connections_are_timed_out(server):
    idle = [socket.create_connection(("127.0.0.1", server)) for _ in range(6)]
    partial = [socket.create_connection(("127.0.0.1", server)) for _ in range(4)]
    for sock in partial:
        sock.sendall(b"POST /v1/route HTTP/1.1\r\nHost: x\r\nContent-Le")
    closed = [_closed_within(sock, READ_TIMEOUT + 5) for sock in idle + partial]
    for sock in idle + partial:
        sock.close()
    assert all(seconds < READ_TIMEOUT + 3 for _, seconds in closed), [s for _, s in closed]
    assert all(b" 408 " in got for got, _ in closed)
    assert _route(server, "hello")[0] == 200


def test_one_address_cannot_hold_more_than_its_connections(server):
    other = ("127.0.0.2", 0)  # another loopback address: another client
    held = [socket.create_connection(("127.0.0.1", server), source_address=other) for _ in range(PER_CLIENT)]
    try:
        extra = socket.create_connection(("127.0.0.1", server), source_address=other)
        got, seconds = _closed_within(extra, 3)
        extra.close()
        assert seconds < 2 and b" 429 " in got
        assert _route(server, "hello")[0] == 200  # 127.0.0.1 is served while 127.0.0.2 is at its cap
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while _route(server, "hello")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)  # the server notices the closed sockets at once, but give it a moment
    assert _route(server, "hello")[0] == 200


def test_a_huge_request_is_refused_within_its_time_budget(server):
    huge = " ".join(f"Patient Jo {i} has asthma, MRN {10000000 + i}." for i in range(4000))  # about 170k chars
    started = time.monotonic()
    status, d = _route(server, huge)
    took = time.monotonic() - started
    assert status == 503 and "time budget" in d["error"] and took < BUDGET + 1.5
    started = time.monotonic()
    answer = _generic(server, [huge])
    assert answer[0] == 200 and answer[1]["action"] == "BLOCKED" and "time budget" in answer[1]["blocked_reason"]
    assert time.monotonic() - started < BUDGET + 1.5  # BLOCKED, not a 503 that `fail_open` would let through
    assert _route(server, "hello")[0] == 200  # refused before its scan started: the engine is free


class _SlowGuardrail:
    def answer(self, payload, caller):
        time.sleep(1.5)
        return {"action": "NONE"}, None


def _engine():
    from types import SimpleNamespace

    from audit.serve import Engine

    return Engine(SimpleNamespace(context=SimpleNamespace(memo=None)), _SlowGuardrail(), budget=BUDGET)


def test_a_request_that_would_overrun_or_waits_past_its_deadline_is_refused_not_queued():
    from audit.serve_http import Expired

    engine = _engine()
    engine.seconds_per_char = 1e-3  # 5,000 characters: 5 s at this speed
    started = time.monotonic()
    with pytest.raises(Expired):
        engine.guardrail({"input_type": "request", "texts": ["x" * 5000]}, "", time.monotonic() + BUDGET)
    assert time.monotonic() - started < 0.5
    busy = threading.Thread(target=engine.guardrail, args=({"input_type": "response"}, "", None))
    busy.start()
    time.sleep(0.2)
    started = time.monotonic()
    with pytest.raises(Expired):
        engine.guardrail({"input_type": "request", "texts": ["hi"]}, "", time.monotonic() + 0.5)
    assert 0.4 < time.monotonic() - started < 1.2
    busy.join(5)


def test_restoration_needs_the_token_and_the_key_of_the_redacted_call(server):
    status, d = _generic(server, [PII], call_id="call-r")
    assert status == 200 and d["action"] == "GUARDRAIL_INTERVENED" and "Maria" not in json.dumps(d)
    answer = ["Dear <PERSON_1>, we will call <PHONE_NUMBER_1>."]
    no_token = _generic(server, answer, "response", "call-r", headers={"Content-Type": "application/json"})
    wrong = _generic(server, answer, "response", "call-r", headers={"x-api-key": "guess"})
    wrong_bearer = _generic(server, answer, "response", "call-r", headers={"Authorization": "Bearer guess"})
    assert no_token[0] == wrong[0] == wrong_bearer[0] == 401
    other_key = _generic(server, answer, "response", "call-r", key_hash="h2")
    assert other_key == (200, {"action": "NONE"})
    bearer = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    status, back = _generic(server, answer, "response", "call-r", headers=bearer)
    assert status == 200 and back["texts"] == ["Dear Maria Garcia, we will call 617-555-0199."]


def test_answers_do_not_tell_whether_a_text_was_seen_before(server):
    def timed(text):
        started = time.perf_counter()
        status, d = _route(server, text, workload="helpdesk")
        assert status == 200 and "elapsed_ms" not in d
        return time.perf_counter() - started

    repeated = "Hi, I am Maria Garcia, call me at 617-555-0199 about my order. " * 4
    timed(repeated)
    fresh, again = [], []
    for i in range(8):
        fresh.append(timed(repeated.replace("order", f"order {i:04d}")))
        again.append(timed(repeated))
    # Before: a repeated text came back from the span memo in 0.7 ms against 10-15 ms for a new one.
    assert statistics.median(again) > 0.5 * statistics.median(fresh), (again, fresh)


def test_a_non_loopback_host_without_a_token_refuses_to_start(tmp_path):
    for host in ("0.0.0.0", "::", "192.0.2.10"):
        r = subprocess.run(
            [sys.executable, "-m", "audit", "serve", "--host", host, "--port", str(_free_port())],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "--token-env" in r.stderr


def test_without_a_token_nothing_is_restored_and_blocked_requests_are_counted_as_refused(tmp_path):
    from audit.store.enforcement import read_gateway
    from audit.store.registry import Registry

    db = tmp_path / "registry.db"
    Registry.open(f"sqlite:///{db}").close()  # serve records into a registry, never creates one (issue 25)
    proc, port = _start_without_token(tmp_path, "--manifest", _manifest(tmp_path), "--db", str(db))
    try:
        plain = {"Content-Type": "application/json"}
        assert _generic(port, [PII], call_id="c9", headers=plain)[1]["action"] == "GUARDRAIL_INTERVENED"
        assert _generic(port, ["<PERSON_1>"], "response", "c9", headers=plain) == (200, {"action": "NONE"})
        blocked = _generic(port, [PHI], call_id="c10", headers=plain, workload="intake")[1]
        assert blocked["action"] == "BLOCKED" and "self_hosted" in blocked["blocked_reason"]
    finally:
        err = _stop(proc)
    assert proc.returncode == 0 and "not restored" in err
    registry = Registry.open(f"sqlite:///{db}", create=False, home=tmp_path / "home")
    try:
        counts = {(c.workload, c.target, c.refusal, c.rule): c.count for c in read_gateway(registry).counts}
    finally:
        registry.close()
    assert counts[("intake", None, "must-self-host", None)] == 1
    assert not any(w == "intake" and target == "self_hosted" for (w, target, _, _) in counts)
