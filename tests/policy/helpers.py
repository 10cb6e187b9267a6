"""Findings built by hand for engine unit tests (masked previews come from the real mask())."""

from __future__ import annotations

from audit.fingerprint import mask
from audit.model import Finding
from audit.policy.shapes import shapes_of
from audit.scanner.entities import CONTEXT_TYPES


def finding(entity_type: str, value: str, message: int = 0, start: int = 0, score: float = 0.85) -> Finding:
    """A finding as the pipeline would build it, without the raw value."""
    kind = "context" if entity_type in CONTEXT_TYPES else "identifier"
    return Finding(
        message, "user", start, start + len(value), entity_type, score, "test", mask(entity_type, value),
        f"fp-{entity_type}-{value}", kind, shapes=shapes_of(value),
    )  # fmt: skip
