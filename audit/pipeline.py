"""The one place the stages are wired: readers -> scanner -> policy (-> store, report by the caller).

`scan_batch` is the scan core: a pure function from a batch of records to a
batch of results, with the models loaded once per process in a ScanContext.
It is what worker processes and Spark executors call.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from audit import policy
from audit.fingerprint import fingerprint, load_secret, mask
from audit.model import Finding, ReadError, Record, RecordResult, Span, WorkloadProfile
from audit.readers import ReadOptions, read_paths
from audit.scanner.analyze import analyze_texts
from audit.scanner.engine import Engine, build_engine
from audit.settings import Settings


@dataclass
class ScanContext:
    """Everything a scan needs, built once per process."""

    settings: Settings
    engine: Engine
    policy_set: policy.PolicySet
    secret: bytes
    workloads: dict[str, WorkloadProfile] = field(default_factory=dict)
    default_workload: str | None = None
    memo: dict[bytes, tuple[Span, ...]] = field(default_factory=dict)

    def workload_for(self, record: Record) -> str | None:
        """The workload a record belongs to: the --workload option, else the record's own hint."""
        return self.default_workload or record.workload


def build_context(
    settings: Settings, workloads: dict[str, WorkloadProfile] | None = None, default_workload: str | None = None
) -> ScanContext:
    """Load the engine, the policies and the fingerprint secret."""
    return ScanContext(
        settings=settings,
        engine=build_engine(settings),
        policy_set=policy.load_policy_set(settings),
        secret=load_secret(settings.home_dir()),
        workloads=workloads or {},
        default_workload=default_workload,
    )


def text_key(text: str) -> bytes:
    """Content address of a message text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


MEMO_LIMIT = 200_000


def analyze_unique(ctx: ScanContext, texts: Iterable[str]) -> dict[bytes, tuple[Span, ...]]:
    """Spans for each distinct text, analysing each distinct text once per run."""
    wanted: dict[bytes, str] = {}
    for text in texts:
        key = text_key(text)
        if key not in ctx.memo and key not in wanted:
            wanted[key] = text
    if wanted:
        keys = list(wanted)
        for key, spans in zip(keys, analyze_texts(ctx.engine, ctx.settings, [wanted[k] for k in keys]), strict=True):
            if len(ctx.memo) >= MEMO_LIMIT:
                ctx.memo.clear()
            ctx.memo[key] = spans
    return ctx.memo


def scan_batch(ctx: ScanContext, records: list[Record]) -> list[RecordResult]:
    """Results for a batch of records, in order."""
    memo = analyze_unique(ctx, (m.text for r in records for m in r.messages))
    return [_result(ctx, r, memo) for r in records]


def _result(ctx: ScanContext, record: Record, memo) -> RecordResult:
    findings = []
    for message in record.messages:
        for span in memo[text_key(message.text)]:
            findings.append(_finding(ctx, message.index, message.role, message.text, span))
    findings_t = tuple(findings)
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

    def add_error(self, error: ReadError) -> None:
        """Count one unreadable record."""
        self.records_skipped += 1
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
    """Stream results for a stream of records, counting errors in `summary` as they pass."""

    def records_only():
        for item in items:
            if isinstance(item, ReadError):
                summary.add_error(item)
                if on_error:
                    on_error(item)
            else:
                if item.source not in summary.sources:
                    summary.sources.append(item.source)
                yield item

    for batch in batched(records_only(), ctx.settings.batch_size):
        for result in scan_batch(ctx, batch):
            summary.add(result)
            yield result


def scan_paths(
    ctx: ScanContext, paths: list[str], options: ReadOptions, summary: ScanSummary, on_error=None
) -> Iterator[RecordResult]:
    """Stream results for every record under `paths`."""
    return scan_records(ctx, read_paths(paths, options), summary, on_error)
