"""Driver side of a Spark scan: `SparkExecutor`, the Spark executor behind `api.scan_to` and `run_scan`.

The job runs on the executors (`audit.distributed.spark`); the driver streams
its results back in local-scan order. Outputs, the registry, the baseline and
the gate are the scan assembly's (`audit.scan_request`), as for a local scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from audit.api import ScanOutcome, scan_to
from audit.distributed.spark import build_payload, iter_results, result_frame, spark_session
from audit.executor import Execution, ScanJob
from audit.fingerprint import load_secret
from audit.policy import load_policy_set
from audit.readers import ReadOptions
from audit.settings import Settings
from audit.summary import ScanSummary, readable


@dataclass
class SparkExecutor:
    """Scan on Spark: `master` (default: the active session or spark-submit's), files matching `glob`,
    and the result rows also written as Parquet at `parquet`. `spark`: a session to use as is."""

    master: str | None = None
    glob: str | None = None
    parquet: str | None = None
    spark: object = None

    @contextmanager
    def run(self, job: ScanJob, summary: ScanSummary) -> Iterator[Execution]:
        """The job's results from the cluster, counted in `summary` as a local scan counts them."""
        spark = self.spark or spark_session(self.master)
        secret = load_secret(job.settings.home_dir())
        payload = build_payload(job.settings, secret, job.options, job.workloads, job.workload)
        frame = result_frame(spark, job.paths, payload, glob=self.glob).cache()
        if self.parquet:
            frame.write.mode("overwrite").parquet(self.parquet)
        try:
            results = readable(iter_results(frame), summary, job.on_error)
            yield Execution(load_policy_set(job.settings), _counted(results, summary))
        finally:
            frame.unpersist()


def _counted(results: Iterable, summary: ScanSummary) -> Iterator:
    for result in results:
        summary.add(result)
        yield result


def run_spark_scan(
    paths: list[str],
    settings: Settings,
    options: ReadOptions,
    format_cls: type,
    sink: TextIO,
    master: str | None = None,
    workload: str | None = None,
    workloads: dict | None = None,
    glob: str | None = None,
    parquet: str | None = None,
    observers: Iterable = (),
    spark=None,
) -> ScanOutcome:
    """`api.scan_to` on Spark: every result, in local-scan order, fed to the format and observers."""
    executor = SparkExecutor(master=master, glob=glob, parquet=parquet, spark=spark)
    return scan_to(
        paths, settings, options, format_cls, sink, workload=workload, workloads=workloads, observers=observers,
        executor=executor,
    )  # fmt: skip
