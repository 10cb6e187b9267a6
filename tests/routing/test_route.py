"""The router with the real engine and policy packs: targets, reasons, reversible redaction."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from audit.flows import load_manifest
from audit.model import Tier
from audit.routing import Redaction, Router, route, router_for

FIXTURE = Path(__file__).parent.parent / "flows" / "fixtures" / "workloads.yaml"
NAME_PHONE = "Hi, I am Maria Garcia from Boston, call me at 617-555-0199 about my order."


@pytest.fixture
def router(context):
    return Router(context, load_manifest(FIXTURE))


def test_ordinary_request_goes_closed(router):
    d = router.route(
        [{"role": "user", "content": "Summarise the release notes in three bullet points."}], workload="card-disputes"
    )
    assert (d.target, d.tier, d.endpoint) == ("closed", Tier.UNRESTRICTED, "claude-sonnet")
    assert d.reasons == ("no regulated data found",) and d.redaction is None


def test_phi_on_a_workload_without_baa_stays_self_hosted(router):
    d = router.route(["Patient John Smith, MRN 00482913, was admitted with pneumonia."], workload="clinical-notes")
    assert d.target == "self_hosted" and d.endpoint == "vllm-llama-3.1-8b"
    assert any("hipaa" in r for r in d.rules) and "MEDICAL_RECORD_NUMBER" in d.entities
    assert "00482913" not in repr(d) and "John Smith" not in repr(d)


def test_full_pan_without_pci_aoc_is_tokenised_then_closed(router):
    """pci-full-pan says self_hosted; a PAN is redactable (PCI 3.4.1), so the router offers D1 after a clean re-scan."""
    d = router.route(["Refund the charge on card 4111 1111 1111 1111 please."], workload="card-disputes")
    assert d.target == "redact_then_closed" and d.rules == ("pci-dss/pci-full-pan",)
    assert d.reasons[0].startswith("pci-full-pan") and "redacted instead" in d.reasons[0]
    assert "4111" not in d.messages[0]["content"] and "<CREDIT_CARD_1>" in d.messages[0]["content"]


def test_credentials_are_blocked(router):
    d = router.route(
        ["My password is hunter2 and api key sk-abcdefghijklmnopqrstuvwxyz123456"], workload="card-disputes"
    )
    assert d.target == "blocked" and d.tier is Tier.STRIP and d.messages is None


def test_personal_data_is_redacted_reversibly(router):
    d = router.route([{"role": "system", "content": "You are helpful."}, {"role": "user", "content": NAME_PHONE}])
    assert d.target == "redact_then_closed" and d.tier is Tier.REDACT_THEN_CLOSED
    redacted = d.messages[1]["content"]
    assert "Maria Garcia" not in redacted and "617-555-0199" not in redacted
    assert "<PERSON_1>" in redacted and "<PHONE_NUMBER_1>" in redacted
    assert d.messages[0]["content"] == "You are helpful."
    assert d.redaction.restore(redacted) == NAME_PHONE
    assert (
        d.redaction.restore("Dear <PERSON_1>, we will call <PHONE_NUMBER_1>.")
        == "Dear Maria Garcia, we will call 617-555-0199."
    )


def test_redaction_mapping_never_shows_or_persists_values(router):
    d = router.route([NAME_PHONE])
    for text in (repr(d), str(d), repr(d.redaction), str(d.redaction)):
        assert "Maria" not in text and "0199" not in text
    with pytest.raises(TypeError, match="memory only"):
        pickle.dumps(d.redaction)


def test_same_value_same_placeholder():
    r = Redaction()
    assert r.placeholder_for("PERSON", "Ann") == r.placeholder_for("PERSON", "Ann") == "<PERSON_1>"
    assert r.placeholder_for("PERSON", "Bob") == "<PERSON_2>"
    assert r.restore("<PERSON_2> and <PERSON_9>") == "Bob and <PERSON_9>"


def test_workload_with_only_self_hosted_endpoints_never_routes_closed(router):
    d = router.route(["Summarise this contract clause for me."], workload="matter-review")
    assert d.target == "self_hosted" and d.endpoint == "vllm-llama-3.1-70b"


def test_route_function_reuses_one_router_per_context(context):
    assert router_for(context) is router_for(context)
    d = route(["What is the capital of France?"], context=context)
    assert d.target == "closed" and d.elapsed_ms > 0


def test_content_parts_and_plain_strings_are_accepted(router):
    d = router.route([{"role": "user", "content": [{"type": "text", "text": NAME_PHONE}]}])
    assert d.target == "redact_then_closed"
    with pytest.raises(TypeError):
        router.route([42])
