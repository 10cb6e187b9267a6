"""`--verify`: the redacted outputs scanned again, and what is still found there that the run did not put there.

A re-scan finds the surrogates too (a surrogate name is a name): a finding whose every word
is one this run handed out is ours. So are the values Safe Harbor lets stay and the run
kept on purpose (an age under 90, a year alone, a time of day). Everything else found is a
residual identifier: the scanner's own miss on the first pass, or a value its surrogate
could not hide. Only counts are kept, per entity type.
"""

from __future__ import annotations

from audit.readers.base import display_path
from audit.readers.inputs import InputFile, default_max_line_bytes, open_binary
from audit.redact import dates
from audit.redact.layouts import Layout, read_items, sniff
from audit.redact.pseudonyms import AGE_TYPES, DATE_TYPES, Replacer
from audit.redact.report import RedactReport
from audit.redact.rewrite import Plan


def verify_outputs(ctx, replacer: Replacer, outputs: list[str], report: RedactReport) -> None:
    """Count in `report.residual` the identifiers found in `outputs` that the run did not write."""
    from audit.pipeline import batched
    from audit.redact.run import resolve

    report.residual = 0
    for path in outputs:
        source = display_path(path)
        with open_binary(InputFile(path)) as stream:
            kind = sniff(source, stream.peek(8192)[:8192])
            if kind is None:
                continue
            items = read_items(source, stream, Layout(kind), default_max_line_bytes())
            for batch, spans in resolve(ctx, batched(items, ctx.settings.batch_size)):
                for item in batch:
                    if isinstance(item, Plan):
                        _count(ctx, replacer, item, spans, report)


def _count(ctx, replacer: Replacer, plan_: Plan, spans: dict, report: RedactReport) -> None:
    for message in plan_.messages:
        found = spans.get(ctx.key(message.text))
        if isinstance(found, str) or not found:
            continue
        for span in found:
            value = message.text[span.start : span.end]
            if span.kind == "identifier" and not _expected(replacer, span.entity_type, value):
                report.residual += 1
                report.residual_types[span.entity_type] += 1


def _expected(replacer: Replacer, entity_type: str, value: str) -> bool:
    """True for our own replacements and for values the run keeps on purpose."""
    if entity_type in AGE_TYPES and dates.cap_age(value) == value:
        return True
    if entity_type in DATE_TYPES and dates.shift_dates(value, 1) == value:
        return True
    return replacer.ours(value)
