"""Reversible redaction for the redact-then-closed route.

Identifiers become placeholders like `<PERSON_1>`; the same value gets the same
placeholder within one request. The mapping lives in memory only: its repr shows
counts, never values, and it refuses to be pickled so it cannot be persisted by accident.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from audit.model import Finding

PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*)_(\d+)>")


class Redaction:
    """Placeholder -> original value, for restoring a model's answer. Never logged, never persisted."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def placeholder_for(self, entity_type: str, value: str) -> str:
        """The placeholder of `value` (a new one the first time it is seen)."""
        for key, known in self._values.items():
            if known == value and key.startswith(f"<{entity_type}_"):
                return key
        n = sum(1 for k in self._values if k.startswith(f"<{entity_type}_")) + 1
        key = f"<{entity_type}_{n}>"
        self._values[key] = value
        return key

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholders issued, in order (no values)."""
        return tuple(self._values)

    def restore(self, text: str) -> str:
        """`text` with every known placeholder replaced by its original value."""
        return PLACEHOLDER.sub(lambda m: self._values.get(m.group(0), m.group(0)), text)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        counts = Counter(PLACEHOLDER.fullmatch(k).group(1) for k in self._values)
        return f"Redaction({len(self._values)} placeholders: {dict(sorted(counts.items()))})"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("a Redaction mapping is kept in memory only; it cannot be pickled")


def redact_text(text: str, findings: Iterable[Finding], redaction: Redaction) -> str:
    """`text` with each identifier finding replaced by its placeholder; overlaps keep the longer span."""
    chosen: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if chosen and f.start < chosen[-1].end:
            continue
        chosen.append(f)
    out, pos = [], 0
    for f in chosen:
        out.append(text[pos : f.start])
        out.append(redaction.placeholder_for(f.entity_type, text[f.start : f.end]))
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
