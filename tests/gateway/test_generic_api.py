"""LiteLLM's Generic Guardrail API answered with the guardrail's verdicts (the workload from authenticated aliases)."""

from __future__ import annotations

import pytest

from audit.gateway.enforce import Enforcer
from audit.gateway.generic_api import GenericGuardrail
from tests.gateway.cases import PHI, PII, SECRET


@pytest.fixture
def api(parts):
    router, manifest = parts
    return GenericGuardrail(Enforcer(router, manifest))


def call(texts, team=None, key=None, model="closed", call_id="c1", input_type="request", **extra):
    meta = {"user_api_key_team_alias": team, "user_api_key_alias": key}
    return {
        "input_type": input_type,
        "texts": texts,
        "model": model,
        "litellm_call_id": call_id,
        "request_data": meta,
        **extra,
    }


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


def test_clean_text_passes_and_bad_texts_raise(api):
    assert api.answer(call(["What is 2 + 2?"], team="helpdesk"))[0] == {"action": "NONE"}
    with pytest.raises(ValueError):
        api.answer(call([{"text": "x"}], team="helpdesk"))
