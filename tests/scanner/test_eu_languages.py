"""German, French, Spanish, Italian, Dutch and Polish prompts through the real scan path (issue 27).

The fixtures (tests/scanner/fixtures/eu_languages/{lang}.jsonl) are written for this: 30 prompts per
language about fictitious people (name, street, postcode and town, phone, email, birth date, a
national ID with a valid check digit, a health detail) and 3 free-form ones, with their values, and 15
ordinary prompts with no personal data (5 of them with invoice numbers, versions and dates).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.evaluation import occurrences
from audit.model import Message, Record, Tier
from audit.pipeline import scan_records
from audit.scanner.languages import SUPPORTED
from audit.scanner.languages.detect import language_of
from audit.scanner.languages.ids import kvnr_is_valid
from audit.summary import ScanSummary

FIXTURES = Path(__file__).parent / "fixtures" / "eu_languages"
# Value recall each language reaches (printed by the test); a drop below fails.
RECALL_FLOOR = {"de": 0.95, "fr": 0.95, "es": 0.95, "it": 0.95, "nl": 0.95, "pl": 0.95}
MAX_FP_PER_1000_CHARS = 0.3


def _load(lang: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def scanned(engine, settings, tmp_path_factory):
    """{lang: [(gold record, RecordResult)]} for every fixture, scanned once through the pipeline."""
    from audit import policy
    from audit.fingerprint import load_secret
    from audit.pipeline import ScanContext

    ctx = ScanContext(
        settings=settings,
        engine=engine,
        policy_set=policy.load_policy_set(settings),
        secret=load_secret(tmp_path_factory.mktemp("secret")),
    )
    out = {}
    for lang in SUPPORTED:
        gold = _load(lang)
        records = [Record("<eu>", g["id"], n, (Message(0, "user", g["text"]),)) for n, g in enumerate(gold, 1)]
        out[lang] = list(zip(gold, scan_records(ctx, records, ScanSummary()), strict=True))
    return out


def _caught(text: str, value: str, findings) -> bool:
    return any(f.start < b and a < f.end for f in findings for a, b in occurrences(text, value))


@pytest.mark.parametrize("lang", SUPPORTED)
def test_value_recall(scanned, lang):
    """Every labelled value is covered by a finding (identifiers, or health context for the health detail)."""
    total, caught, missed = 0, 0, []
    for gold, result in scanned[lang]:
        for v in gold["values"]:
            total += 1
            if _caught(gold["text"], v["value"], result.findings):
                caught += 1
            else:
                missed.append((gold["id"], v["label"], v["value"]))
    recall = caught / total
    print(f"\n{lang}: value recall {caught}/{total} = {recall:.3f}; missed {missed}")
    assert recall >= RECALL_FLOOR[lang], missed


@pytest.mark.parametrize("lang", SUPPORTED)
def test_ordinary_prompts_have_few_false_positives(scanned, lang):
    """Identifier findings on prompts with no personal data: at most 0.3 per 1,000 characters.

    A calendar date ("fällig bis 15.03.2025") is DATE_TIME in every language, as the English rules
    report it in English prompts (a HIPAA identifier once it is about a person): keeping it is the
    "never laxer than English" rule, so dates are printed apart and not counted here.
    """
    plain = [(g, r) for g, r in scanned[lang] if g["kind"] == "ordinary"]
    chars = sum(len(g["text"]) for g, _ in plain)
    found = [(g["id"], f.entity_type, g["text"][f.start : f.end]) for g, r in plain for f in r.identifiers]
    fps = [f for f in found if f[1] != "DATE_TIME"]
    rate = 1000 * len(fps) / chars
    dates = len(found) - len(fps)
    print(f"\n{lang}: {len(fps)} false positives in {chars} characters = {rate:.2f} per 1,000: {fps}; {dates} dates")
    assert rate <= MAX_FP_PER_1000_CHARS, fps


@pytest.mark.parametrize("lang", SUPPORTED)
def test_health_with_identifier_is_gdpr_special_category(scanned, lang):
    """A prompt naming someone and their health is GDPR, decided closed_with_agreement or stricter."""
    for gold, result in scanned[lang]:
        if gold["kind"] != "pii":
            continue
        regulations = {r.upper() for r in result.evaluation.regulations}
        assert "GDPR" in regulations, (gold["id"], regulations)
        assert result.decision.rank <= Tier.CLOSED_WITH_AGREEMENT.rank, (gold["id"], result.decision)
        rules = {hit.rule for hit in result.evaluation.rules}
        assert "gdpr-special-category-data" in rules, (gold["id"], rules)


def test_ordinary_prompts_are_not_special_category(scanned):
    """No ordinary prompt trips GDPR Art. 9 (no NRP from "Telefon" or "Remarque")."""
    for lang in SUPPORTED:
        for gold, result in scanned[lang]:
            if gold["kind"] == "ordinary":
                rules = {hit.rule for hit in result.evaluation.rules}
                assert "gdpr-special-category-data" not in rules, (gold["id"], rules)


# --- the reported false positives and gates, as must / must-not tables --------------------
def _spans(engine, settings, text):
    from audit.scanner.analyze import analyze_texts

    return [(s.entity_type, text[s.start : s.end]) for s in analyze_texts(engine, settings, [text])[0]]


MUST_NOT = [
    ("Bitte schreiben Sie eine Mahnung an Herrn Jonas Albrecht, Konto 4711, Tel. 030 12345678.", "Mahnung"),
    ("Bitte schreiben Sie eine Mahnung an Herrn Jonas Albrecht, Konto 4711, Tel. 030 12345678.", "Tel"),
    ("Telefon: +49 170 1234567. Die Patientin erhält Chemotherapie wegen Brustkrebs, geb. 12.03.1975.", "Telefon"),
    ("Die Patientin erhält Chemotherapie wegen Brustkrebs, sie ist am 12.03.1975 geboren.", "Chemotherapie"),
    ("Remarque : Mme Claire Fontaine, née le 4 mai 1982, habite à Lyon.", "Remarque"),
]


@pytest.mark.parametrize(("text", "word"), MUST_NOT)
def test_english_model_false_positives_are_dropped(engine, settings, text, word):
    """The English NER's common-word names, places and NRP do not survive on these languages."""
    found = _spans(engine, settings, text)
    assert not [t for t, v in found if v == word and t in ("PERSON", "LOCATION", "NRP")], found


