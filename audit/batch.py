"""The scan of one batch of records: spans for its distinct texts, then each record's result.

`scan_batch` is the scan core: a pure function from a batch of records to a
batch of results, given a ScanContext (`audit.pipeline.build_context`). Worker
pools (`audit.parallel`) and Spark executors call these functions; the
pipeline streams batches through them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from audit import policy
from audit.fingerprint import fingerprint, mask
from audit.model import Finding, Message, Record, RecordResult, Span
from audit.policy.shapes import shapes_of
from audit.scanner.budget import OverBudget, time_budget

if TYPE_CHECKING:
    from audit.pipeline import ScanContext

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
            findings.append(_finding(ctx, message, span))
    # identifiers first, then context signals: the order the output contract lists them in
    findings_t = tuple(sorted(findings, key=lambda f: f.kind != "identifier"))
    name = ctx.workload_for(record)
    profile = ctx.workloads.get(name) if name else None
    evaluation = policy.evaluate(ctx.policy_set, record, findings_t, profile)
    return RecordResult(record.source, record.record_id, record.line, name, findings_t, evaluation)


def _finding(ctx: ScanContext, message: Message, span: Span) -> Finding:
    value = message.text[span.start : span.end]
    return Finding(
        message=message.index,
        role=message.role,
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
        path=message.path,
    )


def assemble_batch(ctx: ScanContext, records: list[Record], spans: dict) -> tuple[list[RecordResult], list]:
    """Results for `records` from their texts' spans, and (record position, message index, reason) per unscanned message."""
    missed: list[tuple[int, int, str]] = []
    results = []
    for position, record in enumerate(records):
        report = lambda _record, index, reason, p=position: missed.append((p, index, reason))  # noqa: E731
        results.append(_result(ctx, record, spans, report))
    return results, missed
