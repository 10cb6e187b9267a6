"""Gateway decision counts (audit.enforcement -> audit.store.enforcement) on a real SQLite file and PostgreSQL.

Counts add up across flushes and periods join end to start; a flush that fails keeps its counts and writes
nothing (not even its event); counts from many threads during periodic flushes are never lost; hostile
workload names are stored as bounded data; `verify` covers the rows on both backends.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from audit import enforcement
from audit.enforcement import MAX_NAME, OVERFLOW, DecisionCounter
from audit.model import Tier
from audit.store.enforcement import read_gateway
from audit.store.registry import Registry

RULE = "hipaa/hipaa-phi-identifier-with-health-context"


def totals(registry: Registry) -> dict[tuple, int]:
    """(workload, tier, target, refusal, rule) -> count, summed over every period."""
    return {(c.workload, c.tier, c.target, c.refusal, c.rule): c.count for c in read_gateway(registry).counts}


def events(registry: Registry) -> int:
    with registry.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events")).scalar_one()


def test_counts_add_up_across_flushes_and_periods_join(registry):
    counter = DecisionCounter("guardrail")
    for _ in range(3):
        counter.count("clinical-notes", Tier.SELF_HOSTED, "self_hosted", [RULE, RULE])  # a rule counts once
    counter.count("faq-bot", "unrestricted", "closed")
    counter.refuse(None, "no-workload")
    assert counter.pending() == 5 and counter.flush(registry) and counter.pending() == 0
    first = read_gateway(registry)
    counter.count("clinical-notes", "strip", "blocked", ["pci/pan"], refusal="blocked")  # decided, then refused
    counter.refuse("clinical-notes", "internal-error")
    assert counter.flush(registry)
    assert counter.flush(registry)  # nothing counted: nothing written
    assert totals(registry) == {
        ("clinical-notes", "self_hosted", "self_hosted", None, None): 3,
        ("clinical-notes", "self_hosted", "self_hosted", None, RULE): 3,
        ("clinical-notes", "strip", "blocked", "blocked", None): 1,
        ("clinical-notes", "strip", "blocked", "blocked", "pci/pan"): 1,
        ("clinical-notes", None, None, "internal-error", None): 1,
        ("faq-bot", "unrestricted", "closed", None, None): 1,
        (None, None, None, "no-workload", None): 1,
    }
    assert events(registry) == 2
    with registry.engine.connect() as conn:
        periods = conn.execute(
            text("SELECT DISTINCT period_start, period_end FROM gateway_decisions ORDER BY period_start")
        ).all()
    assert len(periods) == 2 and periods[0][1] == periods[1][0]  # [start, end) then [end, next end)
    whole = read_gateway(registry)
    assert whole.period_start == first.period_start and whole.period_end > first.period_end
    assert whole.sources == ["guardrail"]
    assert read_gateway(registry, since=first.period_end).counts[0].workload == "clinical-notes"
    assert registry.verify().ok


def test_a_failed_flush_keeps_its_counts_and_writes_nothing(registry, caplog):
    counter = DecisionCounter("serve")
    counter.count("clinical-notes", "self_hosted", "self_hosted", [RULE])
    before = events(registry)
    with registry.engine.begin() as conn:  # the event is appended, then the insert fails: one transaction
        conn.execute(text("ALTER TABLE gateway_decisions RENAME TO gateway_decisions_away"))
    with caplog.at_level(logging.WARNING, logger="audit.enforcement"):
        assert counter.flush(registry) is False
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and messages[0].startswith("audit: gateway decisions (serve) not recorded, kept for ")
    assert counter.pending() == 1
    with registry.engine.begin() as conn:
        conn.execute(text("ALTER TABLE gateway_decisions_away RENAME TO gateway_decisions"))
    assert events(registry) == before, "the failed flush's event was rolled back with its rows"
    counter.count("clinical-notes", "self_hosted", "self_hosted", [RULE])
    assert counter.flush(registry)
    assert totals(registry)[("clinical-notes", "self_hosted", "self_hosted", None, RULE)] == 2
    assert events(registry) == before + 1 and registry.verify().ok


def test_a_flush_to_a_missing_registry_fails_quietly_and_keeps_counts(tmp_path, registry, caplog):
    counter = DecisionCounter("guardrail")
    counter.refuse("x", "unknown-workload")
    missing = f"sqlite:///{tmp_path / 'nowhere' / 'none.db'}"
    with caplog.at_level(logging.WARNING, logger="audit.enforcement"):
        assert counter.flush(missing) is False
    assert len(caplog.records) == 1 and "no registry at" in caplog.records[0].getMessage()
    assert not Path(tmp_path / "nowhere" / "none.db").exists(), "a flush never creates a registry"
    assert counter.flush(registry.url) and totals(registry) == {("x", None, None, "unknown-workload", None): 1}


def test_concurrent_counts_during_periodic_flushes_are_never_lost(registry):
    counter = DecisionCounter("guardrail")
    counter.start_periodic(registry, interval_seconds=0.02)
    threads, per_thread = 8, 2000

    def client(i: int) -> None:
        for n in range(per_thread):
            if n % 10 == 0:
                counter.refuse(f"wl-{i % 2}", "busy")
            else:
                counter.count(f"wl-{i % 2}", "self_hosted", "self_hosted", [RULE])

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert counter.stop() is True and counter.pending() == 0
    found = totals(registry)
    requests = sum(n for (_, _, _, _, rule), n in found.items() if rule is None)
    assert requests == threads * per_thread
    assert sum(n for (_, _, _, refusal, _), n in found.items() if refusal) == threads * per_thread // 10
    assert sum(n for (*_, rule), n in found.items() if rule == RULE) == threads * per_thread * 9 // 10
    assert events(registry) >= 1 and registry.verify().ok


HOSTILE = [
    "nul\x00byte",
    "lone\ud800surrogate",
    "x" * 10_000,
    "'); DROP TABLE gateway_decisions; --",
    "<script>alert(1)</script>",
    "new\nline\r\x1b[31mred",
    "bidi\u202etxt.exe",
    "",
    "名前",
]


def test_hostile_workload_names_are_stored_as_bounded_data(registry):
    counter = DecisionCounter("guardrail")
    for name in HOSTILE:
        counter.count(name, "redact_then_closed", "redact_then_closed")
    counter.count(12345, "unrestricted", "closed")  # not a string at all: stored as its repr
    assert counter.flush(registry)
    stored = {c.workload for c in read_gateway(registry).counts}
    assert len(stored) == len(HOSTILE) + 1 and all(len(w) <= MAX_NAME for w in stored)
    assert "nul\ufffdbyte" in stored and "x" * MAX_NAME in stored and "12345" in stored
    assert "'); DROP TABLE gateway_decisions; --" in stored and "<script>alert(1)</script>" in stored
    assert registry.verify().ok


def test_distinct_workload_names_are_bounded_per_period(registry, monkeypatch):
    monkeypatch.setattr(enforcement, "MAX_WORKLOADS", 3)
    counter = DecisionCounter("guardrail")
    for i in range(10):
        counter.count(f"random-{i}", "unrestricted", "closed")
    counter.count("random-0", "unrestricted", "closed")  # a name already kept stays itself
    assert counter.flush(registry)
    found = {c.workload: c.count for c in read_gateway(registry).counts}
    assert found == {"random-0": 2, "random-1": 1, "random-2": 1, OVERFLOW: 7}


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.count("w", "not-a-tier", "closed"),
        lambda c: c.count("w", "unrestricted", "somewhere"),
        lambda c: c.refuse("w", "the prompt said John Smith"),
        lambda c: c.refuse("w", None),
        lambda c: c.count("w", "strip", "blocked", refusal="policy said no"),
    ],
    ids=["tier", "target", "reason", "no reason", "refusal"],
)
def test_codes_come_from_closed_vocabularies(call):
    with pytest.raises(ValueError):
        call(DecisionCounter("serve"))


@pytest.mark.parametrize("source", ["", "Serve", "x" * 33, "serve; drop"])
def test_a_source_is_a_short_code(source):
    with pytest.raises(ValueError):
        DecisionCounter(source)


def test_stop_without_a_thread_flushes_when_given_a_registry(registry):
    counter = DecisionCounter("serve")
    counter.count("w", "unrestricted", "closed")
    assert counter.stop() is True and counter.pending() == 1
    assert counter.stop(registry) is True and counter.pending() == 0


TAMPERS = {
    "count": "UPDATE gateway_decisions SET count = count + 1 WHERE rule IS NULL AND workload = 'w'",
    "workload": "UPDATE gateway_decisions SET workload = 'TAMPERED' WHERE workload = 'w'",
    "target": "UPDATE gateway_decisions SET target = 'closed' WHERE target = 'self_hosted'",
    "some deleted": "DELETE FROM gateway_decisions WHERE rule IS NOT NULL",
    "all deleted": "DELETE FROM gateway_decisions",
}


@pytest.mark.parametrize("sql", TAMPERS.values(), ids=TAMPERS.keys())
def test_verify_catches_a_tampered_count_row_on_each_backend(registry, sql):
    counter = DecisionCounter("serve")
    counter.count("w", "self_hosted", "self_hosted", [RULE])
    counter.flush(registry)
    assert registry.verify().ok
    with registry.engine.begin() as conn:
        conn.execute(text(sql))
    report = registry.verify()
    assert report.problem and report.problem.startswith("gateway_decisions rows of event 1: ")
    assert "TAMPERED" not in report.problem
