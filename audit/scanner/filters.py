"""False-positive filters: plain predicates over (text, span), applied after Presidio.

Each filter answers "is this span a known Presidio failure mode?"; `finalize`
drops the spans any filter rejects, then resolves overlaps.
"""

from __future__ import annotations

from collections.abc import Callable

from audit.model import Span
from audit.settings import Settings

Filter = Callable[[str, Span], bool]  # True: drop the span


def _allow_listed(settings: Settings) -> Filter:
    allowed = {v.casefold() for v in settings.allow_list}
    return lambda text, span: text[span.start : span.end].casefold() in allowed


FILTERS: list[Filter] = []


def finalize(text: str, spans: list[Span], settings: Settings) -> tuple[Span, ...]:
    """Apply every filter, then keep the best span where identifiers of different types overlap."""
    active = [*FILTERS, _allow_listed(settings)] if settings.allow_list else FILTERS
    kept = [s for s in spans if not any(f(text, s) for f in active)]
    return tuple(kept)
