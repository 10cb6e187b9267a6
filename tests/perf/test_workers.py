"""Worker processes: identical results with 1 or N jobs, cache or not; input order; the time budget."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from audit.model import Message, Record
from audit.parallel import Chunk, ParallelResolver, WorkerPool, resolve_jobs
from audit.pipeline import scan_records
from audit.summary import ScanSummary

from .conftest import contract_lines


def test_one_or_two_jobs_with_or_without_cache_give_identical_contract_output(make_ctx, corpus):
    baseline = contract_lines(make_ctx(jobs=1), corpus)
    assert len(baseline) == 60 and any('"findings": [{' in line for line in baseline)
    assert contract_lines(make_ctx(jobs=2), corpus) == baseline
    assert contract_lines(make_ctx(cache_identity="t", jobs=2), corpus) == baseline  # cold cache
    assert contract_lines(make_ctx(cache_identity="t", jobs=2), corpus) == baseline  # warm cache
    assert contract_lines(make_ctx(cache_identity="t", jobs=1), corpus) == baseline  # warm, in process


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_both_start_methods_agree_with_in_process_analysis(make_ctx, method):
    from audit.scanner.analyze import analyze_texts

    ctx = make_ctx(jobs=2)
    texts = ["Call John Smith at 212-555-0187.", "Nothing here.", "SSN 123-45-6789 for Ann Lee"]
    pool = WorkerPool(ctx.settings, 2, engine=ctx.engine.get(), method=method)
    try:
        chunk = Chunk(list(texts))
        pool.submit(chunk)
        done = _pump_until(pool, [chunk], timeout=120)
    finally:
        pool.close()
    assert done[0].results == analyze_texts(ctx.engine.get(), ctx.settings, texts)


def test_results_come_back_in_input_order(make_ctx):
    ctx = make_ctx(jobs=2, batch_size=4)
    texts = [f"Message {i} from user{i}@example.com" if i % 3 else "Hello there" for i in range(40)]
    records = [Record("mem", str(i), i, (Message(0, "user", t),)) for i, t in enumerate(texts)]
    results = list(scan_records(ctx, records, ScanSummary()))
    assert [r.record_id for r in results] == [str(i) for i in range(40)]
    assert [bool(r.findings) for r in results] == [bool(i % 3) for i in range(40)]


def test_reading_runs_only_a_bounded_window_ahead_of_output(make_ctx):
    ctx = make_ctx(jobs=2, batch_size=2)
    resolver = ParallelResolver(ctx, jobs=2)
    pulled = 0

    def batches():
        nonlocal pulled
        for i in range(200):
            pulled += 1
            yield [Record("mem", str(i), i, (Message(0, "user", f"Text number {i} for Bob"),))]

    emitted = 0
    for _records, _spans in resolver.run(batches()):
        emitted += 1
        assert pulled - emitted <= resolver.max_window + 1
    assert emitted == 200


def test_memo_stays_bounded_over_a_long_input(make_ctx):
    from audit.cache import SpanMemo

    ctx = make_ctx(jobs=1)
    ctx.memo = SpanMemo(limit=50)
    records = (Record("mem", str(i), i, (Message(0, "user", f"note {i}"),)) for i in range(300))
    assert sum(1 for _ in scan_records(ctx, records, ScanSummary())) == 300
    assert len(ctx.memo) == 50


def test_a_long_message_is_scanned_in_windows_each_within_the_budget(make_ctx):
    # ~300,000 characters of prose: several seconds in all, over a 5s budget on a loaded machine,
    # but each 20,000-character window takes well under a second (tests/scanner/test_budget.py
    # covers a message that is cut off).
    huge = "The patient John Smith reported mild headaches after lunch. " * 5000 + "SSN 123-45-6789"
    ctx = make_ctx(jobs=2, message_time_budget=5.0)
    texts = ["Email bob@example.com", huge, "Call 212-555-0187", "Plain text"]
    records = [Record("mem", str(i), i + 1, (Message(0, "user", t),)) for i, t in enumerate(texts)]
    summary, errors = ScanSummary(), []
    results = list(scan_records(ctx, records, summary, on_error=errors.append))
    assert [r.record_id for r in results] == ["0", "1", "2", "3"]
    assert summary.messages_unscanned == 0 and not errors
    assert results[0].findings and results[2].findings
    assert any(f.entity_type == "US_SSN" and f.start == len(huge) - 11 for f in results[1].findings)


def test_a_worker_killed_mid_chunk_is_replaced_and_its_texts_analysed(make_ctx):
    ctx = make_ctx(jobs=2)
    pool = WorkerPool(ctx.settings, 2, engine=ctx.engine.get())
    try:
        chunks = [Chunk([f"Mail {i}@example.com for Ann"] * 1 + [f"text {i}"]) for i in range(6)]
        for chunk in chunks:
            pool.submit(chunk)
        _pump_until(pool, [], timeout=60, until=lambda: any(w.assigned for w in pool.workers if w.ready))
        victim = next(w for w in pool.workers if w.assigned)
        os.kill(victim.process.pid, signal.SIGKILL)
        _pump_until(pool, chunks, timeout=180)
    finally:
        pool.close()
    assert pool.restarts >= 1
    assert all(c.done and not c.failures for c in chunks)
    assert all(any(s.entity_type == "EMAIL_ADDRESS" for s in c.results[0]) for c in chunks)


def test_jobs_zero_means_every_usable_core():
    assert resolve_jobs(0) == len(os.sched_getaffinity(0))
    assert resolve_jobs(3) == 3


def test_scan_to_reports_unscanned_messages_as_a_failed_outcome(tmp_path, monkeypatch):
    import io

    from audit import api
    from audit.readers import ReadOptions
    from audit.report.formats import FORMATS

    log = tmp_path / "log.txt"
    log.write_text("hello Bob\nsecond line\n")
    monkeypatch.setattr("audit.scanner.analyze.analyze_texts", _fail_on_second)
    settings = api.settings_from(None, jobs=1, cache=False)
    errors = []
    outcome = api.scan_to([str(log)], settings, ReadOptions(), FORMATS["jsonl"], io.StringIO(), on_error=errors.append)
    assert outcome.failed and outcome.summary.messages_unscanned == 1 and outcome.summary.records_read == 2
    assert "analysis failed (ValueError)" in errors[0].reason


def _fail_on_second(engine, settings, texts, progress=None):
    if "second line" in texts:
        raise ValueError("boom")
    return _REAL_ANALYZE(engine, settings, texts, progress)


def _real_analyze():
    from audit.scanner.analyze import analyze_texts

    return analyze_texts


_REAL_ANALYZE = _real_analyze()


def _pump_until(pool, chunks, timeout, until=None):
    deadline = time.monotonic() + timeout
    done = []
    while time.monotonic() < deadline:
        done.extend(pool.pump(0.5))
        if (until and until()) or (chunks and all(c.done for c in chunks)):
            return done
    raise AssertionError("the pool made no progress in time")


def test_short_prompts_over_many_batches_are_analysed_by_the_workers(make_ctx, monkeypatch):
    # each batch alone fits the in-process allowance; the whole input does not go through this process
    expected = list(scan_records(make_ctx(jobs=1, batch_size=4), _prompts(40), ScanSummary()))

    def refuse(*args, **kwargs):
        raise AssertionError("analysed in the main process")

    monkeypatch.setattr("audit.parallel.resolver.analyze_unique", refuse)
    results = list(scan_records(make_ctx(jobs=2, batch_size=4), _prompts(40), ScanSummary()))
    assert [r.findings for r in results] == [r.findings for r in expected]
    assert sum(bool(r.findings) for r in results) == 26


def test_an_input_of_one_small_batch_is_analysed_in_this_process(make_ctx, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("started a worker pool")

    monkeypatch.setattr("audit.parallel.resolver.WorkerPool", refuse)
    results = list(scan_records(make_ctx(jobs=2, batch_size=64), _prompts(40), ScanSummary()))
    assert sum(bool(r.findings) for r in results) == 26


def _prompts(n: int) -> list[Record]:
    texts = [f"Message {i} from user{i}@example.com" if i % 3 else f"Hello there, note {i}" for i in range(n)]
    return [Record("mem", str(i), i, (Message(0, "user", t),)) for i, t in enumerate(texts)]


FORKSERVER_SCRIPT = """
import json, os, signal, time
from audit.parallel import Chunk, WorkerPool
from audit.settings import Settings

if __name__ == "__main__":
    pool = WorkerPool(Settings(), 2, method="forkserver")
    chunk = Chunk(["Call John Smith at 212-555-0187."])
    pool.submit(chunk)
    while not chunk.done:
        pool.pump(1.0)
    first = [w.preloaded for w in pool.workers]
    pool._fail_worker(pool.workers[0], "restarted by the test")
    while not all(w.ready for w in pool.workers):
        pool.pump(1.0)
    print(json.dumps({"first": first, "restarted": pool.workers[0].preloaded, "env": os.environ.get("AUDIT_FORKSERVER_SETTINGS"),
                      "types": sorted(s.entity_type for s in chunk.results[0])}))
    pool.close()
"""


@pytest.mark.slow
def test_forkserver_workers_start_with_the_engine_the_server_built(tmp_path):
    # a fresh process, so that the forkserver is started by this pool with these settings
    script = tmp_path / "forkserver_workers.py"
    script.write_text(FORKSERVER_SCRIPT)
    env = {**os.environ, "AUDIT_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report == {"first": [True, True], "restarted": True, "env": None, "types": ["PERSON", "PHONE_NUMBER"]}
