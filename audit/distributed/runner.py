"""Driver side of a Spark scan: build the job, stream results into formats and observers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from audit import __version__
from audit.api import ScanOutcome, deliver
from audit.distributed.spark import build_payload, iter_results, result_frame, spark_session
from audit.fingerprint import load_secret
from audit.model import ReadError
from audit.pipeline import ScanSummary
from audit.policy import load_policy_set
from audit.readers import ReadOptions
from audit.report.formats import FormatOptions
from audit.settings import Settings


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
    """Scan `paths` on Spark and feed every result, in local-scan order, to the format and observers."""
    spark = spark or spark_session(master)
    payload = build_payload(settings, load_secret(settings.home_dir()), options, workloads, workload)
    frame = result_frame(spark, paths, payload, glob=glob).cache()
    if parquet:
        frame.write.mode("overwrite").parquet(parquet)
    summary = ScanSummary()
    outcome = ScanOutcome(summary)
    fmt = format_cls(sink, FormatOptions(tool_version=__version__, policy_set=load_policy_set(settings)))
    deliver(_counted(iter_results(frame), summary), fmt, outcome, observers)
    fmt.finish(summary)
    frame.unpersist()
    return outcome


def _counted(items, summary: ScanSummary):
    """Results only, counting them and the unreadable records in `summary` as a local scan does."""
    for item in items:
        if isinstance(item, ReadError):
            summary.add_error(item)
            continue
        if item.source not in summary.sources:
            summary.sources.append(item.source)
        summary.add(item)
        yield item
