"""Gateway decisions as evidence: count what the gateway enforced, write the counts to the registry periodically.

`audit serve` and the LiteLLM guardrail call `DecisionCounter.count` (or `.refuse`) once per request: a dict
increment under a lock, nothing else. `flush` writes what was counted since the last flush as one period
[start, end) in one registry transaction (audit.store.enforcement) and starts the next period; when the write
fails the counts stay for the next flush and one line is logged, never an exception. `start_periodic` flushes
from a daemon thread every interval, and `stop` flushes once more.

Only counts leave: workload names, tier and target codes, refusal codes from a closed vocabulary, rule ids.
Workload names come from requests, so they are treated as hostile data: cut to MAX_NAME characters, made
storable (no NUL, no lone surrogates), and past MAX_WORKLOADS distinct names in one period the rest are
counted together under OVERFLOW, so no client can grow memory without bound.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from audit.model import Tier

if TYPE_CHECKING:  # SQLAlchemy and the router load on first flush / first counter, not on import
    from audit.store.registry import Registry

REFUSALS = (  # why a gateway refused a request: codes, never text from the request
    "no-workload", "unknown-workload", "unknown-model", "unsupported-call", "blocked", "no-self-hosted",
    "self-hosted-required", "bad-request", "too-large", "unauthorised", "busy", "internal-error",
    "must-self-host", "timeout",
)  # fmt: skip
MAX_NAME = 100  # the registry's workload column (String(100))
MAX_RULE = 200
MAX_WORKLOADS = 1000  # distinct workload names kept apart per period
OVERFLOW = "(other workloads)"
DEFAULT_FLUSH_SECONDS = 60.0
_SOURCE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
log = logging.getLogger("audit.enforcement")

Key = tuple[str | None, str | None, str | None, str | None]  # workload, tier, target, refusal


class DecisionCounter:
    """Thread-safe counts of gateway decisions per (workload, tier, target, refusal) and per rule."""

    def __init__(self, source: str) -> None:
        if not _SOURCE.fullmatch(source):
            raise ValueError("source: a short lowercase code such as 'serve' or 'guardrail'")
        from audit.routing.router import TARGETS

        self.source = source
        self._targets = frozenset(TARGETS)
        self._lock = threading.Lock()  # guards the counts and the period start
        self._flushing = threading.Lock()  # one flush at a time (periodic, explicit, at stop)
        self._requests: Counter[Key] = Counter()
        self._rules: Counter[tuple[Key, str]] = Counter()
        self._names: set[str] = set()  # distinct workload names kept apart this period
        self._since = _now()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_ok = True

    def count(
        self,
        workload: str | None,
        tier: Tier | str,
        target: str,
        rules: Iterable[str] = (),
        refusal: str | None = None,
    ) -> None:
        """Count one decided request: its workload (as the request named it, or None), tier, target and the rules
        that drove it; `refusal` (one of REFUSALS) when the gateway then refused it (e.g. "blocked").
        ValueError for a code outside its vocabulary (a caller's bug, not bad input)."""
        tier_code = Tier(tier).value
        if target not in self._targets:
            raise ValueError(f"target must be one of {sorted(self._targets)}")
        _check_refusal(refusal)
        rule_ids = {_bounded(r, MAX_RULE) for r in rules}
        with self._lock:
            key = (self._workload(workload), tier_code, target, refusal)
            self._requests[key] += 1
            for rule in rule_ids:
                self._rules[key, rule] += 1

    def refuse(self, workload: str | None, reason: str) -> None:
        """Count one request the gateway refused before deciding it, for `reason`, one of REFUSALS (else ValueError)."""
        if reason is None:
            raise ValueError("refuse() needs a reason")
        _check_refusal(reason)
        with self._lock:
            self._requests[self._workload(workload), None, None, reason] += 1

    def pending(self) -> int:
        """Requests counted since the last successful flush."""
        with self._lock:
            return sum(self._requests.values())

    def flush(self, db: str | Registry) -> bool:
        """Write the counts since the last flush as one period, in one transaction, and start the next period.

        `db` is a Registry or a database URL (opened, written, closed). True when written (or nothing was
        counted); False when the write failed: the counts are kept for the next flush and one line is logged.
        """
        with self._flushing:
            with self._lock:
                requests, rules, names, start = self._requests, self._rules, self._names, self._since
                self._requests, self._rules, self._names, self._since = Counter(), Counter(), set(), _now()
                end = self._since
            if not requests:
                return True
            try:
                _write(db, self.source, start, end, requests, rules)
            except Exception as exc:  # noqa: BLE001 - a flush must never take the gateway down
                self._restore(requests, rules, names, start)
                log.warning(
                    "audit: gateway decisions (%s) not recorded, kept for the next flush: %s",
                    self.source,
                    _describe(exc),
                )
                return False
            return True

    def start_periodic(self, db: str | Registry, interval_seconds: float = DEFAULT_FLUSH_SECONDS) -> None:
        """Flush every `interval_seconds` from a daemon thread until `stop()`."""
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        if self._thread is not None:
            raise RuntimeError("periodic flushing is already running")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(db, interval_seconds), name=f"audit-{self.source}-flush", daemon=True
        )
        self._thread.start()

    def stop(self, db: str | Registry | None = None, timeout: float | None = 30.0) -> bool:
        """Stop the periodic thread, which flushes once more before it ends; returns that flush's outcome.

        Without a running thread, flushes to `db` when given (else does nothing and returns True).
        """
        thread, self._thread = self._thread, None
        if thread is None:
            return self.flush(db) if db is not None else True
        self._stop.set()
        thread.join(timeout)
        return self._last_ok and not thread.is_alive()

    def _run(self, db: str | Registry, interval: float) -> None:
        """Flush every interval and once at stop; a URL is opened once, on the first flush that can open it."""
        opened = None
        try:
            while True:
                stopping = self._stop.wait(interval)
                if isinstance(db, str) and opened is None:
                    opened = _open(db)
                self._last_ok = self.flush(opened or db)
                if stopping:
                    return
        finally:
            if opened is not None:
                opened.close()

    def _workload(self, workload) -> str | None:
        """The name as stored: bounded and storable; OVERFLOW past MAX_WORKLOADS names (caller holds the lock)."""
        if workload is None:
            return None
        name = _bounded(workload if isinstance(workload, str) else repr(workload), MAX_NAME)
        if name not in self._names:
            if len(self._names) >= MAX_WORKLOADS:
                return OVERFLOW
            self._names.add(name)
        return name

    def _restore(self, requests: Counter, rules: Counter, names: set[str], start: datetime) -> None:
        """Put back counts a failed flush took, so the next period starts where the failed one did."""
        with self._lock:
            self._requests.update(requests)
            self._rules.update(rules)
            self._names |= names
            self._since = start


