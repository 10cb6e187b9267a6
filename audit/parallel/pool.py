"""Worker processes that analyse texts: one engine per worker, and a time budget per message.

The main process sends chunks of distinct, unseen texts; each worker runs the
pure `analyze_texts` on them with its own engine, built once when the worker
starts (or inherited from the parent under the 'fork' start method), and sends
back spans only.

The time budget applies to each slice of analysis (one window of a long text,
or a few short texts: `audit.scanner.windows`): the worker reports before each
slice, and a slice that takes longer than `budget` seconds (or whose worker
dies) gets its worker killed and restarted, and the chunk's texts retried one
per chunk; a single text that still runs out of time, crashes its worker or
raises is reported as unanalysed instead of stalling the scan. A long text is
not cut off for being long: each of its windows has the whole budget.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from audit.errors import AuditError
from audit.model import Span
from audit.parallel import preload
from audit.scanner.budget import over_budget_reason

_PREFETCH = 2  # chunks assigned to a worker at once: one running, one queued behind it


class AnalysisWorkerError(AuditError):
    """A worker process could not start (its engine failed to load)."""


def resolve_jobs(jobs: int) -> int:
    """Worker count: `jobs`, or every core this process may use when 0."""
    if jobs > 0:
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_start_method() -> str:
    """'forkserver' where available, else 'spawn'.

    Not 'fork': a worker restarted mid-scan would be forked from a parent that
    by then runs threads (the result pool's), and could inherit a lock held by
    one of them and hang, which the time budget would then blame on a text.
    """
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


_PRELOAD = [
    "audit.pipeline",
    "audit.batch",
    "audit.parallel.pool",
    "audit.scanner.analyze",
    "audit.scanner.engine",
    "audit.parallel.preload",  # last: builds the engine in the server (see audit.parallel.preload)
]


@dataclass(eq=False)
class Chunk:
    """Texts analysed together. `results[i]` is a tuple of spans, or None when text i failed.

    A chunk of `windows` (one text's, from `split_text`) is analysed by `analyze_windows`:
    its results are each window's spans, which its parent's `merge` turns into the text's.
    """

    texts: list[str]
    keys: list[bytes] = field(default_factory=list)
    results: list = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)  # index -> reason
    done: bool = False
    parent: tuple[Chunk, int] | None = None
    remaining: int = 0
    windows: list | None = None
    merge: Callable[[list], tuple] | None = None  # the children's results in order -> this one text's spans

    def finish(self, results: list) -> Chunk:
        """Record results; returns the top-level chunk this belongs to."""
        self.results, self.done = results, True
        if self.parent is None:
            return self
        parent, index = self.parent
        parent.results[index] = results[0]
        if 0 in self.failures:
            parent.failures[index] = self.failures[0]
        parent.remaining -= 1
        parent.done = parent.remaining == 0
        if parent.done and parent.merge is not None:
            parent.merge_windows()
        return parent

    def merge_windows(self) -> None:
        """Make this text's result from its windows' (or its first failure, as when analysed in one piece)."""
        reason = self.failures[min(self.failures)] if self.failures else None
        if reason is None:
            try:
                spans = self.merge([s for spans in self.results for s in spans])
            except Exception as exc:  # noqa: BLE001 - reported per text, never with its content
                reason = f"analysis failed ({type(exc).__name__})"
        self.results, self.failures = ([None], {0: reason}) if reason else ([spans], {})


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object
    ready: bool = False
    preloaded: bool = False  # started with the forkserver's engine (audit.parallel.preload), not its own
    assigned: deque = field(default_factory=deque)
    head_started: float = 0.0


class WorkerPool:
    """`jobs` analysis processes fed chunk by chunk; `pump` drives them and returns finished chunks."""

    def __init__(self, settings, jobs: int, engine=None, method: str | None = None) -> None:
        self.settings = settings
        self.budget = settings.message_time_budget
        self.method = method or default_start_method()
        self._mp = multiprocessing.get_context(self.method)
        if self.method == "forkserver":
            self._mp.set_forkserver_preload(_PRELOAD)  # imports happen once, in the server
        self._engine = engine if self.method == "fork" else None
        self._waiting: deque[Chunk] = deque()
        self._finished: list[Chunk] = []
        self.restarts = 0
        with preload.settings_for_server(self.settings.model_dump_json() if self.method == "forkserver" else None):
            self.workers = [self._start() for _ in range(jobs)]

    def _start(self) -> _Worker:
        parent_conn, child_conn = self._mp.Pipe()
        args = (child_conn, self.settings.model_dump_json(), self._engine)
        process = self._mp.Process(target=_worker_main, args=args, daemon=True, name="audit-worker")
        process.start()
        child_conn.close()
        return _Worker(process, parent_conn)

    def submit(self, chunk: Chunk) -> None:
        """Queue a chunk for analysis."""
        chunk.results = [None] * len(chunk.texts)
        self._waiting.append(chunk)

    @property
    def busy(self) -> bool:
        """True while any submitted chunk is unfinished."""
        return bool(self._waiting) or any(w.assigned for w in self.workers)

    def pump(self, timeout: float) -> list[Chunk]:
        """Wait up to `timeout` seconds for progress; return the top-level chunks finished since the last call."""
        self._assign()
        conns = {w.conn: w for w in self.workers}
        deadline = self._next_deadline()
        wait_for = timeout if deadline is None else max(0.0, min(timeout, deadline - time.monotonic()))
        for conn in wait(list(conns), wait_for):
            self._receive(conns[conn])
        self._expire()
        self._assign()
        done, self._finished = self._finished, []
        return done

    def _assign(self) -> None:
        for worker in self.workers:
            while worker.ready and self._waiting and len(worker.assigned) < _PREFETCH:
                chunk = self._waiting.popleft()
                if not worker.assigned:
                    worker.head_started = time.monotonic()
                worker.assigned.append(chunk)
                try:
                    worker.conn.send(chunk.texts if chunk.windows is None else ("windows", chunk.windows))
                except (OSError, ValueError):
                    self._fail_worker(worker, "its worker process died")
                    break

    def _receive(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            if not worker.ready:
                raise AnalysisWorkerError(
                    f"an analysis worker exited while starting (exit code {worker.process.exitcode})"
                ) from None
            self._fail_worker(worker, "its worker process died")
            return
        kind, payload = message
        if kind == "ready":
            worker.ready, worker.preloaded = True, payload
            return
        if kind == "slice":  # the head chunk's next slice starts, with a budget of its own
            worker.head_started = time.monotonic()
            return
        chunk = worker.assigned.popleft()
        worker.head_started = time.monotonic()
        if kind == "ok":
            self._complete(chunk, [tuple(Span(*s) for s in spans) for spans in payload])
        else:
            self._isolate(chunk, f"analysis failed ({payload})")

    def _complete(self, chunk: Chunk, results: list) -> None:
        top = chunk.finish(results)
        if top.done:
            self._finished.append(top)

    def _next_deadline(self) -> float | None:
        ends = [w.head_started + self.budget for w in self.workers if w.ready and w.assigned]
        return min(ends, default=None)

    def _expire(self) -> None:
        now = time.monotonic()
        for worker in self.workers:
            if worker.ready and worker.assigned and now - worker.head_started > self.budget:
                self._fail_worker(worker, over_budget_reason(self.budget))

    def _fail_worker(self, worker: _Worker, reason: str) -> None:
        """Kill and replace a worker; its running chunk is isolated, its queued ones go back in line."""
        assigned = list(worker.assigned)
        worker.assigned.clear()
        _stop(worker, kill=True)
        self.restarts += 1
        self.workers[self.workers.index(worker)] = self._start()
        if assigned:
            self._waiting.extendleft(reversed(assigned[1:]))
            self._isolate(assigned[0], reason)

    def _isolate(self, chunk: Chunk, reason: str) -> None:
        """Retry a failed chunk's texts one by one; a single text that failed is reported."""
        if len(chunk.texts) == 1:
            chunk.failures[0] = reason
            self._complete(chunk, [None])
            return
        chunk.remaining = len(chunk.texts)
        singles = [Chunk([text], parent=(chunk, i)) for i, text in enumerate(chunk.texts)]
        for single in reversed(singles):
            single.results = [None]
            self._waiting.appendleft(single)

    def close(self) -> None:
        """Stop every worker."""
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            _stop(worker, kill=False)
        self.workers = []


def _stop(worker: _Worker, kill: bool) -> None:
    if not kill:
        worker.process.join(timeout=5)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join(timeout=5)
    worker.conn.close()


def _worker_main(conn, settings_json: str, engine) -> None:
    """A worker: build (or inherit) the engine once, then analyse each chunk it is sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C and stops us
    # Fresh stdio objects: a lock held by a parent thread at fork time must not block us.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    from audit.scanner.analyze import analyze_texts, analyze_windows
    from audit.settings import Settings

    settings = Settings.model_validate_json(settings_json)
    preloaded = False
    if engine is None:
        engine = preload.engine_for(settings_json)  # built and warmed once in the forkserver, shared by its forks
        preloaded = engine is not None
    if engine is None:
        from audit.scanner.engine import build_engine

        engine = build_engine(settings)
    conn.send(("ready", preloaded))
    slice_started = lambda: conn.send(("slice", None))  # noqa: E731
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        if isinstance(job, tuple):  # ("windows", some windows of one long text)
            conn.send(_analyze(analyze_windows, engine, settings, job[1]))
        else:
            conn.send(_analyze(analyze_texts, engine, settings, job, progress=slice_started))


def _analyze(analyze: Callable[..., list], *args, **kwargs) -> tuple[str, object]:
    try:
        found = analyze(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - reported per text by the main process, never with text
        return "error", type(exc).__name__
    return "ok", [[(s.start, s.end, s.entity_type, s.score, s.recognizer, s.kind) for s in spans] for spans in found]
