"""Small promises of the command line: `--version`, and `--quiet` as the README describes it."""

from __future__ import annotations

from tests.conftest import invoke


def test_version_prints_the_package_version_and_exits_0():
    from importlib.metadata import version

    code, out, _ = invoke("--version")
    assert code == 0
    assert out.strip() == f"llm-audit {version('llm-audit')}"


def test_quiet_hides_the_summary_but_not_the_flagged_records(tmp_path):
    log = tmp_path / "chat.jsonl"
    log.write_text('{"messages": [{"role": "user", "content": "Email jane.roe@example.com about the order"}]}\n')
    args = ("scan", str(log), "--no-registry", "--no-cache", "--fail-on", "never")
    code, out, _ = invoke(*args)
    assert code == 0 and "summary what=" in out and "EMAIL_ADDRESS" in out
    code, out, err = invoke(*args, "--quiet")
    assert code == 0 and "summary what=" not in out and "EMAIL_ADDRESS" in out
    assert err == ""
