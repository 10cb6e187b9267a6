"""Through the real scanner: pack examples, and decisions on scanned text."""

from __future__ import annotations

import pytest

from audit.api import scan_texts
from audit.batch import scan_batch
from audit.model import Message, Record, Tier
from audit.policy.examples import run_examples


def _findings_for(context):
    def findings_for(texts):
        messages = tuple(Message(i, "user", t) for i, t in enumerate(texts))
        return scan_batch(context, [Record("<t>", "t", 1, messages)])[0].findings

    return findings_for


@pytest.mark.slow
def test_every_pack_example_passes_or_waits_for_a_recognizer(context):
    supported = frozenset(context.engine.get().analyzer.get_supported_entities())
    results = run_examples(context.policy_set, _findings_for(context), supported=supported)
    failures = [f"{r.rule} {r.kind}#{r.number}: {r.detail}" for r in results if not r.passed]
    assert not failures
    ran = {r.rule for r in results if not r.skipped}
    assert {
        "hipaa-phi-identifier-with-health-context",
        "pci-full-pan",
        "glba-npi-customer-with-financial-relationship",
    } <= ran


def test_scanned_phi_and_hard_negative(context):
    phi, negative = scan_texts(
        [
            "Patient John Smith, MRN 48213377, seen for chest pain on May 30th, 2022.",
            "What are the side effects of lisinopril in a 55-year-old with hypertension diagnosed in 2018?",
        ],
        context=context,
    )
    assert phi.evaluation.regulations[0] == "HIPAA" and phi.decision is Tier.SELF_HOSTED
    assert "HIPAA" not in negative.evaluation.regulations


def test_ordinary_prompt_is_unrestricted(context):
    (result,) = scan_texts(["Write a haiku about autumn leaves."], context=context)
    assert result.decision is Tier.UNRESTRICTED and not result.evaluation.rules
