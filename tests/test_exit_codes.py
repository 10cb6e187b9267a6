"""Exit codes: 0 clean, 1 a decision at or above --fail-on, 2 usage or configuration error, 3 unreadable input."""

from __future__ import annotations

import json

import pytest

from audit import policy
from audit.settings import Settings
from tests.conftest import run_cli

HARMLESS = "What is the difference between a list and a tuple?\n"
CARD = json.dumps(
    {"messages": [{"role": "user", "content": "My card 4111 1111 1111 1111 exp 09/28, CVV 737, was charged twice."}]}
)

policy_missing = pytest.mark.skipif(
    not policy.load_policy_set(Settings()).packs, reason="no policy packs are installed yet, so no record is gated"
)


@pytest.fixture
def files(tmp_path):
    """Small inputs by name, plus a config with a generous time budget."""
    (tmp_path / "clean.txt").write_text(HARMLESS)
    (tmp_path / "card.jsonl").write_text(CARD + "\n")
    (tmp_path / "card_and_bad.jsonl").write_text(CARD + "\n{not json\n")
    (tmp_path / "audit.toml").write_text("message_time_budget = 600\n")
    (tmp_path / "bad.toml").write_text("no_such_setting = 1\n")
    return tmp_path


def scan(files, *args):
    return run_cli("scan", *args, "--config", str(files / "audit.toml"), cwd=files)


def test_clean_input_exits_0(files):
    proc = scan(files, "clean.txt")
    assert proc.returncode == 0, proc.stderr.decode()


@policy_missing
def test_a_gated_decision_exits_1_and_fail_on_never_exits_0(files):
    assert scan(files, "card.jsonl").returncode == 1
    assert scan(files, "card.jsonl", "--fail-on", "never").returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--no-such-option"],
        ["--format", "xml"],
        ["--fail-on", "sometimes"],
        ["--config", "missing.toml"],
        ["--config", "bad.toml"],
    ],
)
def test_usage_and_config_errors_exit_2(files, args):
    proc = run_cli("scan", "clean.txt", *args, cwd=files)
    assert proc.returncode == 2, proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


def test_no_path_is_a_usage_error(files):
    assert run_cli("scan", cwd=files).returncode == 2


@pytest.mark.parametrize("target", ["missing.jsonl", "card_and_bad.jsonl"])
def test_unreadable_input_exits_3_even_with_findings(files, target):
    proc = scan(files, target)
    assert proc.returncode == 3
    err = proc.stderr.decode()
    assert target in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["scan", "clean.txt", "--config", "missing.toml"], 2),
        (["scan", "no-such-file.jsonl", "--no-registry"], 3),
        (["registry", "list", "--db", "missing/dir/r.db"], 2),  # a named registry that is not there (issue 25)
    ],
)
def test_debug_shows_the_traceback_but_keeps_the_exit_code(files, monkeypatch, args, code):
    from tests.conftest import invoke

    monkeypatch.chdir(files)
    plain, _, plain_err = invoke(*args)
    debug, _, debug_err = invoke("--debug", *args)
    assert (plain, debug) == (code, code)
    assert "Traceback" not in plain_err
    assert "Traceback (most recent call last)" in debug_err
    assert debug_err.rstrip().splitlines()[-1] == plain_err.rstrip().splitlines()[-1]


def test_a_missing_spacy_model_is_a_usage_error_before_anything_is_read(files, monkeypatch):
    from tests.conftest import invoke

    monkeypatch.chdir(files)
    code, _, err = invoke("scan", "clean.txt", "--spacy-model", "no_such_model_pkg", "--no-registry")
    assert code == 2
    assert err.startswith("audit: error: spaCy model 'no_such_model_pkg' is not installed")
