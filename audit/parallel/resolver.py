"""Spans for a stream of record batches from the worker pool, in input order, with bounded memory."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from audit.batch import analyze_unique
from audit.parallel.pool import Chunk, WorkerPool

_MISSING = object()
# An input whose unseen texts come to no more than this is analysed in this process: starting workers
# (a forkserver that loads the engine) would cost more than the analysis. It is decided for the whole
# input, one batch ahead, not batch by batch: a log of short prompts never filled one batch's allowance,
# and was analysed in this one process from start to end while the other cores stayed idle; and an
# input that goes on to need the pool does not load a second engine here first.
IN_PROCESS_TEXTS = 256
IN_PROCESS_CHARS = 20_000


@dataclass(eq=False)
class _Batch:
    records: list
    spans: dict  # key -> spans, or a str: why the text could not be analysed
    waiting: dict  # key -> (top-level Chunk, index) still being analysed


class ParallelResolver:
    """Spans for a stream of record batches, analysed by a worker pool, yielded in input order.

    Batches are planned as they are read (memo, then the persistent cache,
    then texts already in flight); only unseen distinct texts go to workers.
    At most `2 * jobs + 2` batches are held, so memory stays bounded however
    long the input, while the workers always have queued work.
    """

    def __init__(self, ctx, jobs: int, method: str | None = None) -> None:
        self.ctx = ctx
        self.jobs = jobs
        self.method = method
        self.pool: WorkerPool | None = None
        self.max_window = 2 * jobs + 2
        self.chunk_texts = max(1, min(64, ctx.settings.batch_size))
        self._inflight: dict[bytes, tuple[Chunk, int]] = {}
        self._window: deque[_Batch] = deque()

    def run(self, batches):
        """Yield (records, spans by key) for each batch of records, in order."""
        try:
            batches = iter(batches)
            records = next(batches, None)
            while records is not None:
                following = next(batches, None)  # one batch ahead: is this input small enough for this process?
                self._window.append(self._plan(records, last=following is None))
                yield from self._emit(drain=False)
                records = following
            yield from self._emit(drain=True)
        finally:
            if self.pool is not None:
                self.pool.close()
                self.pool = None

    def _plan(self, records: list, last: bool) -> _Batch:
        ctx, batch, need = self.ctx, _Batch(records, {}, {}), {}
        for record in records:
            for message in record.messages:
                key = ctx.key(message.text)
                if key in batch.spans or key in batch.waiting or key in need:
                    continue
                known = ctx.memo.get(key, _MISSING)
                if known is not _MISSING:
                    batch.spans[key] = known
                elif key in self._inflight:
                    batch.waiting[key] = self._inflight[key]
                else:
                    need[key] = message.text
        if need and ctx.cache is not None:
            for key, spans in ctx.cache.get_many(need).items():
                ctx.memo.put(key, spans)
                batch.spans[key] = spans
                del need[key]
        if need and self.pool is None and last and _small(need):
            batch.spans.update(analyze_unique(ctx, need.values()))
            need = {}
        for key in [k for k, text in need.items() if len(text) > ctx.settings.max_chunk_chars]:
            self._inflight[key] = batch.waiting[key] = (self._submit_windows(key, need.pop(key)), 0)
        keys = list(need)
        for i in range(0, len(keys), self.chunk_texts):
            part = keys[i : i + self.chunk_texts]
            chunk = Chunk([need[k] for k in part], keys=part)
            self._start_pool().submit(chunk)
            for index, key in enumerate(part):
                self._inflight[key] = batch.waiting[key] = (chunk, index)
        return batch

    def _submit_windows(self, key: bytes, text: str) -> Chunk:
        """A text of several windows: each window a chunk of its own, so that every worker takes a share.

        One message of megabytes would otherwise keep one worker busy for minutes while the
        others wait. The windows' spans are merged here, as `analyze_texts` merges them.
        """
        from audit.scanner.analyze import finish_text, split_text  # spaCy and Presidio: only when needed

        settings = self.ctx.settings
        normalized, parts = split_text(settings, text)
        parent = Chunk([text], keys=[key], merge=lambda spans: finish_text(settings, normalized, spans))
        parent.results, parent.remaining = [None] * len(parts), len(parts)
        pool = self._start_pool()
        for index, window in enumerate(parts):
            pool.submit(Chunk([window.text], windows=[window], parent=(parent, index)))
        return parent

    def _start_pool(self) -> WorkerPool:
        if self.pool is None:
            self.pool = WorkerPool(self.ctx.settings, self.jobs, engine=self.ctx.engine.loaded, method=self.method)
        return self.pool

    def _emit(self, drain: bool):
        """Yield finished head batches; wait for the head while the window is over-full (or draining)."""
        self._collect(0.0)
        while self._window:
            head = self._window[0]
            if not _ready(head):
                if not (drain or len(self._window) > self.max_window):
                    return
                while not _ready(head):
                    self._collect(1.0)
            self._window.popleft()
            for key, (chunk, index) in head.waiting.items():
                head.spans[key] = chunk.failures.get(index) or chunk.results[index]
            yield head.records, head.spans

    def _collect(self, timeout: float) -> None:
        if self.pool is None:
            return
        cache = self.ctx.cache
        for chunk in self.pool.pump(timeout):
            for index, key in enumerate(chunk.keys):
                value = chunk.failures.get(index) or chunk.results[index]
                self.ctx.memo.put(key, value)
                if cache is not None and index not in chunk.failures:
                    cache.put(key, value)
                if self._inflight.get(key, (None,))[0] is chunk:
                    del self._inflight[key]


def _small(need: dict) -> bool:
    """True when `need`, the last batch's unseen texts, fits the allowance."""
    return len(need) <= IN_PROCESS_TEXTS and sum(len(t) for t in need.values()) <= IN_PROCESS_CHARS


def _ready(batch: _Batch) -> bool:
    return all(chunk.done for chunk, _ in batch.waiting.values())
