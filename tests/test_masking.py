"""Masking: no planted value appears in any output of a default scan; --show-values reveals them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_cli

VALUES = (REPO / "tests" / "fixtures" / "sample_values.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    """A generous per-message time budget, so a busy machine never skips a message."""
    path = tmp_path_factory.mktemp("cfg") / "audit.toml"
    path.write_text("message_time_budget = 600\n")
    return str(path)


def leaked(*texts: str) -> list[str]:
    """The planted values found in any of `texts`."""
    return [v for v in VALUES if any(v in t for t in texts)]


def test_default_scan_outputs_no_raw_value(tmp_path, config):
    out_file = tmp_path / "out.jsonl"
    proc = run_cli("scan", "samples/", "-o", "jsonl", "--out", str(out_file), "--config", config)
    table = run_cli("scan", "samples/", "--config", config)
    assert (proc.returncode, table.returncode) == (1, 1), proc.stderr.decode() + table.stderr.decode()
    written = out_file.read_text(encoding="utf-8")
    assert written.count("\n") > 20
    outputs = [written, proc.stdout.decode(), proc.stderr.decode(), table.stdout.decode(), table.stderr.decode()]
    assert leaked(*outputs) == []


def test_errors_on_stderr_never_quote_values(tmp_path, config):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"messages": [{"role": "user", "content": "AKIAIOSFODNN7EXAMPLE 4111 1111 1111 1111"}\n'
        + json.dumps({"messages": [{"role": "Maria Delgado-Reyes", "content": 4111111111111111}]})
        + "\n"
        + json.dumps({"messages": [{"role": "user", "content": [{"type": "text", "text": ["XKM884512377"]}]}]})
        + "\n",
        encoding="utf-8",
    )
    proc = run_cli("scan", str(bad), "-o", "jsonl", "--config", config)
    assert proc.returncode == 3
    assert proc.stderr.decode().count("audit: skipped") == 3
    assert leaked(proc.stdout.decode(), proc.stderr.decode()) == []


def test_show_values_reveals_the_matched_values(config):
    proc = run_cli("scan", "samples/logs", "-o", "jsonl", "--show-values", "--config", config)
    assert proc.returncode == 1, proc.stderr.decode()
    found = {f["value"] for line in proc.stdout.decode().splitlines() for f in json.loads(line)["findings"]}
    assert {"4111 1111 1111 1111", "5555 5555 5555 4444", "DE89 3704 0044 0532 0130 00"} <= found
    assert len(leaked(proc.stdout.decode())) >= 10
