"""LiteLLM's Generic Guardrail API answered with the guardrail's verdicts (the workload from authenticated aliases).

The calls are shaped as LiteLLM 1.108.7 sends them (`texts` plus `images`, `structured_messages`, `tools`,
`tool_calls`): the whole call is judged, and nothing it cannot read, or cannot write back, reaches `closed`.
"""

from __future__ import annotations

import base64
import dataclasses

import pytest

from audit.gateway.enforce import Enforcer, Verdict
from audit.gateway.generic_api import GenericGuardrail, _self_host_reason
from tests.gateway.cases import PHI, PII, SECRET

PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
TEXT_FILE = "data:text/plain;base64," + base64.b64encode(PII.encode()).decode()


@pytest.fixture
def api(parts):
    router, manifest = parts
    return GenericGuardrail(Enforcer(router, manifest))


def call(texts, team=None, key=None, model="closed", call_id="c1", input_type="request", key_hash=None, **extra):
    meta = {"user_api_key_team_alias": team, "user_api_key_alias": key, "user_api_key_hash": key_hash}
    return {
        "input_type": input_type,
        "texts": texts,
        "model": model,
        "litellm_call_id": call_id,
        "request_data": meta,
        **extra,
    }


def user(*parts, role="user"):
    return {"role": role, "content": list(parts)}


def test_redaction_there_and_restoration_on_the_way_back(api):
    answer, verdict = api.answer(call([PII], team="helpdesk"))
    assert answer == {
        "action": "GUARDRAIL_INTERVENED",
        "texts": ["Hi, I am <PERSON_1>, call me at <PHONE_NUMBER_1> about my order"],
    }
    assert verdict.action == "redact"
    back, _ = api.answer(call(["Dear <PERSON_1>, we will call <PHONE_NUMBER_1>."], input_type="response"))
    assert back == {"action": "GUARDRAIL_INTERVENED", "texts": ["Dear Maria Garcia, we will call 617-555-0199."]}
    again, _ = api.answer(call(["<PERSON_1>"], input_type="response"))
    assert again == {"action": "NONE"}  # the mapping is used once, then dropped


def test_the_mapping_goes_back_only_to_the_credential_and_key_that_made_it(api):
    api.answer(call([PII], team="helpdesk", key_hash="h-of-the-key"), caller="serve-token")
    answer = ["Dear <PERSON_1>"]
    for caller, key_hash in (("", "h-of-the-key"), ("other", "h-of-the-key"), ("serve-token", "h-of-another-key")):
        probe, _ = api.answer(call(answer, input_type="response", key_hash=key_hash), caller=caller)
        assert probe == {"action": "NONE"}  # a wrong guess neither gets the values nor spends the mapping
    back, _ = api.answer(call(answer, input_type="response", key_hash="h-of-the-key"), caller="serve-token")
    assert back["texts"] == ["Dear Maria Garcia"]


def test_without_restoration_no_mapping_is_kept(parts):
    router, manifest = parts
    api = GenericGuardrail(Enforcer(router, manifest), restore=False)
    assert api.answer(call([PII], team="helpdesk"))[0]["action"] == "GUARDRAIL_INTERVENED"
    assert api.answer(call(["<PERSON_1>"], input_type="response"))[0] == {"action": "NONE"}
    assert not api.pending._kept


def test_requests_that_must_stay_self_hosted_or_be_stripped_are_blocked_with_the_reason(api):
    phi, _ = api.answer(call([PHI], key="intake"))
    assert phi["action"] == "BLOCKED" and "send this request to model 'self_hosted'" in phi["blocked_reason"]
    assert "HIPAA" in phi["blocked_reason"] and "00482913" not in phi["blocked_reason"]
    secret, _ = api.answer(call([SECRET], team="helpdesk"))
    assert secret["action"] == "BLOCKED" and "credential-strip" in secret["blocked_reason"]
    assert "hunter2" not in secret["blocked_reason"]


def test_the_workload_never_comes_from_request_parameters(api):
    body = call(["hello"], additional_provider_specific_params={"workload": "helpdesk"})
    answer, verdict = api.answer(body)
    assert answer["action"] == "BLOCKED" and verdict.code == "no-workload"


