"""Small promises of the command line: `--version`, `--quiet` as the README describes it, and tables that keep
their key column whole."""

from __future__ import annotations

import io

import pytest

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


@pytest.mark.parametrize("width", [100, 160])
def test_terminal_tables_keep_the_workload_name_whole(width):
    """A rich table at a terminal's width: the key column is never split or cut; free text wraps instead."""
    from rich.console import Console

    from audit.cli.registry_cmd import list_table
    from audit.report import terminal
    from audit.store.views import WorkloadStatus

    name = "customer-support-escalations-eu-west-2"
    row = WorkloadStatus(
        name=name, owner="platform-team@example.com", domain="support", hipaa_entity="business_associate",
        hosting="closed_api", agreements=["BAA", "DPA", "ZDR", "NO_TRAINING"], decision="redact_then_closed",
        regulations=["HIPAA", "GDPR", "CCPA", "PCI-DSS"], last_scan="2026-12-07 19:00 UTC", violation=True,
        hosting_tier="self_hosted", profile_changed=True,
    )  # fmt: skip
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(terminal.keep_keys(list_table([row], {})))
    lines = out.getvalue().splitlines()
    assert max(map(len, lines)) <= width
    assert sum(name in line for line in lines) == 1
    assert "…" not in out.getvalue()  # nothing cut short: a long word folds onto the next line


def test_without_keep_keys_rich_would_split_the_name():
    """The guard above can fail: the same table as rich lays it out by default splits or cuts the name at 100."""
    from rich.console import Console
    from rich.table import Table

    table = Table("workload", *(f"column {i}" for i in range(9)))
    table.add_row("customer-support-escalations-eu-west-2", *["some free text that can wrap"] * 9)
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(table)
    assert "customer-support-escalations-eu-west-2" not in out.getvalue()


@pytest.mark.parametrize("width", ["100", "160"])
def test_registry_list_at_a_terminal_shows_every_workload_name_whole(tmp_path, monkeypatch, width):
    """Through the CLI, as a terminal of that width sees it (before: `card-s…` at 100 columns)."""
    from audit.report import terminal
    from tests.conftest import SAMPLES

    db = str(tmp_path / "reg.db")
    assert invoke("registry", "import", str(SAMPLES / "workloads.yaml"), "--db", db)[0] == 0
    monkeypatch.setenv("COLUMNS", width)
    monkeypatch.setattr(terminal, "is_terminal", lambda _file: True)
    code, out, _ = invoke("registry", "list", "--db", db)
    assert code == 0
    assert max(map(len, out.splitlines())) <= int(width)
    for name in ("card-support", "code-helper", "contract-review", "patient-intake"):
        assert sum(f"│ {name} " in line for line in out.splitlines()) == 1, (name, out)
