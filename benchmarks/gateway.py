#!/usr/bin/env python3
"""Gateway latency and throughput: the real LiteLLM proxy with and without the llm-audit guardrail, and `audit serve`.

    .venv/bin/python benchmarks/gateway.py                        # 300 requests per proxy, about 3 minutes
    .venv/bin/python benchmarks/gateway.py --requests 600 --seconds 15
    .venv/bin/python benchmarks/gateway.py --skip-serve --json    # latency only, machine-readable
    .venv/bin/python benchmarks/gateway.py --in-process --requests 90 --warmup 20  # verdicts only, no servers

What runs, all in one run, on 127.0.0.1:
- upstream: a fake OpenAI-compatible server (its own process) that answers at once, echoing the last user
  text (so a redacted prompt comes back with placeholders for the guardrail to restore). It counts the
  requests it gets per model and how many carried placeholders, to check the verdicts afterwards.
- two LiteLLM proxies (`litellm --config ...`, one process each) on the config `audit route export` writes
  for tests/gateway/fixtures/gateway-workloads.yaml (workloads `intake`, healthcare, and `helpdesk`,
  retail), both in front of that upstream:
  - with the guardrail: the same config plus `add_guardrail(..., keys_auth=True)` (docs/routing.md,
    "Enforce at the gateway"), called with keys from `audit gateway key`, always asking for `closed`;
  - without it: called with the master key, `metadata.tags: [workload]` and the group the guardrail
    would have picked (`self_hosted` for PHI), so both proxies make the same upstream call.
- `audit serve --max-concurrent N` (the router over HTTP) for throughput, POST /v1/route.

Latency: each 1,000-character prompt goes to both proxies back to back, in alternating order, over one
persistent connection per proxy, after `--warmup` unmeasured rounds, so machine load falls on both alike.
The guardrail's cost is the difference of the two distributions (medians, p99s), the guarded one also
paying the keys-file check (`custom_auth`) that comes with it. Prompts are synthetic, fictitious and
deterministic, a third of each kind: clean (helpdesk: passed to `closed`), PII (helpdesk: names, phones,
emails, addresses redacted before `closed`, restored in the answer) and PHI (intake: rerouted to
`self_hosted`). Every prompt is distinct, so the router's span memo never answers for it.

Throughput: 1, 4 and 16 concurrent clients (asyncio, one httpx connection pool) each send requests back
to back for `--seconds` after one second of unmeasured warm-up; requests/s counts 200s only, 429s
(`--max-concurrent` exceeded) apart. The clients share the machine with the servers.

Targets (issue 18, 2-core machine): the guardrail adds at most 25 ms at the median, 60 ms at p99.

The audit code runs from a snapshot copy of `audit/` taken at start (`--live` runs the working tree), so
edits others make during the run cannot change the code between the two proxies or the phases.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from snapshot import provenance, snapshot_env  # benchmarks/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "tests" / "gateway" / "fixtures" / "gateway-workloads.yaml"
BIN = Path(sys.executable).parent
MASTER_KEY = "sk-llm-audit-bench"
STARTUP_SECONDS = 180
TARGET_P50, TARGET_P99 = 25.0, 60.0  # ms the guardrail may add (2-core machine)
KINDS = ("clean", "pii", "phi")
WORKLOAD = {"clean": "helpdesk", "pii": "helpdesk", "phi": "intake"}
GROUP = {"clean": "closed", "pii": "closed", "phi": "self_hosted"}  # where the guardrail sends each kind
PROMPT_CHARS = 1000

UPSTREAM = r"""
import re, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")
stats = {}

async def chat(request):
    body = await request.json()
    content = body["messages"][-1].get("content") or ""
    if isinstance(content, list):
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    model = body.get("model", "")
    seen = stats.setdefault(model, {"requests": 0, "with_placeholders": 0})
    seen["requests"] += 1
    seen["with_placeholders"] += bool(PLACEHOLDER.search(content))
    message = {"role": "assistant", "content": "You said: " + content}
    return JSONResponse({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 250, "completion_tokens": 250, "total_tokens": 500},
    })