def test_clean_text_passes(api):
    assert api.answer(call(["What is 2 + 2?"], team="helpdesk"))[0] == {"action": "NONE"}
    messages = [user({"type": "text", "text": "What is 2 + 2?"})]
    assert api.answer(call(["What is 2 + 2?"], team="helpdesk", structured_messages=messages))[0]["action"] == "NONE"


def test_identifiers_in_texts_that_also_appear_in_the_structured_messages_are_redacted(api):
    messages = [{"role": "system", "content": "You are a helpdesk."}, user({"type": "text", "text": PII})]
    answer, _ = api.answer(call(["You are a helpdesk.", PII], team="helpdesk", structured_messages=messages))
    assert answer["action"] == "GUARDRAIL_INTERVENED" and "Maria" not in str(answer["texts"])


# Each probe carries what LiteLLM cannot write back, or what cannot be read as text, next to a harmless `texts`.
UNSEEN = {
    "image in images": {
        "images": [PNG],
        "structured_messages": [user({"type": "image_url", "image_url": {"url": PNG}})],
    },
    "image url": {"images": ["https://files.example/scan-of-id-card.png"]},
    "file carrying text": {"structured_messages": [user({"type": "file", "file": {"file_data": TEXT_FILE}})]},
    "input_image": {"structured_messages": [user({"type": "input_image", "image_url": PNG})]},
    "input_file": {"structured_messages": [user({"type": "input_file", "file_data": TEXT_FILE})]},
    "audio": {
        "structured_messages": [user({"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}})]
    },
    "dict content": {"structured_messages": [{"role": "user", "content": {"text": PII}}]},
    "token array part": {"structured_messages": [user([3, 14, 15, 92])]},
    "unknown part": {"structured_messages": [user({"type": "document", "source": {"data": PII}})]},
    "parts LiteLLM dropped": {"structured_messages": [{"role": "assistant", "content": []}]},
    "refusal part": {"structured_messages": [user({"type": "refusal", "refusal": PII}, role="assistant")]},
    "tool call arguments": {
        "tool_calls": [
            {"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": '{"who": "' + PII + '"}'}}
        ]
    },
    "tool call in a message": {
        "structured_messages": [
            {"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "f", "arguments": PII}}]}
        ]
    },
    "tool definition": {"tools": [{"type": "function", "function": {"name": "lookup", "description": PII}}]},
    "message name": {"structured_messages": [{"role": "user", "content": "hello", "name": PII}]},
}


@pytest.mark.parametrize("probe", sorted(UNSEEN))
def test_what_cannot_be_read_or_written_back_never_goes_to_the_closed_model(api, probe):
    answer, verdict = api.answer(call(["Please help me with this."], team="helpdesk", **UNSEEN[probe]))
    assert answer["action"] == "BLOCKED", answer
    assert "send this request to model 'self_hosted'" in answer["blocked_reason"]
    assert "Maria" not in answer["blocked_reason"] and "617" not in answer["blocked_reason"]
    assert verdict.action == "reroute"


def test_a_closed_only_workload_refuses_what_it_cannot_read(api):
    answer, verdict = api.answer(call(["Describe this."], team="closed-only", images=[PNG]))
    assert answer["action"] == "BLOCKED" and verdict.action == "refuse" and verdict.code == "self-hosted-required"


def test_text_entries_that_are_not_strings_are_unreadable_not_errors(api):
    answer, verdict = api.answer(call(["hello", [101, 102, 103]], team="helpdesk"))
    assert answer["action"] == "BLOCKED" and verdict.action == "reroute"


def test_the_reason_to_self_host_is_the_rule_that_asks_for_it(parts):
    router, _ = parts
    decision = router.route([PHI], "intake")
    redact_first = (
        "ccpa-personal-information [CCPA; Cal. Civ. Code 1798.140(v)(1)(A)]: redact_then_closed on PERSON",
        *decision.reasons,
    )
    decision = dataclasses.replace(decision, reasons=redact_first)
    verdict = Verdict("reroute", "intake", "self_hosted", reason=redact_first[0], decision=decision)
    reason = _self_host_reason(verdict)
    assert "self_hosted" in reason and "redact_then_closed" not in reason
