"""Help and inspection text says what it means: no markup swallowing brackets, no Python reprs, no doubled names."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from audit import policy
from audit.policy.explain import cited
from audit.settings import Settings
from tests.conftest import SAMPLES, invoke
from tests.policy.helpers import finding


@pytest.fixture
def wide(monkeypatch):
    """Help rendered wide enough that no option's text wraps."""
    monkeypatch.setenv("COLUMNS", "250")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("scan", "--help"), "./audit.toml or [tool.llm-audit] in ./pyproject.toml"),
        (("policy", "show", "--help"), "./audit.toml or [tool.llm-audit] in ./pyproject.toml"),
        (("spark", "--help"), "pip install 'llm-audit[spark]'"),
    ],
)
def test_bracketed_text_survives_in_help(wide, args, needle):
    code, out, _ = invoke(*args)
    assert code == 0 and needle in out


def test_no_help_text_loses_a_bracket_to_rich_markup():
    """Typer renders help as rich markup, where an unescaped [word] is a style and vanishes: write \\[word]."""
    from rich.text import Text
    from typer.main import get_command

    from audit.cli import app

    def walk(cmd, path):
        yield path, cmd.help or ""
        for param in cmd.params:
            yield f"{path} {param.name}", getattr(param, "help", None) or ""
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    lost = [path for path, text in walk(get_command(app), "audit") if Text.from_markup(text).plain != _unescaped(text)]
    assert not lost, lost


def _unescaped(text: str) -> str:
    return text.replace("\\[", "[")


def test_policy_show_prints_workload_conditions_not_python_values():
    code, out, err = invoke("policy", "show", "hipaa")
    assert code == 0, err
    assert "  workload:    hipaa_entity none; lacks BAA -> redact_then_closed" in out.splitlines()
    assert not re.search(r"[({]'|'[)}]", out), "a Python tuple or dict repr"


@pytest.mark.parametrize(
    ("regulation", "citation", "shown"),
    [
        ("GDPR", "GDPR Art. 4(1), 28, 44-46", "GDPR Art. 4(1), 28, 44-46"),
        ("PCI-DSS", "PCI DSS v4.0.1 3.4.1", "PCI DSS v4.0.1 3.4.1"),
        ("42-CFR-2", "42 CFR 2.11, 2.12", "42 CFR 2.11, 2.12"),
        ("HIPAA", "45 CFR 160.103", "HIPAA 45 CFR 160.103"),
        ("CCPA", "Cal. Civ. Code 1798.140(ae)(1)(A)", "CCPA Cal. Civ. Code 1798.140(ae)(1)(A)"),
    ],
)
def test_a_citation_names_its_regulation_once(regulation, citation, shown):
    assert cited(regulation, citation) == shown


def test_explain_names_gdpr_once():
    findings = (finding("PERSON", "Anna Schmidt", score=0.9), finding("IBAN_CODE", "DE89370400440532013000", start=20))
    evaluation = policy.evaluate_findings(policy.load_policy_set(Settings()), findings, None)
    text = policy.explain(evaluation)
    assert "fired gdpr-personal-data-eu [GDPR Art. 4(1), 28, 44-46]" in text
    assert "GDPR GDPR" not in text


def test_waive_help_and_output_agree_on_the_expiry_date(wide, tmp_path):
    db = str(tmp_path / "reg.db")
    assert invoke("registry", "import", str(SAMPLES / "workloads.yaml"), "--db", db)[0] == 0
    _, help_text, _ = invoke("registry", "waive", "--help")
    assert "The date the waiver expires (YYYY-MM-DD): it holds before this date, not on it." in help_text
    tomorrow = date.today() + timedelta(days=1)
    code, out, err = invoke(
        "registry", "waive", "--workload", "code-helper", "--rule", "ccpa-personal-information",
        "--owner", "devex@example.com", "--reason", "synthetic prompts", "--expires", tomorrow.isoformat(), "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        f"waiver 1: code-helper: rule ccpa-personal-information, expires {tomorrow} (holds through {date.today()})\n"
    )
    _, shown, _ = invoke("registry", "show", "code-helper", "--db", db)
    assert f"by devex@example.com, expires {tomorrow} (active): synthetic prompts" in shown


PACK_WITH_A_BARE_TYPE = """id: mypack
version: "1"
title: t
regulation: HIPAA
rules:
  - id: r1
    citation: c
    description: d
    decision: self_hosted
    trigger:
      scope: record
      require:
        - any_of:
            - types: PERSON
    remediation: r
"""


def test_errors_speak_of_lists_not_python_tuples(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text(PACK_WITH_A_BARE_TYPE)
    code, out, _ = invoke("policy", "lint", str(pack))
    assert code == 2
    assert f"error: {pack}: rule r1: trigger.require[0].any_of[0].types: Input should be a list" in out.splitlines()
    assert "tuple" not in out


def test_since_outside_a_git_repository_says_so_in_plain_words(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chat.jsonl").write_text('{"messages": [{"role": "user", "content": "hello"}]}\n')
    code, _, err = invoke("scan", "chat.jsonl", "--since", "HEAD", "--no-registry")
    assert code == 2
    assert err == (
        "audit: error: --since compares with a git revision: the working directory is not in a git repository\n"
    )


def test_explain_on_a_hand_edited_findings_line_is_an_input_error_not_a_key_error(tmp_path):
    findings = tmp_path / "f.jsonl"
    findings.write_text('{"record": "r1", "findings": [{"start": 1}], "decision": "closed"}\n')
    code, _, err = invoke("explain", str(findings), "--record", "r1", "--no-registry")
    assert code == 3
    assert err == (
        f"audit: error: {findings}: record 'r1': each finding needs a numeric message, start and end and an "
        "entity_type\n"
    )
    code, _, err = invoke("explain", str(findings), "--record", "r10", "--no-registry")
    assert (code, err) == (3, f"audit: error: {findings}: no record with id 'r10': did you mean 'r1'?\n")
