"""Output for logs: off a terminal every table is one `name key=value ...` line per row; on a terminal, rich tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.table import Table

from audit.report import terminal
from tests.conftest import SAMPLES, invoke

BOX = set("│┃─━┏┓┗┛┡┩╇╈┳┻┼╭╮╰╯")


def assert_log_lines(text: str, names: tuple[str, ...]) -> list[str]:
    """Every line is a title or prose, or a row starting with one of `names`; no box drawing. Returns the rows."""
    assert not BOX & set(text), text
    return [line for line in text.splitlines() if line.split(" ", 1)[0] in names]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("CARD_SECURITY_CODE", "CARD_SECURITY_CODE"),
        ("a.jsonl:3", "a.jsonl:3"),
        ("PCI-DSS, GLBA", '"PCI-DSS, GLBA"'),
        ("", '""'),
        ('say "hi"', '"say \\"hi\\""'),
        ("k=v", '"k=v"'),
        ("C:\\logs", '"C:\\\\logs"'),
        ("two\nlines", '"two\\nlines"'),
        ("esc\x1b[2J", '"esc\\u001b[2J"'),
        ("bidi\u202e", '"bidi\\u202e"'),
    ],
)
def test_log_values_are_one_token_or_json_quoted(value, shown):
    assert terminal.log_value(value) == shown


def test_table_lines_strip_markup_and_key_by_header():
    table = Table("source:line", "last scan", "flag", title="Things")
    table.add_row("a.jsonl:3", "", "[bold red]VIOLATION[/]")
    table.add_row("\\[x]", "2026-01-01 10:00", "-")
    assert terminal.table_lines(table, "thing") == [
        'thing source:line=a.jsonl:3 last_scan="" flag=VIOLATION',
        'thing source:line=[x] last_scan="2026-01-01 10:00" flag=-',
    ]


def test_a_long_row_stays_one_line_off_a_terminal(capsys):
    table = Table("record", "findings")
    table.add_row("r" * 500, "CARD_SECURITY_CODE, " * 20)
    terminal.print_table(table, "finding")
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("finding record=" + "r" * 500 + ' findings="CARD_SECURITY_CODE, ')


def test_a_terminal_gets_a_rich_table(capsys, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "100")
    table = Table("record", "findings", title="Records with findings")
    table.add_row("r1", "CARD_SECURITY_CODE")
    terminal.print_table(table, "finding")
    out = capsys.readouterr().out
    assert BOX & set(out) and "Records with findings" in out and "finding record=" not in out


@pytest.fixture
def card_log(tmp_path) -> Path:
    """A log whose first record has a card security code and an id longer than any terminal."""
    text = "Card 4111 1111 1111 1111 exp 04/27 CVV 123 for Angela Foster, angela.foster@example.com"
    record = {"id": "x" * 300, "messages": [{"role": "user", "content": text}]}
    path = tmp_path / "cards.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (tmp_path / "audit.toml").write_text("message_time_budget = 600\njobs = 1\n")
    return path


def test_scan_table_output_in_a_log(card_log):
    code, out, err = invoke("scan", str(card_log), "--config", str(card_log.parent / "audit.toml"), "--no-registry")
    assert code == 1, err
    (row,) = assert_log_lines(out, ("finding",))
    assert row.startswith(f"finding source:line={card_log}:1 record={'x' * 300} workload=- decision=")
    assert "CARD_SECURITY_CODE" in row.split(" findings=", 1)[1]
    summary = assert_log_lines(out, ("summary",))
    assert 'summary what="records read" count=1' in summary
    assert 'summary what="entity: CARD_SECURITY_CODE" count=1' in summary


def test_scan_table_output_on_a_terminal(card_log, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "160")
    code, out, err = invoke("scan", str(card_log), "--config", str(card_log.parent / "audit.toml"), "--no-registry")
    assert code == 1, err
    assert BOX & set(out) and "Records with findings" in out and "finding source:line=" not in out


def test_policy_list_in_a_log():
    code, out, err = invoke("policy", "list")
    assert code == 0, err
    rows = assert_log_lines(out, ("pack",))
    assert "pack id=hipaa version=1.0.0 regulation=HIPAA rules=4 source=policies/hipaa.yaml" in rows
    assert len(rows) == 7 and out.splitlines()[-1].startswith("identity: 42-cfr-2@")


def test_registry_list_in_a_log(tmp_path):
    db = str(tmp_path / "reg.db")
    assert invoke("registry", "import", str(SAMPLES / "workloads.yaml"), "--db", db)[0] == 0
    code, out, err = invoke("registry", "list", "--db", db)
    assert code == 0, err
    rows = assert_log_lines(out, ("workload",))
    assert len(rows) == 4 and all(' decision="not scanned" ' in r for r in rows)
    (intake,) = [r for r in rows if r.startswith("workload workload=patient-intake ")]
    assert intake.endswith('flows="1 violation"')


def test_flows_and_recommend_in_a_log():
    code, out, _ = invoke("flows", "check", str(SAMPLES / "workloads.yaml"))
    assert code == 1
    rows = assert_log_lines(out, ("violation",))
    assert rows and all(r.startswith("violation workload=") and " why=" in r for r in rows)
    code, out, err = invoke("recommend", "--manifest", str(SAMPLES / "workloads.yaml"))
    assert code == 0, err
    assert len(assert_log_lines(out, ("recommendation",))) == 4
    assert assert_log_lines(out, ("sensitivity",))[-1].startswith("sensitivity tokens/month=break-even ")
