"""The engine on hand-built findings: tiers, workloads, negative conditions, scopes and regulations."""

from __future__ import annotations

import pytest

from audit.model import Tier, WorkloadProfile
from audit.policy import evaluate_findings, load_policy_set
from audit.settings import Settings

from .helpers import finding

NAME = finding("PERSON", "John Smith", start=0)
DIAGNOSIS = finding("MEDICAL_CONDITION", "pneumonia", start=20)
BAA = WorkloadProfile("clinic-bot", "business_associate", "closed_api", frozenset({"BAA", "ZDR", "NO_TRAINING"}))


@pytest.fixture(scope="module")
def ps():
    return load_policy_set(Settings())


def rules(ev):
    return {h.rule for h in ev.rules}


def test_phi_without_workload_is_self_hosted(ps):
    ev = evaluate_findings(ps, (NAME, DIAGNOSIS), None)
    assert ev.decision is Tier.SELF_HOSTED
    assert "hipaa-phi-identifier-with-health-context" in rules(ev)
    assert ev.regulations == ("HIPAA", "CCPA")


def test_phi_with_baa_is_closed_with_agreement(ps):
    ev = evaluate_findings(ps, (NAME, DIAGNOSIS), BAA)
    assert ev.decision is Tier.CLOSED_WITH_AGREEMENT
    assert "HIPAA" in ev.regulations


def test_non_hipaa_entity_keeps_hipaa_regulation_but_relaxes_decision(ps):
    ev = evaluate_findings(ps, (NAME, DIAGNOSIS), WorkloadProfile("hr-bot", hipaa_entity="none"))
    assert ev.decision is Tier.REDACT_THEN_CLOSED
    assert "HIPAA" in ev.regulations


def test_baa_without_hipaa_entity_flag_still_unlocks(ps):
    ev = evaluate_findings(ps, (NAME, DIAGNOSIS), WorkloadProfile("w", agreements=frozenset({"BAA"})))
    assert ev.decision is Tier.CLOSED_WITH_AGREEMENT


@pytest.mark.parametrize(
    "findings",
    [
        (DIAGNOSIS,),  # a diagnosis alone is not PHI
        (finding("DATE_TIME", "2021"), DIAGNOSIS),  # a year alone is not a Safe Harbor date
        (finding("DATE_TIME", "55-year-old"), DIAGNOSIS),
        (finding("DATE_TIME", "last year"), DIAGNOSIS),
        (finding("US_NPI", "1245319599"), DIAGNOSIS),  # provider NPI alone
        (finding("DEA_NUMBER", "AB1234563"), DIAGNOSIS),  # provider DEA alone
        (finding("PERSON", "Chaddock"), DIAGNOSIS),  # an eponym or lone surname alone
    ],
    ids=["diagnosis", "year", "age", "relative-date", "npi", "dea", "single-word-name"],
)
def test_negative_conditions_do_not_make_phi(ps, findings):
    assert "HIPAA" not in evaluate_findings(ps, findings, None).regulations


def test_full_date_with_diagnosis_is_phi(ps):
    ev = evaluate_findings(ps, (finding("DATE_TIME", "May 30th, 2022"), DIAGNOSIS), None)
    assert ev.regulations[0] == "HIPAA"


def test_mrn_alone_is_phi(ps):
    assert "HIPAA" in evaluate_findings(ps, (finding("MEDICAL_RECORD_NUMBER", "48213377"),), None).regulations


def test_two_quasi_identifiers_with_context_are_phi(ps):
    found = (finding("PERSON", "Alvarez"), finding("LOCATION", "Tucson", start=30), DIAGNOSIS)
    ev = evaluate_findings(ps, found, None)
    assert "hipaa-phi-combined-quasi-identifiers" in rules(ev)


def test_truncated_card_is_not_pci_but_full_pan_is(ps):
    truncated = evaluate_findings(ps, (finding("CREDIT_CARD_TRUNCATED", "411111******1111"),), None)
    assert "PCI-DSS" not in truncated.regulations and truncated.decision is Tier.UNRESTRICTED
    pan = evaluate_findings(ps, (finding("CREDIT_CARD", "4111111111111111"),), None)
    assert pan.regulations == ("PCI-DSS",) and pan.decision is Tier.SELF_HOSTED
    aoc = evaluate_findings(
        ps, (finding("CREDIT_CARD", "4111111111111111"),), WorkloadProfile("p", agreements=frozenset({"PCI_AOC"}))
    )
    assert aoc.decision is Tier.CLOSED_WITH_AGREEMENT


@pytest.mark.parametrize(
    "etype",
    ["CARD_SECURITY_CODE", "CARD_TRACK_DATA", "CARD_PIN", "API_KEY", "PRIVATE_KEY", "PASSWORD", "CONNECTION_STRING"],
)
def test_sad_and_credentials_strip_whatever_the_agreements(ps, etype):
    everything = WorkloadProfile("w", "covered_entity", "closed_api", frozenset({"BAA", "PCI_AOC", "DPA", "ZDR"}))
    assert evaluate_findings(ps, (finding(etype, "123"),), everything).decision is Tier.STRIP


def test_general_pii_alone_is_redact_then_closed(ps):
    ev = evaluate_findings(ps, (finding("EMAIL_ADDRESS", "jane@example.com"),), None)
    assert ev.decision is Tier.REDACT_THEN_CLOSED and rules(ev) == {"ccpa-personal-information"}


def test_nothing_found_is_unrestricted(ps):
    ev = evaluate_findings(ps, (), None)
    assert ev == ev.__class__(explanation=ev.explanation) and ev.decision is Tier.UNRESTRICTED


def test_record_scope_joins_messages_of_a_conversation(ps):
    name_turn = finding("PHONE_NUMBER", "(415) 555-0132", message=0)
    diagnosis_turn = finding("MEDICAL_CONDITION", "type 2 diabetes", message=2)
    assert "HIPAA" in evaluate_findings(ps, (name_turn, diagnosis_turn), None).regulations


def test_rule_hit_names_masked_findings_and_indices(ps):
    ev = evaluate_findings(ps, (NAME, DIAGNOSIS), None)
    hit = next(h for h in ev.rules if h.rule == "hipaa-phi-identifier-with-health-context")
    assert hit.findings == (0, 1) and hit.policy == "hipaa" and hit.citation.startswith("45 CFR")
    assert 'PERSON "J*** S****" [#0]' in hit.reason and "John" not in hit.reason


def test_regulations_follow_the_model_order(ps):
    found = (
        NAME,
        DIAGNOSIS,
        finding("CREDIT_CARD", "4111111111111111", start=40),
        finding("FINANCIAL_CONTEXT", "balance", start=60),
    )
    ev = evaluate_findings(ps, found, None)
    assert ev.regulations == ("HIPAA", "PCI-DSS", "GLBA", "CCPA")


def test_disabled_rule_does_not_fire():
    ps = load_policy_set(Settings(disabled_rules=["ccpa-personal-information"]))
    assert evaluate_findings(ps, (finding("EMAIL_ADDRESS", "jane@example.com"),), None).decision is Tier.UNRESTRICTED
