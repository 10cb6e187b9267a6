#!/usr/bin/env python3
"""One long message: `audit scan` on a single 3.4 MB prompt, whole process, beside another revision.

    .venv/bin/python benchmarks/long_message.py                      # this tree, all cores, 3 runs
    .venv/bin/python benchmarks/long_message.py --baseline HEAD~1    # and the previous commit, alternating
    .venv/bin/python benchmarks/long_message.py --mb 0.5 --runs 1    # a quick look
    .venv/bin/python benchmarks/long_message.py --input /tmp/nr.jsonl --baseline HEAD~1 --runs 5  # any log

The message is varied text: the user turns of `../shared/bench/make_corpus.py` (patients,
cards, bank accounts, contracts, code questions; about a third with identifiers), shuffled
and joined with blank lines until it reaches `--mb` megabytes, with an SSN and an email
planted every 100,000 characters. Each run is `python -m audit scan FILE -o jsonl --out
FILE --no-cache --no-registry --fail-on never`, timed wall clock from start to exit (model
load included), with the CPU seconds of its process tree (sampled from /proc: what the scan
cost whatever else runs); the runs of the two trees alternate so machine load affects both alike.
Every run must find every planted value, and the two trees must report the same spans.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
PLANT_EVERY = 100_000


def main() -> None:
    args = _parse()
    work = Path(tempfile.mkdtemp(prefix="audit-long-"))
    if args.input:  # any log, timed the same way: e.g. the no-replay corpus before and after a change
        path, planted = Path(args.input).resolve(), []
    else:
        path, planted = _write_message(work / "long.jsonl", int(args.mb * 1e6), args.seed)
    trees = {args.revision or "this tree": _snapshot(work / "this", args.revision)}
    if args.baseline:
        trees[f"baseline {args.baseline}"] = _snapshot(work / "base", args.baseline)
    print(
        f"# {path.name}: {path.stat().st_size / 1e6:.2f} MB, {len(planted)} planted values, jobs={args.jobs or 'all'}"
    )
    print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    times: dict[str, list[float]] = {name: [] for name in trees}
    outputs: dict[str, str] = {}
    for run in range(args.runs):
        for name, tree in trees.items() if run % 2 == 0 else reversed(trees.items()):
            seconds, cpu, output = _scan(path, tree, work, args.jobs, args.timeout)
            if output is None:
                print(f"{name:<24} run {run + 1}: > {seconds:5.0f} s (stopped; {cpu:.0f} CPU s)", flush=True)
                times[name].append(seconds)
                continue
            missing = [v for v in planted if v not in output]
            found = output.count("entity_type")
            print(f"{name:<24} run {run + 1}: {seconds:7.1f} s wall, {cpu:6.1f} CPU s, {found} findings", flush=True)
            if missing:
                raise SystemExit(f"{name}: planted values not found: {len(missing)}")
            times[name].append(seconds)
            outputs[name] = output
    print()
    for name, xs in times.items():
        print(
            f"{name:<24} median {statistics.median(xs):7.1f} s over {len(xs)} runs (stopped runs count as their limit)"
        )
    print(f"# load average {os.getloadavg()[0]:.1f} at the end")
    if len(outputs) == 2:
        same = len({_spans(o) for o in outputs.values()}) == 1
        print(f"# same findings in both trees: {'yes' if same else 'NO'}")


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=float, default=3.4, help="message size in MB (default 3.4)")
    p.add_argument("--runs", type=int, default=3, help="runs per tree (median)")
    p.add_argument("--jobs", type=int, default=0, help="audit worker processes (0: all cores)")
    p.add_argument("--baseline", help="a git revision to time beside this tree, e.g. HEAD~1")
    p.add_argument("--revision", help="time this git revision instead of the working tree (others' edits left out)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--input", help="scan this file instead of the generated message")
    p.add_argument("--timeout", type=float, help="stop a run after this many seconds (reported as '> N s')")
    return p.parse_args()


def _write_message(path: Path, size: int, seed: int) -> tuple[Path, list[str]]:
    """A JSONL file of one record with one message of about `size` characters; the values planted in it."""
    turns = _turns(seed)
    rng = random.Random(seed)
    parts, length, planted, next_plant = [], 0, [], PLANT_EVERY
    while length < size:
        if length >= next_plant:
            n = len(planted) // 2
            ssn, email = f"{100 + n % 600:03d}-{10 + n % 89:02d}-{1000 + n:04d}", f"planted.{n}@example.org"
            parts.append(f"For the record, the member's SSN is {ssn} and their email is {email}.")
            planted += [ssn, email]
            next_plant += PLANT_EVERY
        else:
            parts.append(rng.choice(turns))
        length += len(parts[-1]) + 2
    text = "\n\n".join(parts)
    record = {"id": "long-0", "messages": [{"role": "user", "content": text}]}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path, planted


def _turns(seed: int) -> list[str]:
    """Distinct user turns of make_corpus.py (its own generator, several seeds)."""
    spec = importlib.util.spec_from_file_location("make_corpus", MAKE_CORPUS)
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    from faker import Faker

    turns: set[str] = set()
    for s in range(seed, seed + 4):
        fake, rng = Faker(), random.Random(s)
        fake.seed_instance(s)
        for _ in range(2500):
            turns.add(corpus.user_turn(fake, rng, rng.choice(list(corpus.SYSTEM_PROMPTS))))
    return sorted(turns)


def _snapshot(dest: Path, revision: str | None) -> Path:
    """A copy of audit/ at `revision` (git archive), or this working tree's audit/ when None."""
    dest.mkdir(parents=True)
    if revision is None:
        subprocess.run(["cp", "-rL", str(REPO / "audit"), str(dest)], check=True)
    else:  # audit/policies is a link to ../policies
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", revision, "audit", "policies"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def _scan(path: Path, tree: Path, work: Path, jobs: int, timeout: float | None) -> tuple[float, float, str | None]:
    out = work / "out.jsonl"
    env = {**os.environ, "PYTHONPATH": str(tree), "AUDIT_HOME": str(work / "home"), "CI": "true"}
    cmd = [sys.executable, "-m", "audit", "scan", str(path), "-o", "jsonl", "--out", str(out), "--no-cache"]
    cmd += ["--no-registry", "--fail-on", "never", "-q", "-j", str(jobs), "--show-values"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=work, start_new_session=True
    )
    cpu: dict[int, float] = {}  # pid -> last CPU seconds seen, over the scan's process tree
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_cpu, args=(proc.pid, cpu, stop), daemon=True)
    sampler.start()
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its workers too
        proc.communicate()
        return time.perf_counter() - started, sum(cpu.values()), None
    finally:
        stop.set()
        sampler.join()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"audit scan failed (exit {proc.returncode}): {stderr[-2000:]}")
    return seconds, sum(cpu.values()), out.read_text(encoding="utf-8")


def _sample_cpu(root: int, cpu: dict[int, float], stop: threading.Event) -> None:
    """Every 0.2 s, the user + system CPU seconds of each process in `root`'s session (a lower bound)."""
    tick = os.sysconf("SC_CLK_TCK")
    while not stop.wait(0.2):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == root:  # session id: the scan and every process it started
                cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick


def _spans(output: str) -> str:
    found = [
        (f["start"], f["end"], f["entity_type"]) for line in output.splitlines() for f in json.loads(line)["findings"]
    ]
    return json.dumps(sorted(found))


if __name__ == "__main__":
    main()
