"""An unscanned text is never clean (issue 24, item 2): when any text of a request or record cannot be
analysed, the router raises UnscannedText instead of deciding on the rest; the gateway refuses, the
library raises, `route replay` counts the record as not scanned and exits 3."""

from __future__ import annotations

import asyncio
import json
import re
import types

import pytest

import audit
from audit.errors import EXIT_INPUT, UnscannedText
from audit.flows import load_manifest
from audit.gateway.enforce import Enforcer
from audit.gateway.payloads import request_texts
from audit.routing import Router
from audit.routing.replay import replay
from audit.scanner.normalize import fold
from audit.scanner.recognizers import credentials
from tests.conftest import run_cli
from tests.gateway.cases import FIXTURE

PHI_AND_CARD = (
    "Patient John Smith, MRN 00482913, has HIV. Charge his card "
    "\u0664\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661, cvv 123"
)
FULL_WIDTH_CARD = (
    "card \uff14\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11"
)
HIDDEN = "Jane Roe"  # a value that must never appear in an error


@pytest.fixture
def manifest(tmp_path):
    path = tmp_path / "workloads.yaml"
    path.write_text(FIXTURE.read_text().replace("CLOSED_PORT", "9").replace("SELF_PORT", "9"))
    return load_manifest(str(path))


@pytest.fixture
def broken(monkeypatch):
    """One recognizer that raises on every text, as a validator did on other scripts' digits."""

    def boom(self, text, entities, nlp_artifacts=None):
        raise ValueError(f"substring not found in {text}")

    monkeypatch.setattr(credentials.RECOGNIZERS[0], "analyze", boom)


@pytest.mark.parametrize("text", [PHI_AND_CARD, FULL_WIDTH_CARD, "card \ud800 4111 1111 1111 1111 lone surrogate"])
def test_other_scripts_digits_after_a_card_word_are_scanned_not_crashed(context, text):
    decision = Router(context).route([{"role": "user", "content": text}])
    assert "CREDIT_CARD" in decision.entities
    assert decision.target != "closed"
    if decision.target == "redact_then_closed":  # a bare PAN: the whole number is replaced, whatever its digits
        assert not re.search(r"\d{4}", fold(decision.messages[0]["content"]))


def test_the_router_refuses_a_request_it_cannot_scan(context, broken):
    with pytest.raises(UnscannedText) as err:
        Router(context).route([{"role": "system", "content": "Be brief."}, {"role": "user", "content": HIDDEN}])
    assert "could not be scanned" in str(err.value) and "ValueError" in str(err.value)
    assert HIDDEN not in str(err.value)
    assert err.value.exit_code == EXIT_INPUT


def test_the_library_route_and_scan_raise_too(context, broken):
    with pytest.raises(UnscannedText):
        audit.route([{"role": "user", "content": HIDDEN}], context=context)
    with pytest.raises(UnscannedText) as err:
        audit.scan_texts(["nothing here", HIDDEN], context=context)
    assert HIDDEN not in str(err.value)


def test_the_enforcer_raises_and_the_guardrail_refuses(context, broken, manifest):
    enforcer = Enforcer(Router(context, manifest), manifest)
    body = {"model": "closed", "messages": [{"role": "user", "content": HIDDEN}]}
    with pytest.raises(UnscannedText):
        enforcer.verdict(body, request_texts(body, "acompletion"), "helpdesk", "closed")
    pytest.importorskip("litellm")
    from fastapi import HTTPException

    from audit.gateway.litellm_guardrail import AuditGuardrail

    guardrail = AuditGuardrail.__new__(AuditGuardrail)
    guardrail.enforcer, guardrail.fail_open, guardrail.counter = enforcer, False, None
    key = types.SimpleNamespace(metadata={"llm_audit_workload": "helpdesk"}, team_metadata=None)
    with pytest.raises(HTTPException) as err:
        asyncio.run(guardrail.async_pre_call_hook(key, None, body, "acompletion"))
    assert err.value.status_code == 503 and HIDDEN not in str(err.value.detail)


def _logs(tmp_path, rows):
    logs = tmp_path / "logs.jsonl"
    logs.write_text("".join(json.dumps({"messages": [{"role": "user", "content": r}]}) + "\n" for r in rows))
    return logs


def test_replay_counts_unscanned_records_and_decides_none(context, broken, manifest, tmp_path):
    from audit.cost import load_pricing

    logs = _logs(tmp_path, ["Summarise our refund policy.", HIDDEN])
    report = replay(Router(context, manifest), [str(logs)], load_pricing(None), workload="helpdesk")
    assert report.requests == 0 and not report.by_target
    assert [e.line for e in report.unscanned] == [1, 2]
    assert all(HIDDEN not in str(e) for e in report.unscanned)


def test_route_replay_exits_3_when_a_record_is_not_scanned(tmp_path):
    """A real analysis failure in the CLI: a time budget no analysis can meet."""
    logs = _logs(tmp_path, [f"Refund the charge for {HIDDEN}."])
    config = tmp_path / "audit.toml"
    config.write_text("message_time_budget = 0.000001\n")
    args = ("route", "replay", str(logs), "--manifest", str(FIXTURE), "--workload", "helpdesk", "--config", str(config))
    proc = run_cli(*args, "--format", "json", cwd=tmp_path)
    assert proc.returncode == EXIT_INPUT, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert (data["requests"], data["unscanned"], data["by_target"]) == (0, 1, {})
    assert "not scanned" in proc.stderr.decode() or "could not be scanned" in proc.stderr.decode()
    assert HIDDEN not in proc.stderr.decode()
