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


def test_a_baseline_among_the_inputs_is_never_read_as_a_log(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "chat.jsonl").write_text('{"messages": [{"role": "user", "content": "SSN 219-09-9999 for Jane Roe"}]}\n')
    baseline = logs / "base.json"
    for _ in range(2):  # the second run finds the first one's baseline in the directory it scans
        code, _, err = invoke("baseline", "create", str(logs), "-o", str(baseline))
        assert code == 0, err
        assert "(1 records, 0 skipped)" in err
    code, out, err = invoke("scan", str(logs), "--baseline", str(baseline), "--no-registry", "--no-cache")
    assert code == 0, err
    assert 'what="records read" count=1' in out
