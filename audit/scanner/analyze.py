"""Analyze texts: spaCy in batches (nlp.pipe), Presidio's recognizers, our false-positive filters.

`analyze_texts` is a pure function of (engine, settings, texts): no I/O, no
global state, so it runs the same in a worker process or on a Spark executor.
"""

from __future__ import annotations

from collections.abc import Sequence

from audit.model import Span
from audit.scanner import filters
from audit.scanner.engine import Engine
from audit.scanner.recognizers import CONTEXT_ENTITIES
from audit.settings import Settings

CHUNK_OVERLAP = 200


def analyze_texts(engine: Engine, settings: Settings, texts: Sequence[str]) -> list[tuple[Span, ...]]:
    """Spans for each text, in input order. Long texts are chunked with overlap, never truncated."""
    pieces: list[tuple[int, int, str]] = []  # (text index, offset, chunk)
    for i, text in enumerate(texts):
        for offset, chunk in chunk_text(text, settings.max_chunk_chars):
            pieces.append((i, offset, chunk))
    found: list[list[Span]] = [[] for _ in texts]
    chunks = [p[2] for p in pieces]
    artifacts = engine.nlp_engine.process_batch(chunks, language="en", batch_size=64)
    for (i, offset, chunk), (_, nlp_artifacts) in zip(pieces, artifacts, strict=True):
        for span in _analyze_one(engine, settings, chunk, nlp_artifacts):
            found[i].append(_shift(span, offset))
    return [filters.finalize(texts[i], _dedupe(spans), settings) for i, spans in enumerate(found)]


def _analyze_one(engine: Engine, settings: Settings, text: str, nlp_artifacts) -> list[Span]:
    results = engine.analyzer.analyze(
        text=text,
        language="en",
        entities=settings.entities,
        score_threshold=settings.score_threshold,
        allow_list=settings.allow_list or None,
        nlp_artifacts=nlp_artifacts,
    )
    spans = []
    for r in results:
        if r.entity_type in settings.exclude_entities:
            continue
        name = (r.recognition_metadata or {}).get("recognizer_name", "")
        kind = "context" if r.entity_type in CONTEXT_ENTITIES else "identifier"
        spans.append(Span(r.start, r.end, r.entity_type, round(float(r.score), 4), name, kind))
    return spans


def chunk_text(text: str, size: int, overlap: int = CHUNK_OVERLAP) -> list[tuple[int, str]]:
    """Split `text` into (offset, chunk) pieces of at most `size` chars, overlapping by `overlap`.

    Cuts fall on whitespace where there is some, so a token is never split in the middle.
    """
    if len(text) <= size:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        out.append((start, text[start:end]))
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return out


def _shift(span: Span, offset: int) -> Span:
    if not offset:
        return span
    return Span(span.start + offset, span.end + offset, span.entity_type, span.score, span.recognizer, span.kind)


def _dedupe(spans: list[Span]) -> list[Span]:
    best: dict[tuple[int, int, str], Span] = {}
    for s in spans:
        key = (s.start, s.end, s.entity_type)
        if key not in best or s.score > best[key].score:
            best[key] = s
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.entity_type))
