"""Parallel scanning: analysis workers, ordered span resolution and result building.

- `pool`: `WorkerPool`, the analysis processes (one engine each, a time budget per message).
- `resolver`: `ParallelResolver`, which feeds the pool only unseen distinct texts and yields in input order.
- `assembly`: `assemble_in_pool`, which builds record results in a second pool.
"""

from audit.parallel.assembly import assemble_in_pool
from audit.parallel.pool import AnalysisWorkerError, Chunk, WorkerPool, default_start_method, resolve_jobs
from audit.parallel.resolver import ParallelResolver

__all__ = [
    "AnalysisWorkerError",
    "Chunk",
    "ParallelResolver",
    "WorkerPool",
    "assemble_in_pool",
    "default_start_method",
    "resolve_jobs",
]
