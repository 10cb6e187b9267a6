"""Run the same scan on Apache Spark, for log lakes larger than one machine.

Shape of the job:
- Spark's `binaryFile` source lists and fetches the inputs (local paths,
  `s3a://`, `abfss://`, `gs://`: whatever connectors the cluster has), so
  nothing engine-specific reaches the readers: each file's bytes go through
  `audit.readers.read_stream`, exactly as a local scan reads them.
- `mapInPandas` runs the scan core (`audit.batch.scan_batch`) on the
  executors. The analyzer is built once per Python worker and reused across
  tasks (Spark reuses Python workers by default), never once per batch.
- Executors return contract rows; the driver rebuilds RecordResults and feeds
  the same output formats and observers (the registry) a local scan feeds, so
  workload decisions and the registry update happen once, on the driver.

The fingerprint secret and workload profiles travel to the executors inside the
task closure (they are small); the secret is never written to the output.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from audit.model import ReadError, RecordResult, WorkloadProfile
from audit.readers import ReadOptions

RESULT_SCHEMA = "kind string, source string, line long, payload string"
_CONTEXTS: dict[str, object] = {}  # one ScanContext per Python worker process and job payload
_JOBS: dict[str, str] = {}  # the job each cached context last served


@dataclass(frozen=True)
class JobPayload:
    """Everything an executor needs to rebuild the scan context, picklable."""

    settings: dict
    secret_hex: str
    read_options: dict
    workloads: dict[str, WorkloadProfile] = field(default_factory=dict)
    default_workload: str | None = None
    job_id: str = ""

    def digest(self) -> str:
        """Identity of this payload, so one worker can serve two jobs with different settings."""
        blob = json.dumps(
            [self.settings, self.read_options, self.default_workload, sorted(self.workloads)], sort_keys=True
        )
        return hashlib.sha256((blob + self.secret_hex).encode()).hexdigest()


def _executor_context(payload: JobPayload):
    key = payload.digest()
    ctx = _CONTEXTS.get(key)
    if ctx is not None and _JOBS.get(key) != payload.job_id:
        from audit.cache import SpanMemo

        ctx.memo = SpanMemo()  # the engine outlives jobs; the per-run memo does not
    if ctx is None:
        from audit.pipeline import ScanContext
        from audit.policy import load_policy_set
        from audit.scanner.engine import build_engine
        from audit.settings import Settings

        settings = Settings(**payload.settings)
        ctx = ScanContext(
            settings=settings,
            engine=build_engine(settings),
            policy_set=load_policy_set(settings),
            secret=bytes.fromhex(payload.secret_hex),
            workloads=dict(payload.workloads),
            default_workload=payload.default_workload,
        )
        _CONTEXTS.clear()
        _CONTEXTS[key] = ctx
    _JOBS[key] = payload.job_id
    return ctx


def display_source(path: str, cwd: str | None = None) -> str:
    """Spark's `file:/abs/path` as a local scan would name it (relative to the working directory)."""
    cwd = cwd or os.getcwd()
    if path.startswith("file:"):
        path = path[len("file:") :]
        while path.startswith("//"):
            path = path[1:]
        rel = os.path.relpath(path, cwd)
        return path if rel.startswith("..") else rel
    return path


def scan_file_bytes(payload: JobPayload, source: str, content: bytes) -> Iterator[tuple[str, str, int, str]]:
    """(kind, source, line, json payload) rows for one file: the executor-side scan of one input."""
    from audit.batch import scan_batch
    from audit.pipeline import batched
    from audit.report.contract import record_to_dict

    ctx = _executor_context(payload)
    stream = io.BufferedReader(io.BytesIO(content))
    if stream.peek(2)[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    from audit.readers import read_stream

    items = read_stream(source, stream, ReadOptions(**payload.read_options))
    for batch in batched(items, ctx.settings.batch_size):
        records = []
        for item in batch:
            if isinstance(item, ReadError):
                yield "error", item.source, item.line, json.dumps({"reason": item.reason})
            else:
                records.append(item)
        for result in scan_batch(ctx, records):
            yield "result", result.source, result.line, json.dumps(record_to_dict(result), ensure_ascii=False)


def _partition_scanner(payload: JobPayload, cwd: str):
    def scan_partition(frames):
        import pandas as pd

        for frame in frames:
            rows = []
            for path, content in zip(frame["path"], frame["content"], strict=True):
                rows.extend(scan_file_bytes(payload, display_source(path, cwd), bytes(content)))
            yield pd.DataFrame(rows, columns=["kind", "source", "line", "payload"])

    return scan_partition


def spark_session(master: str | None = None, app_name: str = "llm-audit"):
    """A SparkSession: the active one, or a new one on `master` (e.g. local[2]) using this Python."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master).config("spark.ui.enabled", "false")
    return builder.config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate()


def result_frame(spark, paths: list[str], payload: JobPayload, glob: str | None = None, files_per_batch: int = 1):
    """The lazy DataFrame of (kind, source, line, payload) rows for every record under `paths`."""
    reader = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
    if glob:
        reader = reader.option("pathGlobFilter", glob)
    files = reader.load([_absolute(p) for p in paths]).select("path", "content")
    # One file per Arrow batch keeps executor memory bounded by the largest file, not the partition.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(files_per_batch))
    return files.mapInPandas(_partition_scanner(payload, os.getcwd()), RESULT_SCHEMA)


def _absolute(path: str) -> str:
    """Local paths resolved here, not against the JVM's start-up directory; URLs unchanged."""
    return path if "://" in path else os.path.abspath(path)


def iter_results(frame) -> Iterator[RecordResult | ReadError]:
    """Stream the frame's rows to the driver in local-scan order (by source, then line)."""
    from audit.report.contract import record_from_dict

    for row in frame.orderBy("source", "line").toLocalIterator():
        if row["kind"] == "error":
            yield ReadError(row["source"], row["line"], json.loads(row["payload"])["reason"])
        else:
            yield record_from_dict(json.loads(row["payload"]))


def _executor_read_options(options: ReadOptions) -> dict:
    """The read options as JSON: files an executor must skip as a list; database sources are not Spark's."""
    fields = asdict(options)
    fields["skip"] = sorted(options.skip)
    fields.pop("started_after", None)
    return fields


def build_payload(settings, secret: bytes, options: ReadOptions, workloads=None, default_workload=None) -> JobPayload:
    """The executor payload for a scan with these settings."""
    # Executors are the parallelism: no worker pool inside them, and no per-executor cache files.
    executor_settings = settings.model_copy(update={"jobs": 1, "cache": False})
    return JobPayload(
        settings=executor_settings.model_dump(),
        secret_hex=secret.hex(),
        read_options=_executor_read_options(options),
        workloads=dict(workloads or {}),
        default_workload=default_workload,
        job_id=uuid.uuid4().hex,
    )
