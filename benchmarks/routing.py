"""Routing latency: median and p99 of `Router.route` on ~1,000-character prompts, after warm-up.

    .venv/bin/python benchmarks/routing.py [--requests 300] [--warmup 30]

Every prompt is distinct (a counter and a random suffix defeat the span memo),
so the figures are for text the router has never seen. Prompts are synthetic
and fictitious; a third carry regulated data, the rest are ordinary requests.
The router runs the scan's own engine (spaCy NER only, see audit/scanner/engine.py).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit.pipeline import build_context  # noqa: E402
from audit.routing import Router  # noqa: E402
from audit.settings import Settings  # noqa: E402

SENSITIVE = (
    "Patient Maria Alvarez (DOB 03/14/1962, MRN 00482913) was seen at Springfield General on 2024-02-11 for "
    "follow-up of type 2 diabetes. Call her at (555) 201-4432 or email maria.alvarez@example.com. "
)
ORDINARY = (
    "Please rewrite the following release notes so they read clearly for a non-technical audience. The new "
    "version improves search speed, fixes the export bug reported last sprint and adds a dark theme. "
)
FILLER = "Keep the tone friendly, the sentences short, and the structure easy to scan for busy readers. "


def prompt(i: int, rng: random.Random) -> str:
    """A distinct prompt of about 1,000 characters."""
    head = SENSITIVE if i % 3 == 0 else ORDINARY
    body = head + f"Request {i}-{rng.randrange(10**9)}. " + FILLER * 12
    return body[:1000]


def measure(router: Router, n: int, warmup: int, rng: random.Random) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of `n` routed requests, after `warmup` unmeasured ones.

    CPU time (this thread) is what the request costs on an idle core; wall time
    also includes waiting for a core when the machine is busy.
    """
    for i in range(warmup):
        router.route([{"role": "user", "content": prompt(i, rng)}], workload="bench")
    wall, cpu = [], []
    for i in range(warmup, warmup + n):
        text = prompt(i, rng)
        started, started_cpu = time.perf_counter(), time.thread_time()
        router.route([{"role": "user", "content": text}], workload="bench")
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu


def summary(label: str, ms: list[float]) -> str:
    """One line: median, p90, p99 and max."""
    ms = sorted(ms)
    p = lambda q: ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]  # noqa: E731
    return f"{label:<24} n={len(ms):<5} median {statistics.median(ms):6.1f} ms   p90 {p(0.90):6.1f} ms   p99 {p(0.99):6.1f} ms   max {ms[-1]:6.1f} ms"


def main() -> None:
    """Build the context once, then time the router."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    started = time.perf_counter()
    ctx = build_context(Settings(cache=False))
    print(
        f"context built in {time.perf_counter() - started:.1f} s (once per process); {len(ctx.engine.get().recognizer_names)} recognizers, {len(ctx.policy_set.packs)} policy packs"
    )
    rng = random.Random(7)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    wall, cpu = measure(Router(ctx), args.requests, args.warmup, rng)
    print(summary("route, wall", wall))
    print(summary("route, cpu", cpu))
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("target: median < 20 ms, p99 < 60 ms (2-core machine)")


if __name__ == "__main__":
    main()
