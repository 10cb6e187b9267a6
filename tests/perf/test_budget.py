"""The time budget holds per window in this process (--jobs 1) and in the worker pool."""

from __future__ import annotations

import time

import pytest
from presidio_analyzer import EntityRecognizer

from audit.model import Message, Record
from audit.pipeline import scan_records
from audit.summary import ScanSummary

FILLER = "We went over the build logs and the test plan for the next release together. "
TAIL = "My name is Mary Jones and my SSN is 123-45-6789."


class _Dawdler(EntityRecognizer):
    """Test only: sleeps `seconds` on every text (window) that contains `marker`."""

    def __init__(self, marker: str, seconds: float) -> None:
        self.marker, self.seconds = marker, seconds
        super().__init__(supported_entities=["PERSON"], name="Dawdler", supported_language="en")

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        if self.marker in text:
            time.sleep(self.seconds)
        return []


@pytest.fixture
def dawdler(engine):
    """Add a _Dawdler to the session engine for one test."""
    added = []

    def add(marker: str, seconds: float) -> None:
        r = _Dawdler(marker, seconds)
        engine.analyzer.registry.add_recognizer(r)
        added.append(r)

    yield add
    for r in added:
        engine.analyzer.registry.recognizers.remove(r)


def _scan(ctx, texts):
    records = [Record("mem", str(i), i + 1, (Message(0, "user", t),)) for i, t in enumerate(texts)]
    summary, errors = ScanSummary(), []
    started = time.monotonic()
    results = list(scan_records(ctx, records, summary, on_error=errors.append))
    return results, errors, time.monotonic() - started


@pytest.fixture(params=[1, 2], ids=["in-process", "pool"])
def jobs(request, monkeypatch):
    """One job (analysis in this process) or two (a worker pool, forked so it inherits the dawdler)."""
    monkeypatch.setattr("audit.parallel.pool.default_start_method", lambda: "fork")
    return request.param


def test_a_message_over_budget_is_cut_off_and_the_rest_is_scanned(make_ctx, dawdler, jobs):
    dawdler("STALL", 30.0)
    ctx = make_ctx(jobs=jobs, message_time_budget=1.0)
    results, errors, took = _scan(ctx, ["Email bob@example.com", "STALL here", "Call 212-555-0187"])
    assert took < 25
    assert [(e.line, "1s time budget" in e.reason) for e in errors] == [(2, True)]
    assert "STALL" not in errors[0].reason
    assert results[0].findings and results[2].findings and not results[1].findings


def test_the_budget_is_per_window_so_a_long_message_is_scanned_whole(make_ctx, dawdler, jobs):
    # 20 windows of 0.4 s each: 8 s in all, far over the 2 s budget, but no window is.
    dawdler("DOZE", 0.4)
    text = ("DOZE " + FILLER * 24) * 20 + TAIL
    ctx = make_ctx(jobs=jobs, message_time_budget=2.0, max_chunk_chars=2_000)
    results, errors, took = _scan(ctx, [text])
    # far over the budget as a whole, even with the windows spread over the pool's workers, and still no error
    assert not errors and took > 3
    found = {(f.entity_type, text[f.start : f.end]) for f in results[0].findings}
    assert {("US_SSN", "123-45-6789"), ("PERSON", "Mary Jones")} <= found
