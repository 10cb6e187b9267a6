"""Message scope, `unless` groups, min_count and workload triggers, on a pack written for the test."""

from __future__ import annotations

import pytest

from audit.model import Tier, WorkloadProfile
from audit.policy import evaluate_findings
from audit.policy.loader import build_policy_set

from .helpers import finding

PACK = """
id: local
version: "1"
title: Local
regulation: GLBA
rules:
  - id: same-message
    citation: c
    description: d
    remediation: r
    trigger:
      scope: message
      require:
        - {label: customer, types: [PERSON]}
        - {label: money, types: [FINANCIAL_CONTEXT]}
      unless:
        - {label: test data, types: [URL]}
    decision: self_hosted
  - id: two-emails
    citation: c
    description: d
    remediation: r
    trigger:
      require:
        - {types: [EMAIL_ADDRESS], min_count: 2}
      workload: {domain: [finance]}
    decision: redact_then_closed
"""


@pytest.fixture(scope="module")
def ps(tmp_path_factory):
    d = tmp_path_factory.mktemp("packs")
    (d / "local.yaml").write_text(PACK)
    return build_policy_set([d])


def test_message_scope_needs_both_groups_in_one_message(ps):
    apart = (finding("PERSON", "Jane Doe", message=0), finding("FINANCIAL_CONTEXT", "balance", message=1))
    together = (finding("PERSON", "Jane Doe", message=1), finding("FINANCIAL_CONTEXT", "balance", message=1, start=20))
    assert evaluate_findings(ps, apart, None).decision is Tier.UNRESTRICTED
    assert evaluate_findings(ps, together, None).decision is Tier.SELF_HOSTED


def test_unless_group_rules_the_rule_out_and_is_explained(ps):
    found = (
        finding("PERSON", "Jane Doe"),
        finding("FINANCIAL_CONTEXT", "balance", start=20),
        finding("URL", "test.example", start=40),
    )
    ev = evaluate_findings(ps, found, None)
    assert ev.decision is Tier.UNRESTRICTED
    assert any("test data" in line and "rules it out" in line for line in ev.explanation)


def test_min_count_counts_distinct_values_and_workload_trigger(ps):
    fin = WorkloadProfile("bank", domain="finance")
    same = (finding("EMAIL_ADDRESS", "a@x.com"), finding("EMAIL_ADDRESS", "a@x.com", message=1))
    two = (finding("EMAIL_ADDRESS", "a@x.com"), finding("EMAIL_ADDRESS", "b@x.com", start=10))
    assert evaluate_findings(ps, same, fin).decision is Tier.UNRESTRICTED
    assert evaluate_findings(ps, two, fin).decision is Tier.REDACT_THEN_CLOSED
    assert evaluate_findings(ps, two, None).decision is Tier.UNRESTRICTED
