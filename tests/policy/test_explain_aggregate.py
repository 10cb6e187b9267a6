"""Explanations name the findings behind each rule and why stricter tiers did not apply; aggregation."""

from __future__ import annotations

import pytest

from audit.model import Tier, WorkloadProfile
from audit.policy import evaluate_findings, explain, load_policy_set
from audit.policy.aggregate import aggregate
from audit.settings import Settings

from .helpers import finding

NAME = finding("PERSON", "John Smith")
DIAGNOSIS = finding("MEDICAL_CONDITION", "pneumonia", start=20)


@pytest.fixture(scope="module")
def ps():
    return load_policy_set(Settings())


def test_explanation_lists_fired_rules_decision_and_stricter_tiers(ps):
    ev = evaluate_findings(ps, (NAME, DIAGNOSIS), None)
    lines = ev.explanation
    assert lines[0].startswith("fired ")
    assert any(line.startswith("decision: self_hosted") for line in lines)
    strip = next(line for line in lines if line.startswith("not strip:"))
    assert "credential-strip: needs credential" in strip
    assert not any(line.startswith("not self_hosted") for line in lines)


def test_explanation_says_an_agreement_relaxed_the_rule(ps):
    baa = WorkloadProfile("w", "business_associate", "closed_api", frozenset({"BAA"}))
    ev = evaluate_findings(ps, (NAME, DIAGNOSIS), baa)
    relaxed = next(line for line in ev.explanation if line.startswith("not self_hosted:"))
    assert "hipaa-phi-identifier-with-health-context: fired but decided closed_with_agreement" in relaxed
    assert "workload holds BAA" in relaxed
    assert any(
        line.startswith("advice: hipaa-phi-identifier-with-health-context") and "ZDR" in line for line in ev.explanation
    )


def test_explanation_says_which_findings_were_not_counted(ps):
    ev = evaluate_findings(ps, (finding("DATE_TIME", "2021"), DIAGNOSIS), None)
    text = explain(ev)
    assert text.startswith("decision unrestricted; regulations none")
    assert 'DATE_TIME "2021" [#0] is year_only' in text


def test_explain_never_shows_raw_values(ps):
    ev = evaluate_findings(ps, (NAME, DIAGNOSIS, finding("US_SSN", "078-05-1120", start=40)), None)
    text = explain(ev)
    assert "John" not in text and "078-05-1120" not in text and "pneumonia" not in text


def test_aggregate_takes_the_strictest_and_counts_reasons(ps):
    evs = [
        evaluate_findings(ps, (NAME, DIAGNOSIS), None),
        evaluate_findings(ps, (finding("EMAIL_ADDRESS", "a@x.com"),), None),
        evaluate_findings(ps, (finding("EMAIL_ADDRESS", "b@x.com"),), None),
        evaluate_findings(ps, (), None),
    ]
    wd = aggregate(evs)
    assert wd.tier is Tier.SELF_HOSTED and wd.records == 4
    assert dict(wd.by_tier) == {Tier.SELF_HOSTED: 1, Tier.REDACT_THEN_CLOSED: 2, Tier.UNRESTRICTED: 1}
    assert wd.regulations == (("HIPAA", 1), ("CCPA", 3))
    assert wd.top(1)[0].rule == "hipaa-phi-identifier-with-health-context"
    ccpa = next(r for r in wd.reasons if r.rule == "ccpa-personal-information")
    assert ccpa.records == 3


def test_aggregate_of_nothing_is_unrestricted():
    assert aggregate([]).tier is Tier.UNRESTRICTED
