"""The pre-commit hooks: prompt logs only, never manifests or the baseline; a failure names its file and line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, invoke

HOOKS = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
CARD = "Card 4111 1111 1111 1111 exp 04/27 for Angela Foster, angela.foster@example.com"

LOGS = [
    "logs/app.json", "logs/2024/11/export.csv", "prompts/p.txt", "transcripts/call.txt", "data/app.jsonl",
    "x.ndjson", "server.log", "server.log.gz", "chat-export.json", "exports/prompt_log.csv", "completions.json",
    "support.chat.json", "samples/logs/tickets_export.csv",
]  # fmt: skip
NOT_LOGS = [
    ".llm-audit-baseline.json", "logs/.llm-audit-baseline.json", "package.json", "logs/package.json",
    "package-lock.json", "tsconfig.json", "tsconfig.build.json", "composer.json", "logs/composer.lock",
    "requirements.txt", "logs/requirements-dev.txt", "logs/event.schema.json", "changelog.txt", "catalog.json",
    "dialog.json", "config.json", "chatbot-config.json", "data/users.csv", "README.txt", "pyproject.toml",
]  # fmt: skip


def selected(hook: dict, path: str) -> bool:
    """What pre-commit does with `files` and `exclude`: re.search on the repository-relative path."""
    return bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hooks_select_prompt_logs_only(hook):
    assert [p for p in LOGS if not selected(HOOKS[hook], p)] == []
    assert [p for p in NOT_LOGS if selected(HOOKS[hook], p)] == []


def chat(text: str, record: str) -> str:
    return json.dumps({"id": record, "messages": [{"role": "user", "content": text}]})


@pytest.fixture
def project(tmp_path) -> Path:
    """A project with a prompt log, manifests beside it, and a config with a generous time budget, one job."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "chat.jsonl").write_text(chat(CARD, "c1") + "\n")
    (tmp_path / "package.json").write_text('{"name": "web", "version": "1.0.0"}\n')
    (tmp_path / "logs" / "package.json").write_text('{"name": "logs", "private": true}\n')
    (tmp_path / "audit.toml").write_text("message_time_budget = 600\njobs = 1\n")
    return tmp_path


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_a_quiet_hook_names_the_file_and_line_that_stopped_it(project, monkeypatch, hook):
    monkeypatch.chdir(project)
    with open("logs/chat.jsonl", "a") as fh:
        fh.write('{"id": "c2", "messages": [\n')
    if hook == "llm-audit-baseline":
        assert invoke("baseline", "create", "logs/chat.jsonl", "-q")[0] == 3
    command, *args = HOOKS[hook]["entry"].split()
    code, out, err = invoke(*args, "logs/chat.jsonl")
    assert (command, code) == ("audit", 3)
    assert err.splitlines() == ["audit: skipped logs/chat.jsonl:2: invalid JSON: Expecting value at column 27"]


def test_a_quiet_baseline_hook_says_when_the_baseline_has_another_secret(project, monkeypatch, tmp_path):
    monkeypatch.chdir(project)
    assert invoke("baseline", "create", "logs/chat.jsonl", "-q")[0] == 0
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path / "another-install"))
    _, *args = HOOKS["llm-audit-baseline"]["entry"].split()
    code, out, err = invoke(*args, "logs/chat.jsonl")
    assert code == 1 and "\nfinding source:line=logs/chat.jsonl:1 record=c1 " in out
    assert "baseline .llm-audit-baseline.json: made with another fingerprint secret" in err


@pytest.mark.slow
def test_pre_commit_try_repo_runs_both_hooks_on_the_log_only(project, tmp_path):
    """The real pre-commit installs this checkout (uncommitted changes included) and runs both hooks."""
    os.chdir(project)
    try:
        code, _, err = invoke("baseline", "create", "logs/chat.jsonl", "-q")
    finally:
        os.chdir(REPO)
    assert code == 0, err
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "logs"], cwd=project, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "TTY_COMPATIBLE": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "--all-files", "--verbose", "--color", "never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert re.search(r"^llm-audit \(regulated data in prompt logs\)\.+Failed$", out, re.M), out
    assert re.search(r"^llm-audit \(new findings only, against \.llm-audit-baseline\.json\)\.+Passed$", out, re.M)
    assert "\nfinding source:line=logs/chat.jsonl:1 record=c1 workload=- decision=self_hosted " in out
    # the hooks are quiet (no summary); the gate hook flagged the log's record and nothing else was read
    assert out.count("finding source:line=") == 1 and 'summary what="records read"' not in out
    assert "- exit code: 1" in out and "- exit code: 3" not in out and "audit: skipped" not in out
