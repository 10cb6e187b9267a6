"""Where a scan's records are analysed: the executors behind `api.scan_to` and `scan_request.run_scan`.

An executor turns a ScanJob into an Execution: the policy set the outputs
describe, and the stream of results in input order, each counted in the scan's
summary (unreadable records too, passed to `job.on_error`). Everything else
(outputs, registry, baseline, gate) is the caller's and the same for every executor.

- `LocalExecutor`: this machine, in process or through worker pools (`settings.jobs`).
- `audit.distributed.runner.SparkExecutor`: an Apache Spark cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from audit.model import ReadError, RecordResult, WorkloadProfile
from audit.readers import ReadOptions
from audit.settings import Settings
from audit.summary import ScanSummary


@dataclass(frozen=True)
class ScanJob:
    """What an executor scans, and how."""

    paths: list[str]
    settings: Settings
    options: ReadOptions
    workloads: dict[str, WorkloadProfile] | None = None
    workload: str | None = None  # every record is attributed to it when set
    on_error: Callable[[ReadError], None] | None = None


@dataclass(frozen=True)
class Execution:
    """A running scan: the policy set its results were decided by, and the results."""

    policy_set: object
    results: Iterable[RecordResult]


class Executor(Protocol):
    """The one interface every executor implements."""

    def run(self, job: ScanJob, summary: ScanSummary) -> AbstractContextManager[Execution]:
        """A context yielding the job's Execution; leaving it releases what the scan held (caches, pools)."""


class LocalExecutor:
    """Scan on this machine: in this process for one job or a small input, else through worker pools."""

    @contextmanager
    def run(self, job: ScanJob, summary: ScanSummary) -> Iterator[Execution]:
        """The pipeline's stream of results for `job`; the span cache is written when the block ends."""
        from audit import pipeline  # loaded on first use: registry and policy commands never need it

        ctx = pipeline.build_context(job.settings, workloads=job.workloads, default_workload=job.workload)
        try:
            yield Execution(ctx.policy_set, pipeline.scan_paths(ctx, job.paths, job.options, summary, job.on_error))
        finally:
            ctx.close()
