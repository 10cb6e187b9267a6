"""Building record results (fingerprints, policy evaluation) in a process pool, in input order."""

from __future__ import annotations

import dataclasses
import multiprocessing
import signal
from collections import deque

from audit.batch import assemble_batch
from audit.cache import SpanMemo
from audit.parallel.pool import default_start_method

_ASSEMBLY_CONTEXT = None  # set once in each assembly worker process by its initializer


def assemble_in_pool(ctx, jobs: int, resolved, method: str | None = None):
    """(records, results, missed) per resolved batch, built by `jobs` processes, in input order.

    Building results (fingerprints, policy evaluation) costs more than a
    cache hit, so on a warm cache this is where the time goes. At most
    `2 * jobs + 2` batches are out at once. The first batch is built in this
    process, so an input of one batch never starts the pool.
    """
    # 'fork' here is safe and starts in milliseconds: the pool forks its workers before it starts its
    # own threads, and they need no engine; the analysis workers avoid 'fork' (see default_start_method).
    mp = multiprocessing.get_context(
        method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else default_start_method())
    )
    light = dataclasses.replace(ctx, engine=None, memo=SpanMemo(limit=1), cache=None)
    pool = None
    pending: deque = deque()
    resolved = iter(resolved)
    first = next(resolved, None)
    if first is not None:
        yield (first[0], *assemble_batch(ctx, *first))
    try:
        for records, spans in resolved:
            if pool is None:
                pool = mp.Pool(jobs, initializer=_init_assembly, initargs=(light,))
            pending.append((records, pool.apply_async(_assemble_batch, (records, spans))))
            while pending and (len(pending) > 2 * jobs + 2 or pending[0][1].ready()):
                records, result = pending.popleft()
                yield (records, *result.get())
        while pending:
            records, result = pending.popleft()
            yield (records, *result.get())
    finally:
        if pool is not None:
            pool.terminate() if pending else pool.close()
            pool.join()


def _init_assembly(ctx) -> None:
    global _ASSEMBLY_CONTEXT
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ASSEMBLY_CONTEXT = ctx


def _assemble_batch(records, spans):
    return assemble_batch(_ASSEMBLY_CONTEXT, records, spans)
