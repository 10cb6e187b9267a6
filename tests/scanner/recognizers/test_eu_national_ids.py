"""EU/EEA national identification numbers (python-stdnum checks): must / must-not tables, and the GDPR pack."""

from __future__ import annotations

import pytest

from audit.scanner.entities import BY_NAME, EU_NATIONAL_IDS
from audit.scanner.recognizers import eu_national_ids
from tests.scanner.recognizers.conftest import span_of

POSITIVE = [
    ("PESEL: 44051401359", "PL_PESEL", "44051401359"),
    ("NIP 856-734-62-15 for the invoice", "PL_NIP", "856-734-62-15"),
    ("numer NIP 8567346215", "PL_NIP", "8567346215"),
    ("REGON 192598184", "PL_REGON", "192598184"),
    ("Steuer-ID 36 574 261 809", "DE_TAX_ID", "36 574 261 809"),
    ("Steueridentifikationsnummer: 36574261809", "DE_TAX_ID", "36574261809"),
    ("numéro de sécurité sociale 2 95 10 99 126 111 93", "FR_NIR", "2 95 10 99 126 111 93"),
    ("NIR 253072B07300470", "FR_NIR", "253072B07300470"),
    ("DNI 54362315K", "ES_NIF", "54362315K"),
    ("her id card says 54362315-K", "ES_NIF", "54362315-K"),
    ("NIE X2482300W", "ES_NIE", "X2482300W"),
    ("codice fiscale RCCMNL83S18D969H", "IT_FISCAL_CODE", "RCCMNL83S18D969H"),
    ("the form lists RCCMNL83S18D969H as the code", "IT_FISCAL_CODE", "RCCMNL83S18D969H"),
    ("BSN 111222333", "NL_BSN", "111222333"),
    ("burgerservicenummer: 1112.22.333", "NL_BSN", "1112.22.333"),
    ("personnummer 880320-0016", "SE_PERSONNUMMER", "880320-0016"),
    ("Rijksregisternummer 85.07.30-033.28", "BE_NATIONAL_NUMBER", "85.07.30-033.28"),
    ("SVNR 1237 010180", "AT_SOCIAL_SECURITY", "1237 010180"),
    ("NIF PT 501 964 843", "PT_NIF", "PT 501 964 843"),
    ("número de contribuinte 501964843", "PT_NIF", "501964843"),
    ("henkilötunnus 131052-308T", "FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
]

NEGATIVE = [
    ("random 44051401359 here", "PL_PESEL"),  # checksum-valid, but no label
    ("PESEL: 44051401358", "PL_PESEL"),  # bad check digit
    ("NIP 8567346216", "PL_NIP"),
    ("call 8567346215 now", "PL_NIP"),
    ("REGON 192598183", "PL_REGON"),
    ("Steuer-ID 36574261890", "DE_TAX_ID"),
    ("order 36574261809 shipped", "DE_TAX_ID"),
    ("NIR 2 95 10 99 126 111 94", "FR_NIR"),
    ("DNI 54362315Z", "ES_NIF"),
    ("NIE X2482300A", "ES_NIE"),
    ("codice fiscale RCCMNL83S18D969A", "IT_FISCAL_CODE"),
    ("BSN 111252333", "NL_BSN"),
    ("ticket 111222333 closed", "NL_BSN"),
    ("personnummer 880320-0018", "SE_PERSONNUMMER"),
    ("invoice 880320-0016", "SE_PERSONNUMMER"),
    ("Rijksregisternummer 12345678901", "BE_NATIONAL_NUMBER"),
    ("SVNR 2237 010180", "AT_SOCIAL_SECURITY"),
    ("NIF 501964844", "PT_NIF"),
    ("total 501964843 units", "PT_NIF"),
    ("henkilötunnus 131052-308U", "FI_PERSONAL_IDENTITY_CODE"),
    ("NIF 111111111", "PT_NIF"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVE)
def test_national_id_found_with_exact_span(identifiers, text, entity, value):
    assert (entity, *span_of(text, value)) in identifiers(text)


@pytest.mark.parametrize(("text", "entity"), NEGATIVE)
def test_national_id_not_found(identifiers, text, entity):
    assert [s for s in identifiers(text) if s[0] == entity] == []


def test_every_national_id_is_a_registered_identifier_type():
    emitted = {f().supported_entities[0] for f in eu_national_ids.RECOGNIZERS}
    assert emitted == EU_NATIONAL_IDS
    assert all(BY_NAME[e].kind == "identifier" for e in emitted)


def test_every_national_id_is_an_eu_signal_and_identifier_in_the_gdpr_pack(settings):
    from audit import policy

    rules = {r.id: r for pack in policy.load_policy_set(settings).packs for r in pack.rules}
    for rule_id in ("gdpr-special-category-data", "gdpr-personal-data-eu"):
        signal, identifier = rules[rule_id].trigger.require[:2]
        assert EU_NATIONAL_IDS <= set(signal.any_of[0].types), rule_id
        assert EU_NATIONAL_IDS <= {t for m in identifier.any_of for t in m.types}, rule_id
    assert set(rules["gdpr-national-identification-number"].trigger.require[0].any_of[0].types) == EU_NATIONAL_IDS


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Her PESEL is 44051401359; please update the payroll file.", "gdpr-national-identification-number"),
        ("BSN 111222333 belongs to the patient treated for type 1 diabetes.", "gdpr-special-category-data"),
        ("codice fiscale RCCMNL83S18D969H, email mario@example.com", "gdpr-personal-data-eu"),
    ],
)
def test_a_national_id_fires_gdpr_with_a_regulation_citation(context, text, rule):
    from audit.api import scan_texts

    (result,) = scan_texts([text], context=context)
    hits = {h.rule: h for h in result.evaluation.rules}
    assert rule in hits
    assert hits[rule].citation.startswith("GDPR Art.")
    assert ".py" not in hits[rule].citation and ".md" not in hits[rule].citation