async def counts(request):
    return JSONResponse(stats)

routes = [Route(p, chat, methods=["POST"]) for p in ("/v1/chat/completions", "/chat/completions")]
app = Starlette(routes=[*routes, Route("/stats", counts)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""

# Fictitious people, places and texts for the prompts.
FIRST = "Maria James Aisha Wei Olga Tomasz Priya Daniel Fatima Lucas Grace Omar Elena Kenji Sofia Brian".split()
LAST = "Alvarez Okafor Lindqvist Chen Novak Brennan Haddad Kowalski Moreau Patel Schmidt Tanaka Rossi Walsh".split()
STREETS = ["Maple Avenue", "Harbor Road", "Elm Street", "Cedar Lane", "Willow Court", "Station Road", "Oak Drive"]
CITIES = ["Springfield, IL 62704", "Portland, OR 97205", "Madison, WI 53703", "Austin, TX 78701", "Albany, NY 12207"]
CONDITIONS = [
    "type 2 diabetes with rising HbA1c",
    "persistent asthma after a recent exacerbation",
    "hypertension not controlled on lisinopril",
    "major depressive disorder, moderate, on sertraline",
    "chronic kidney disease stage 3a",
    "community-acquired pneumonia, now improving",
]
MEDS = ["metformin 1000 mg twice daily", "albuterol inhaler as needed", "lisinopril 20 mg daily", "sertraline 100 mg"]
CLEAN_HEADS = [
    "Please rewrite the returns policy below so it reads clearly for customers who are in a hurry. Items can be "
    "returned within thirty days if they are unused and in their original packaging; refunds go back to the "
    "original payment method within five working days. ",
    "Summarise the release notes that follow for the support team in five short bullet points. The new version "
    "of the store app makes search faster, fixes the bug where the basket emptied itself after a login, and "
    "adds a dark theme that follows the system setting. ",
    "Draft a friendly reply to a customer who asks why delivery to rural areas takes longer than to cities. "
    "Explain that parcels travel through a regional sorting centre first, and suggest the express option. ",
    "Write a help-centre article that explains how gift cards work: they never expire, they can be combined "
    "with discount codes, and the balance can be checked on the account page at any time. ",
]
CLEAN_FILLER = [
    "Keep the tone warm and plain, and avoid jargon that a first-time shopper would not know.",
    "Use short sentences and put the most important step first.",
    "The audience reads on a phone, so keep paragraphs to two or three lines.",
    "Do not promise anything the policy does not say, and do not mention internal tools.",
    "End with one sentence that tells the reader where to find more help.",
    "If something is ambiguous, choose the reading that is kinder to the customer.",
    "Avoid exclamation marks and avoid words in capitals.",
    "Prefer the active voice and concrete verbs over vague phrases.",
    "The answer should fit on one screen without scrolling.",
    "Add a short heading that a customer would search for.",
    "Explain any time limits in days rather than in weeks.",
    "Leave out marketing language; the goal is to answer the question.",
]
PII_FILLER = [
    "I have been waiting for over a week and the tracking page has not changed since it left the warehouse.",
    "The order contained a kettle and two mugs, and I paid for standard delivery.",
    "Please let me know whether I should wait longer or whether you can send a replacement.",
    "I am happy to be contacted in the evenings, after six, on weekdays.",
    "If a refund is easier, that is fine too, as long as it goes back to the same card.",
    "I already checked with my neighbours in case it was left with one of them.",
    "This is the second time this has happened, so I would appreciate a quick answer.",
    "Thanks in advance for looking into it.",
]
PHI_FILLER = [
    "She reports fatigue in the afternoons and occasional dizziness when standing up quickly.",
    "No chest pain, no shortness of breath at rest, and no recent falls were reported.",
    "Vital signs at the visit were within normal limits apart from a mildly raised blood pressure.",
    "Please draft a short follow-up note for the chart and a plain-language summary for the patient.",
    "Labs are to be repeated in three months, and the care team should review adherence at the next visit.",
    "The patient prefers morning appointments and asked for reminders by text message.",
    "Family history includes heart disease on the father's side.",
    "Dietary counselling was offered and accepted.",
]


def prompt(i: int, seed: int = 7) -> tuple[str, str]:
    """(kind, text): prompt number `i`, PROMPT_CHARS characters (whole words, space-padded), the same for the same (i, seed)."""
    rng = random.Random(seed * 1_000_003 + i)
    kind = KINDS[i % 3]
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if kind == "clean":
        head, filler = rng.choice(CLEAN_HEADS), CLEAN_FILLER
    elif kind == "pii":
        user = name.lower().replace(" ", ".")
        head = (
            f"Hi, this is {name}. My order still has not arrived at {rng.randint(10, 999)} {rng.choice(STREETS)}, "
            f"{rng.choice(CITIES)}. You can call me at (555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)} "
            f"or email {user}@example.com. "
        )
        filler = PII_FILLER
    else:
        head = (
            f"Patient {name}, DOB {rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1940, 2000)}, "
            f"MRN {rng.randint(10**7, 10**8 - 1)}, was seen at Riverside Family Clinic on "
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} for follow-up of {rng.choice(CONDITIONS)}. "
            f"Current medication: {rng.choice(MEDS)}. Phone (555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}. "
        )
        filler = PHI_FILLER
    parts = [head]
    while sum(map(len, parts)) < PROMPT_CHARS:
        parts.append(" ".join(rng.sample(filler, len(filler))) + " ")
    text = "".join(parts)[: PROMPT_CHARS + 1].rsplit(" ", 1)[0]  # whole words: a cut "Tim" reads as a name
    return kind, text.ljust(PROMPT_CHARS)


def main() -> None:
    args = _parse()
    if args.in_process:
        _in_process(args.requests, args.warmup)
        return
    work = Path(tempfile.mkdtemp(prefix="audit-gateway-bench-"))
    procs: list[subprocess.Popen] = []
    out: dict = {"cores": os.cpu_count(), "load_before": os.getloadavg()}
    say = (lambda *a, **k: None) if args.json else print
    try:
        env = _env(work, args.live)
        upstream_port = _free_port()
        procs.append(_spawn([sys.executable, "-c", UPSTREAM, str(upstream_port)], env, work / "upstream.log"))
        manifest = work / "workloads.yaml"
        text = MANIFEST.read_text(encoding="utf-8")
        manifest.write_text(text.replace("CLOSED_PORT", str(upstream_port)).replace("SELF_PORT", str(upstream_port)))
        say(
            f"# llm-audit gateway benchmark: {args.requests} requests per proxy, {PROMPT_CHARS}-character prompts"
            f" ({', '.join(KINDS)}), {out['cores']} cores"
        )
        say(f"# work dir {work}; {provenance(args.live)}")
        say(f"# load average before: {_load()}")
        started = time.perf_counter()
        servers: dict[str, str] = {}
        if not args.skip_proxy:
            guarded, plain = _configs(manifest, env, work)
            keys = {w: _key(w, work, env) for w in ("intake", "helpdesk")}
            proxy_env = {
                **env,
                "LLM_AUDIT_KEYS_FILE": str(work / "keys.yaml"),
                "LITELLM_MASTER_KEY": MASTER_KEY,
                "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                "OPENAI_API_KEY": "sk-fake",
            }
            for label, cfg in (("guarded", guarded), ("plain", plain)):
                port = _free_port()
                cmd = [_litellm(), "--config", str(cfg), "--host", "127.0.0.1", "--port", str(port)]
                procs.append(_spawn(cmd, proxy_env, work / f"proxy-{label}.log"))
                servers[label] = f"http://127.0.0.1:{port}"
        if not args.skip_serve:
            for limit in sorted({16, args.serve_max_concurrent}):
                port = _free_port()
                cmd = [sys.executable, "-m", "audit", "serve", "--manifest", str(manifest), "--port", str(port)]
                procs.append(_spawn([*cmd, "--max-concurrent", str(limit)], env, work / f"serve-{limit}.log"))
                servers[f"serve-{limit}"] = f"http://127.0.0.1:{port}"
        _wait(servers, procs, work)
        say(f"# {len(servers)} servers up in {time.perf_counter() - started:.0f} s (started together)")
        if not args.skip_proxy:
            out["latency"] = _latency(servers["guarded"], servers["plain"], keys, args.requests, args.warmup)
            out["latency"]["upstream"] = httpx.get(f"http://127.0.0.1:{upstream_port}/stats").json()
            _latency_table(out["latency"], say)
        rows = []
        if not args.skip_serve:
            for clients in (1, 4, 16):
                rows.append(_throughput(len(rows), 16, servers["serve-16"], clients, args.seconds))
            if args.serve_max_concurrent != 16:
                limit = args.serve_max_concurrent
                rows.append(_throughput(len(rows), limit, servers[f"serve-{limit}"], 16, args.seconds))
        if not args.skip_proxy and not args.skip_proxy_throughput:
            for clients in (1, 4, 16):
                rows.append(_throughput(len(rows), None, servers["plain"], clients, args.seconds))
        if rows:
            out["throughput"] = rows
            _throughput_table(rows, args.seconds, say)
    finally:
        for proc in reversed(procs):
            _stop(proc)
        out["load_after"] = os.getloadavg()
        if args.keep:
            print(f"# kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    say(f"# load average after:  {_load()}")
    if args.json:
        print(json.dumps(out, indent=2))


def _in_process(requests: int, warmup: int) -> None:
    """The guardrail's own work per request (payload segments, routing), without the proxies or HTTP."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-list download (7 s of retries offline)
    from audit.gateway.litellm_guardrail import build_enforcer
    from audit.gateway.payloads import request_texts

    home = tempfile.TemporaryDirectory(prefix="audit-gateway-bench-")
    os.environ.setdefault("AUDIT_HOME", home.name)  # removed when this function returns
    enforcer, _ = build_enforcer(str(MANIFEST), None, None)
    enforcer._observed_source, enforcer._read_ok = None, True  # the fixture's declarations, no registry

    def one(i: int) -> float:
        kind, text = prompt(i)
        body = {"messages": [{"role": "user", "content": text}], "model": "closed"}
        started = time.perf_counter()
        enforcer.verdict(body, request_texts(body, "acompletion"), WORKLOAD[kind], "closed")
        return (time.perf_counter() - started) * 1000

    for i in range(warmup):
        one(i)
    started = time.process_time()
    st = _stats([one(warmup + i) for i in range(requests)])
    cpu = time.process_time() - started
    print(f"# in-process verdicts, {PROMPT_CHARS}-character prompts; load average {_load()}")
    print(
        f"verdict  n={st['n']}  p50 {st['p50']:.1f}  p90 {st['p90']:.1f}  p99 {st['p99']:.1f} ms"
        f"  CPU {1000 * cpu / st['n']:.1f} ms a request"
    )


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=300, help="measured requests per proxy (default 300)")
    p.add_argument("--warmup", type=int, default=30, help="unmeasured requests per proxy first (default 30)")
    p.add_argument("--seconds", type=float, default=8, help="measured seconds per throughput row (default 8)")
    p.add_argument(
        "--serve-max-concurrent",
        type=int,
        default=4,
        help="also run audit serve with this --max-concurrent against 16 clients (default 4, serve's own default)",
    )
    p.add_argument("--skip-proxy", action="store_true", help="no LiteLLM proxies: audit serve throughput only")
    p.add_argument("--skip-serve", action="store_true", help="no audit serve: proxy latency only")
    p.add_argument("--skip-proxy-throughput", action="store_true", help="no req/s rows for the proxy without guardrail")
    p.add_argument("--json", action="store_true", help="print one JSON document instead of the tables")
    p.add_argument("--live", action="store_true", help="run the working tree, not a snapshot of it")
    p.add_argument("--keep", action="store_true", help="keep the work dir (configs, keys, server logs)")
    p.add_argument(
        "--in-process",
        action="store_true",
        help="no servers: time the guardrail's verdicts in this process (the working tree)",
    )
    args = p.parse_args()
    if args.requests < 3 or args.seconds <= 0 or args.serve_max_concurrent < 1:
        p.error("--requests must be at least 3, --seconds and --serve-max-concurrent positive")
    return args


def _env(work: Path, live: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("AUDIT_DB", "DATABASE_URL", "LITELLM_CONFIG_PATH")}
    env.update(AUDIT_HOME=str(work / "home"), CI="true", PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    (work / "home").mkdir()
    return {**env, **snapshot_env(work, live)}


EXPORT = """
import sys, yaml
from audit.flows import load_manifest
from audit.flows.taxonomy import load_taxonomy
from audit.gateway.config import add_guardrail
from audit.routing.litellm_export import export_litellm
manifest, guarded, plain = sys.argv[1:]
m = load_manifest(manifest)
with open(plain, "w") as fh:
    yaml.safe_dump(export_litellm(m, load_taxonomy()).config, fh, sort_keys=False)
with open(guarded, "w") as fh:
    yaml.safe_dump(add_guardrail(export_litellm(m, load_taxonomy()).config, manifest=manifest, keys_auth=True), fh)
"""


def _configs(manifest: Path, env: dict, work: Path) -> tuple[Path, Path]:
    """The exported config with the guardrail and without it (run on the snapshot, as the proxies will)."""
    guarded, plain = work / "litellm-guarded.yaml", work / "litellm-plain.yaml"
    run = subprocess.run(
        [sys.executable, "-c", EXPORT, str(manifest), str(guarded), str(plain)], env=env, capture_output=True, text=True
    )
    if run.returncode:
        raise SystemExit(f"exporting the LiteLLM config failed:\n{run.stderr[-3000:]}")
    return guarded, plain


def _key(workload: str, work: Path, env: dict) -> str:
    cmd = [sys.executable, "-m", "audit", "gateway", "key", workload, "--keys", str(work / "keys.yaml")]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=work)
    if run.returncode:
        raise SystemExit(f"audit gateway key {workload} failed:\n{run.stderr[-2000:]}")
    return run.stdout.strip()


def _litellm() -> str:
    found = BIN / "litellm"
    return str(found) if found.exists() else (shutil.which("litellm") or "litellm")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            cmd, env=env, cwd=log.parent, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    proc.log = log  # type: ignore[attr-defined]
    return proc


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL after 15 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:
        pass


def _wait(servers: dict[str, str], procs: list[subprocess.Popen], work: Path) -> None:
    """Until every server answers its health check; a server that exits or stays down stops the benchmark."""
    pending = dict(servers)
    deadline = time.monotonic() + STARTUP_SECONDS
    while pending:
        for proc in procs:
            if proc.poll() is not None:
                tail = proc.log.read_text(errors="replace")[-4000:]  # type: ignore[attr-defined]
                raise SystemExit(f"{proc.args[0]} exited ({proc.returncode}) before the benchmark:\n{tail}")
        for label, url in list(pending.items()):
            path = "/healthz" if label.startswith("serve") else "/health/liveliness"
            try:
                if httpx.get(url + path, timeout=1).status_code == 200:
                    del pending[label]
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline:
            raise SystemExit(f"not up after {STARTUP_SECONDS} s: {', '.join(pending)} (logs in {work}; use --keep)")
        time.sleep(0.5)


def _chat(client: httpx.Client, kind: str, text: str, key: str | None) -> tuple[float, httpx.Response]:
    """One chat request; with `key` to the guarded proxy (asking for `closed`), else tagged to the plain one."""
    body: dict = {"messages": [{"role": "user", "content": text}]}
    if key is None:
        body.update(model=GROUP[kind], metadata={"tags": [WORKLOAD[kind]]})
        headers = {"Authorization": f"Bearer {MASTER_KEY}"}
    else:
        body["model"] = "closed"
        headers = {"Authorization": f"Bearer {key}"}
    started = time.perf_counter()
    r = client.post("/v1/chat/completions", json=body, headers=headers)
    return (time.perf_counter() - started) * 1000, r


def _latency(guarded_url: str, plain_url: str, keys: dict[str, str], n: int, warmup: int) -> dict:
    """Each prompt to both proxies back to back, the order alternating; ms per request, kind and proxy."""
    times: dict[str, dict[str, list[float]]] = {p: {k: [] for k in KINDS} for p in ("guarded", "plain")}
    errors: dict[str, dict[str, int]] = {"guarded": {}, "plain": {}}
    unrestored = 0
    with httpx.Client(base_url=guarded_url, timeout=60) as g, httpx.Client(base_url=plain_url, timeout=60) as u:
        for i in range(warmup + n):
            kind, text = prompt(i)
            legs = [("guarded", g, keys[WORKLOAD[kind]]), ("plain", u, None)]
            for label, client, key in legs if i % 2 == 0 else legs[::-1]:
                try:
                    ms, r = _chat(client, kind, text, key)
                    status = str(r.status_code)
                except httpx.TransportError as exc:  # counted, not timed, not fatal
                    status = type(exc).__name__
                if status != "200":
                    errors[label][status] = errors[label].get(status, 0) + 1
                    continue
                if label == "guarded" and r.json()["choices"][0]["message"]["content"] != f"You said: {text}":
                    unrestored += 1
                if i >= warmup:
                    times[label][kind].append(ms)
    return {"ms": times, "errors": errors, "unrestored": unrestored, "requests": n, "warmup": warmup}


def _stats(ms: list[float]) -> dict:
    """n, median, p90, p99 and max; percentiles by nearest rank, as benchmarks/routing.py."""
    if not ms:
        return {"n": 0, "p50": float("nan"), "p90": float("nan"), "p99": float("nan"), "max": float("nan")}
    ms = sorted(ms)
    p = lambda q: ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]  # noqa: E731
    return {"n": len(ms), "p50": statistics.median(ms), "p90": p(0.90), "p99": p(0.99), "max": ms[-1]}


def _latency_table(lat: dict, say) -> None:
    say()
    head = f"{'latency, ms':<30} {'kind':<6} {'n':>5} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}"
    say(head)
    say("-" * len(head))
    summary = {}
    for kind in ("all", *KINDS):
        rows = {}
        for label, name in (("plain", "proxy without guardrail"), ("guarded", "proxy with guardrail")):
            ms = sum(lat["ms"][label].values(), []) if kind == "all" else lat["ms"][label][kind]
            rows[label] = s = _stats(ms)
            say(f"{name:<30} {kind:<6} {s['n']:>5} {s['p50']:>7.1f} {s['p90']:>7.1f} {s['p99']:>7.1f} {s['max']:>7.1f}")
        added = {q: rows["guarded"][q] - rows["plain"][q] for q in ("p50", "p90", "p99")}
        say(
            f"{'guardrail adds':<30} {kind:<6} {'':>5} {added['p50']:>+7.1f} {added['p90']:>+7.1f} {added['p99']:>+7.1f}"
        )
        summary[kind] = {**rows, "added": added}
    lat["summary"] = summary
    added = summary["all"]["added"]
    verdict = lambda v, t: "PASS" if v <= t else "MISS"  # noqa: E731
    lat["pass"] = {"p50": added["p50"] <= TARGET_P50, "p99": added["p99"] <= TARGET_P99}
    say()
    say(
        f"target (2 cores): guardrail adds p50 <= {TARGET_P50:.0f} ms: {added['p50']:.1f} ms {verdict(added['p50'], TARGET_P50)};"
        f" p99 <= {TARGET_P99:.0f} ms: {added['p99']:.1f} ms {verdict(added['p99'], TARGET_P99)}"
    )
    errors = {label: e for label, e in lat["errors"].items() if e}
    say(
        f"# non-200 answers (not timed): {errors or 'none'}; guarded answers not restored to the prompt: {lat['unrestored']}"
    )
    seen = ", ".join(
        f"{m}: {c['requests']} ({c['with_placeholders']} with placeholders)" for m, c in lat["upstream"].items()
    )
    per = lat["requests"] + lat["warmup"]
    expect = f"{sum(2 for i in range(per) if i % 3 != 2)} to gpt-4o-mini ({sum(1 for i in range(per) if i % 3 == 1)} redacted), {sum(2 for i in range(per) if i % 3 == 2)} to llama"
    say(f"# upstream received, both proxies: {seen}; expected {expect}")


async def _clients(url: str, serve: bool, clients: int, seconds: float, start: int) -> dict:
    """`clients` loops posting /v1/route (audit serve) or chat completions (the proxy) for 1 + `seconds` s."""
    codes: dict[int, int] = {}
    ms: list[float] = []
    counter = iter(range(start, start + 10**7))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        loop = asyncio.get_running_loop()
        measure_from = loop.time() + 1.0
        stop_at = measure_from + seconds

        async def one() -> None:
            while loop.time() < stop_at:
                kind, text = prompt(next(counter))
                messages = [{"role": "user", "content": text}]
                if serve:
                    path, headers = "/v1/route", {}
                    body: dict = {"messages": messages, "workload": WORKLOAD[kind]}
                else:
                    path, headers = "/v1/chat/completions", {"Authorization": f"Bearer {MASTER_KEY}"}
                    body = {"model": GROUP[kind], "messages": messages, "metadata": {"tags": [WORKLOAD[kind]]}}
                started = time.perf_counter()
                try:
                    status = (await client.post(path, json=body, headers=headers)).status_code
                except httpx.TransportError:  # a connection the server closed under us: counted, not fatal
                    status = 0
                if measure_from <= loop.time() <= stop_at:  # completions inside the window
                    codes[status] = codes.get(status, 0) + 1
                    if status == 200:
                        ms.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(one() for _ in range(clients)))
    return {"codes": codes, "ms": ms}


def _throughput(row: int, limit: int | None, url: str, clients: int, seconds: float) -> dict:
    """Requests/s of one server (audit serve when `limit` is set, else the proxy) at `clients` concurrent clients."""
    got = asyncio.run(_clients(url, limit is not None, clients, seconds, start=10**6 * (row + 1)))
    ok, busy = got["codes"].get(200, 0), got["codes"].get(429, 0)
    other = sum(c for code, c in got["codes"].items() if code not in (200, 429))
    s = _stats(got["ms"])
    return {
        "server": f"audit serve --max-concurrent {limit}" if limit else "proxy without guardrail",
        "clients": clients,
        "ok_per_s": ok / seconds,
        "ok": ok,
        "429": busy,
        "other": other,
        "codes": {str(code or "connection error"): c for code, c in sorted(got["codes"].items())},
        "p50": s["p50"],
        "p99": s["p99"],
    }


def _throughput_table(rows: list[dict], seconds: float, say) -> None:
    say()
    head = f"{'throughput':<34} {'clients':>7} {'ok req/s':>9} {'200':>6} {'429':>6} {'other':>6} {'p50 ms':>7} {'p99 ms':>7}"
    say(head)
    say("-" * len(head))
    for r in rows:
        say(
            f"{r['server']:<34} {r['clients']:>7} {r['ok_per_s']:>9.1f} {r['ok']:>6} {r['429']:>6} {r['other']:>6}"
            f" {r['p50']:>7.1f} {r['p99']:>7.1f}"
        )
    say(
        f"# {seconds:g} s measured per row after 1 s of warm-up; req/s counts 200s; other: other statuses and connection errors; p50/p99 of the 200s"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