def _now() -> datetime:
    return datetime.now(UTC)


def _check_refusal(code: str | None) -> None:
    if code is not None and code not in REFUSALS:
        raise ValueError(f"a refusal is one of {', '.join(REFUSALS)}")


def _bounded(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with NUL (PostgreSQL refuses it) and lone surrogates replaced."""
    cut = text[:limit].encode("utf-8", "replace").decode("utf-8")
    return cut.replace("\x00", "\ufffd")


def _write(db, source: str, start: datetime, end: datetime, requests: Counter, rules: Counter) -> None:
    from audit.store.enforcement import GatewayCount, record_gateway_counts
    from audit.store.registry import Registry

    counts = [GatewayCount(*key, None, n) for key, n in requests.items()]
    counts += [GatewayCount(*key, rule, n) for (key, rule), n in rules.items()]
    if isinstance(db, Registry):
        record_gateway_counts(db, source, start, end, counts)
        return
    registry = Registry.open(db, create=False)
    try:
        record_gateway_counts(registry, source, start, end, counts)
    finally:
        registry.close()


def _open(url: str) -> Registry | None:
    """The registry at `url`, or None when it cannot be opened now (the flush then says why)."""
    from audit.store.registry import Registry

    try:
        return Registry.open(url, create=False)
    except Exception:  # noqa: BLE001 - retried at the next interval; flush(url) logs the reason
        return None


def _describe(exc: Exception) -> str:
    """The project's own errors say what went wrong without quoting data; others are named by type only."""
    from audit.errors import AuditError

    return str(exc).splitlines()[0] if isinstance(exc, AuditError) and str(exc) else type(exc).__name__
