"""Settings from a repository's config file: out-of-range values are exit 2; anything that turns detection off
for some data is said on stderr (a hostile pyproject.toml cannot quietly narrow a scan)."""

from __future__ import annotations

import pytest

from audit.settings import _warn_once
from tests.conftest import invoke

LOG = '{"messages": [{"role": "user", "content": "my SSN is 123-45-6789"}]}\n'


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "log.jsonl").write_text(LOG)
    _warn_once.cache_clear()
    yield tmp_path
    _warn_once.cache_clear()


@pytest.mark.parametrize(
    ("setting", "error"),
    [
        ("score_threshold = 1.5", "pyproject.toml: score_threshold: Input should be less than or equal to 1"),
        ("score_threshold = -0.1", "pyproject.toml: score_threshold: Input should be greater than or equal to 0"),
        ("jobs = -1", "pyproject.toml: jobs: Input should be greater than or equal to 0"),
        ("batch_size = 0", "pyproject.toml: batch_size: Input should be greater than or equal to 1"),
        ("message_time_budget = 0", "pyproject.toml: message_time_budget: Input should be greater than 0"),
    ],
)
def test_a_setting_outside_its_range_is_exit_2(repo, setting, error):
    (repo / "pyproject.toml").write_text(f"[tool.llm-audit]\n{setting}\n")
    code, out, err = invoke("scan", "log.jsonl", "--no-registry", "--no-cache")
    assert (code, out, err) == (2, "", f"audit: error: {error}\n")


def test_settings_that_turn_detection_off_are_one_warning_line(repo):
    (repo / "pyproject.toml").write_text(
        "[tool.llm-audit]\n"
        'exclude_entities = ["US_SSN", "EMAIL_ADDRESS\\u001b[2J"]\n'
        'allow_list = ["123-45-6789"]\n'
        'disabled_rules = ["gdpr-personal-data-eu"]\n'
    )
    code, _, err = invoke("scan", "log.jsonl", "--no-registry", "--no-cache", "--fail-on", "never")
    assert code == 0, err
    warning = (
        'audit: warning: detection narrowed by pyproject.toml: exclude_entities ["US_SSN", "EMAIL_ADDRESS\\u001b[2J"]; '
        'allow_list (1 values never reported); disabled_rules ["gdpr-personal-data-eu"]\n'
    )
    assert err.count("audit: warning: detection narrowed") == 1 and warning in err, err
    assert "\x1b" not in err


def test_only_these_entities_is_said_too_and_defaults_say_nothing(repo):
    (repo / "audit.toml").write_text('entities = ["PERSON"]\n')
    code, _, err = invoke("scan", "log.jsonl", "--no-registry", "--no-cache", "--fail-on", "never")
    assert code == 0 and 'detection narrowed by audit.toml: entities ["PERSON"] (only these types are detected)' in err
    (repo / "audit.toml").write_text("score_threshold = 0.5\n")
    code, _, err = invoke("scan", "log.jsonl", "--no-registry", "--no-cache", "--fail-on", "never")
    assert code == 0 and "narrowed" not in err
