"""OpenAI answers: stored chat completions and their messages, Responses objects and input items, Batch output."""

from __future__ import annotations

from ._fixtures import CARD, MRN, by_id, entities_by_role, read_fixture, said

COMPLETION = "chatcmpl-AbC123stored"
RESPONSE = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b"


def test_stored_completion_answer_and_its_messages_prompt_share_an_id():
    answers = by_id(read_fixture("openai_outputs/stored_completions.json"))
    prompts = by_id(read_fixture("openai_outputs/stored_messages.json"))
    assert CARD in said(answers[COMPLETION], "assistant")
    assert answers[COMPLETION].workload == "clinic-intake"
    assert MRN in said(prompts[COMPLETION], "user") and CARD not in said(prompts[COMPLETION], "user")
    assert said(prompts[COMPLETION], "system") == "You are the intake assistant of Riverside Clinic."


def test_a_tool_call_in_the_answer_is_the_assistants():
    answers = by_id(read_fixture("openai_outputs/stored_completions.json"))
    assert CARD in said(answers["chatcmpl-AbC124stored"], "assistant")


def test_response_object_and_its_input_items():
    (response,) = by_id(read_fixture("openai_outputs/response.json")).values()
    assert response.record_id == RESPONSE and response.workload == "clinic-billing"
    assert said(response, "system") == "You answer billing questions for Riverside Clinic."
    assert said(response, "assistant") == '{"mrn":"00482913"}\nThe card on file is 4111 1111 1111 1111.'
    (items,) = read_fixture("openai_outputs/input_items.json")
    assert said(items, "user") == "Which card pays the copay for MRN 00482913?"


def test_batch_output_lines():
    records = by_id(read_fixture("openai_outputs/batch_output.jsonl"))
    assert CARD in said(records["intake-1"], "assistant")
    assert records["billing-2"].workload == "clinic-billing"  # a Responses body echoes its metadata
    assert CARD in said(records["billing-2"], "assistant")
    assert "$.error.message" in [m.path for m in records["intake-3"].messages]  # an error is still scanned


def test_scanner_finds_mrn_and_card(context):
    found = entities_by_role(context, "openai_outputs/stored_messages.json", "openai_outputs/stored_completions.json")
    assert "user" in found["MEDICAL_RECORD_NUMBER"]
    assert found["CREDIT_CARD"] == {"assistant"}
