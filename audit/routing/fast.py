"""The routing fast path: the scan's engine and recognizers on a trimmed spaCy pipeline.

Routing runs per request, so it runs spaCy with only the components NER needs
(tok2vec + ner; no tagger, parser or lemmatizer) and uses the lower-cased token
text where Presidio's context enhancer wants lemmas. Recognizers, filters and
policy are the scan's own, so a route and a scan agree on everything but the
rare context word that only matches through lemmatisation.
"""

from __future__ import annotations

import dataclasses

from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

from audit.cache import SpanMemo
from audit.pipeline import ScanContext

ROUTING_PIPES = ("tok2vec", "ner")


class RoutingNlpEngine(SpacyNlpEngine):
    """A SpacyNlpEngine sharing an already loaded pipeline, running only ROUTING_PIPES."""

    @classmethod
    def sharing(cls, loaded: SpacyNlpEngine) -> RoutingNlpEngine:
        """A routing engine over the models `loaded` already holds (nothing is loaded again)."""
        engine = cls.__new__(cls)
        engine.__dict__.update(loaded.__dict__)
        return engine

    def process_batch(self, texts, language, batch_size=1, n_process=1, as_tuples=False):
        """Like SpacyNlpEngine.process_batch, with the non-NER components disabled."""
        nlp = self.nlp[language]
        enabled = [p for p in ROUTING_PIPES if p in nlp.pipe_names]
        with nlp.select_pipes(enable=enabled):
            return list(super().process_batch(texts, language, batch_size, n_process, as_tuples))

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        """Like SpacyNlpEngine.process_text, with the non-NER components disabled."""
        return self.process_batch([text], language)[0][1]

    def _doc_to_nlp_artifact(self, doc, language: str) -> NlpArtifacts:
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        artifacts.lemmas = [t.lemma_ or t.lower_ for t in doc]
        return artifacts


def routing_context(ctx: ScanContext, fast: bool = True) -> ScanContext:
    """A context for routing: `ctx`'s engine, policy and workloads; the trimmed pipeline when `fast`."""
    if not fast:
        return dataclasses.replace(ctx, workloads=dict(ctx.workloads))
    engine = dataclasses.replace(ctx.engine, nlp_engine=RoutingNlpEngine.sharing(ctx.engine.nlp_engine))
    return dataclasses.replace(ctx, engine=engine, memo=SpanMemo(), cache=None, workloads=dict(ctx.workloads))
