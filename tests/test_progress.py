"""The progress bar moves: `api.deliver` reports records done by time, and always once at the end."""

from __future__ import annotations

import time
from types import SimpleNamespace

from audit import api
from audit.model import Tier
from audit.summary import ScanSummary


class _Sink:
    def add(self, result) -> None:
        pass


def _results(summary: ScanSummary, n: int, pause: float = 0.0):
    """Results as the pipeline yields them: it counts a record before yielding it."""
    for _ in range(n):
        time.sleep(pause)
        summary.records_read += 1
        yield SimpleNamespace(decision=Tier.UNRESTRICTED)


def test_a_small_scan_reports_its_records():
    outcome, calls = api.ScanOutcome(ScanSummary()), []
    api.deliver(_results(outcome.summary, 3), _Sink(), outcome, progress=lambda done, rate: calls.append(done))
    assert calls and calls[-1] == 3


def test_a_slow_scan_reports_while_it_runs():
    outcome, calls = api.ScanOutcome(ScanSummary()), []
    api.deliver(_results(outcome.summary, 6, 0.1), _Sink(), outcome, progress=lambda done, rate: calls.append(done))
    assert calls[-1] == 6 and len(calls) >= 3 and calls == sorted(calls) and calls[0] < 6
