"""Analyze texts: spaCy in batches (nlp.pipe), Presidio's recognizers, our false-positive filters.

Every text is normalised first (`audit.scanner.normalize`: invisible characters, Unicode dashes,
spaces and digits) and its spans are mapped back to the original offsets, so the scan, the router
and the guardrail all read past the same obfuscations. Long texts are cut into windows
(`audit.scanner.windows`), analysed in slices of bounded size; the worker pool can also
analyse one text's windows in several processes (`split_text`, `analyze_windows`, `finish_text`).

`analyze_texts` is a pure function of (engine, settings, texts): no I/O, no
global state, so it runs the same in a worker process or on a Spark executor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from audit.model import Span
from audit.scanner import filters
from audit.scanner.engine import Engine
from audit.scanner.ner_scope import entities_on, ner_ranges
from audit.scanner.normalize import Normalized, normalize
from audit.scanner.recognizers import CONTEXT_ENTITIES
from audit.scanner.windows import MAX_SLICE_WINDOWS, Window, slices, spacy_view, windows
from audit.settings import Settings


def analyze_texts(
    engine: Engine, settings: Settings, texts: Sequence[str], progress: Callable[[], None] | None = None
) -> list[tuple[Span, ...]]:
    """Spans for each text, in input order. Long texts are analysed in overlapping windows, never truncated.

    Windows go through spaCy and the recognizers in slices of at most `max_chunk_chars`
    characters. `progress`, when given, is called before each slice and before the final
    filtering: a time budget per window restarts there. Spans are found on each text's normalised
    form and reported in the original text's offsets.
    """
    normalized = [normalize(text) for text in texts]
    found: list[list[Span]] = [[] for _ in texts]
    pieces = [w for i, n in enumerate(normalized) for w in windows(i, n.text, settings.max_chunk_chars)]
    for part in slices(pieces, settings.max_chunk_chars):
        if progress:
            progress()
        for w, spans in zip(part, analyze_windows(engine, settings, part), strict=True):
            found[w.index].extend(spans)
    if progress:
        progress()
    return [finish_text(settings, n, spans) for n, spans in zip(normalized, found, strict=True)]


def split_text(settings: Settings, text: str) -> tuple[Normalized, list[Window]]:
    """`text` normalised, and the windows of it that `analyze_windows` takes one by one or together.

    With `analyze_windows` on each window (in any process, in any grouping) and `finish_text`
    on their spans in window order, this gives what `analyze_texts` gives for `text`.
    """
    normalized = normalize(text)
    return normalized, windows(0, normalized.text, settings.max_chunk_chars)


def analyze_windows(engine: Engine, settings: Settings, part: Sequence[Window]) -> list[list[Span]]:
    """For each window, the spans it answers for, in the coordinates of its whole (normalised) text.

    spaCy reads the windows in one batch: keep `part` within one slice (`audit.scanner.windows.slices`).
    """
    artifacts = _nlp_artifacts(engine, [spacy_view(w.text) for w in part])
    return [
        [w.shift(s) for s in _analyze_one(engine, settings, w.text, nlp_artifacts) if w.owns(s)]
        for w, nlp_artifacts in zip(part, artifacts, strict=True)
    ]


def _nlp_artifacts(engine: Engine, views: list[str]) -> list:
    """Presidio's NLP artifacts for each text: tokens of the whole text, entities from the runs the NER reads.

    See `audit.scanner.ner_scope`: the NER reads, in one batch, only the runs of sentences where an
    entity could survive the filters. A text whose runs do not align with its tokens is read whole.
    """
    nlp = engine.nlp
    docs = [nlp.make_doc(view) for view in views]
    runs = [(i, start, end) for i, view in enumerate(views) for start, end in ner_ranges(view)]
    read = nlp.pipe((views[i][start:end] for i, start, end in runs), batch_size=MAX_SLICE_WINDOWS)
    pieces: list[list] = [[] for _ in views]
    for (i, start, _), part in zip(runs, read, strict=True):
        pieces[i].append((start, part))
    for i, doc in enumerate(docs):
        if not entities_on(doc, pieces[i]):
            docs[i] = nlp(views[i])
    return [engine.nlp_engine._doc_to_nlp_artifact(doc, "en") for doc in docs]


def finish_text(settings: Settings, normalized: Normalized, spans: list[Span]) -> tuple[Span, ...]:
    """A text's spans from those its windows found (in window order): filtered, merged, in original offsets."""
    return tuple(normalized.restore(s) for s in filters.finalize(normalized.text, _dedupe(spans), settings))


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


def _dedupe(spans: list[Span]) -> list[Span]:
    best: dict[tuple[int, int, str], Span] = {}
    for s in spans:
        key = (s.start, s.end, s.entity_type)
        if key not in best or s.score > best[key].score:
            best[key] = s
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.entity_type))