def test_spanish_dni_is_an_identity_document_not_health(engine, settings):
    """'DNI' in Spanish is the national identity document, not 'do not intubate'."""
    found = _spans(engine, settings, "La clienta Lucía Fernández nos ha enviado su DNI 12.345.678-Z por correo.")
    assert ("HEALTH_CONTEXT", "DNI") not in found
    assert ("ES_NIF", "12.345.678-Z") in found
    assert ("PERSON", "Lucía Fernández") in found


MUST = [
    ("de", "Herr Jonas Albrecht, geb. 03.04.1980, wohnt in der Lindenstraße 14, 10115 Berlin.", "DATE_OF_BIRTH"),
    ("fr", "Madame Claire Fontaine, née le 4 mai 1982, habite au 12 rue des Lilas, 69002 Lyon.", "DATE_OF_BIRTH"),
    ("es", "La paciente Lucía Fernández, nacida el 3 de abril de 1990, vive en Madrid.", "DATE_OF_BIRTH"),
    ("it", "Il paziente Marco Rossi, nato il 12/05/1975, abita in via Roma 12, 00184 Roma.", "LOCATION"),
    ("nl", "Mevrouw Sanne Visser, geboren op 14-02-1985, woont aan de Dorpsstraat 12, 3511 LX Utrecht.", "LOCATION"),
    ("pl", "Pani Anna Kowalska, ur. 12.03.1975, mieszka przy ul. Długa 12, 00-950 Warszawa.", "DATE_OF_BIRTH"),
]


@pytest.mark.parametrize(("lang", "text", "entity"), MUST)
def test_language_cues(engine, settings, lang, text, entity):
    """Each language's cues give our entity types, with EU_CONTEXT for the place."""
    assert language_of(text) == lang
    types = {t for t, _ in _spans(engine, settings, text)}
    assert {entity, "EU_CONTEXT", "PERSON"} <= types, types


def test_english_and_short_texts_keep_english_behaviour():
    """English, mixed English, short and unsupported-language texts are all 'en'."""
    for text in (
        "Patient John Smith, DOB 03/04/1980, lives at 12 Main St.",
        "cormac had given cormac his address: 48334 36 rue de pologne, cite de l'interieur",
        "Danke schön",
        "O paciente João Silva nasceu em Lisboa e mora na rua Augusta.",
    ):
        assert language_of(text) == "en", text


@pytest.mark.parametrize(
    "text",
    [
        "The patient, a Muslim woman from Ohio, called about her insulin.",
        "cormac had given cormac his address: 48334 36 rue de pologne, cite de l'interieur",
    ],
)
def test_gated_recognizers_answer_english_text_as_before(engine, text):
    """On English text each gated recognizer returns exactly what its own class returns."""
    from audit.scanner.languages.gate import KEEPS

    artifacts = engine.nlp_engine.process_text(text, "en")
    gated = [r for r in engine.analyzer.registry.recognizers if r.name in KEEPS]
    assert {r.name for r in gated} == set(KEEPS)
    for recognizer in gated:
        entities = recognizer.supported_entities
        original = type(recognizer).__mro__[1].analyze(recognizer, text, entities, artifacts)
        assert recognizer.analyze(text, entities, artifacts) == original


def test_unsupported_language_is_never_laxer(engine, settings):
    """A Portuguese prompt keeps every English finding: the name is still found."""
    text = "O paciente João Silva, telefone +351 912 345 678, tem diabetes."
    assert {"PHONE_NUMBER", "MEDICAL_CONDITION"} <= {t for t, _ in _spans(engine, settings, text)}


@pytest.mark.parametrize(
    ("value", "valid"), [("A123456780", True), ("A123456781", False), ("A000000000", False), ("1234567890", False)]
)
def test_kvnr_check_digit(value, valid):
    """The Krankenversichertennummer check digit (letter as 01-26, weights 1 and 2, digit sums)."""
    assert kvnr_is_valid(value) is valid
