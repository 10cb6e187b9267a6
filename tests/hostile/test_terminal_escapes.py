"""Control characters from logs, file names and manifests are shown escaped, never obeyed by the terminal."""

from __future__ import annotations

import json

import pytest

from audit.report.terminal import EscapingStream, console, escape_controls, one_line
from tests.conftest import invoke

OSC_TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J"
BIDI = "\u202e"
CONTROL = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (OSC_TITLE, "\\u001b]0;owned\\u0007"),
        ("a\x9b31mb", "a\\u009b31mb"),
        (f"x{BIDI}gpj.exe", "x\\u202egpj.exe"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("over\rwrite", "over\\u000dwrite"),
        ("plain café ✓", "plain café ✓"),
    ],
)
def test_escape_controls_table(raw, shown):
    assert escape_controls(raw) == shown


def test_one_line_escapes_newlines_too():
    assert one_line("a\nb\tc") == "a\\u000ab\\u0009c"


def test_stream_and_console_escape_values_but_keep_rich_styling(tmp_path):
    import io

    raw = io.StringIO()
    EscapingStream(raw).write(f"id {OSC_TITLE}\n")
    assert raw.getvalue() == "id \\u001b]0;owned\\u0007\n"

    styled = io.StringIO()
    console(styled, force_terminal=True).print(f"[bold]{CLEAR}x[/bold]")
    assert "\\u001b[2J" in styled.getvalue()
    assert "\x1b[1m" in styled.getvalue()  # rich's own bold survives


@pytest.fixture
def hostile_log(tmp_path, monkeypatch):
    """A chat log whose file name, record id and workload tag carry escape sequences, with an SSN."""
    monkeypatch.chdir(tmp_path)
    record = {
        "request_id": f"rec{OSC_TITLE}{CLEAR}",
        "request_tags": [f"workload:wl{BIDI}x"],
        "messages": [{"role": "user", "content": f"My SSN is 078-05-1120{CLEAR}, call me{OSC_TITLE}."}],
    }
    name = f"log{OSC_TITLE}.jsonl"
    (tmp_path / name).write_text(json.dumps(record) + "\n{broken" + CLEAR + "\n")
    (tmp_path / "audit.toml").write_text("message_time_budget = 600\n")
    return name


@pytest.mark.parametrize("fmt", ["table", "github", "jsonl", "sarif", "junit", "json"])
def test_scan_output_never_carries_raw_control_characters(hostile_log, fmt):
    code, out, err = invoke("scan", hostile_log, "-o", fmt, "--no-registry", "--no-cache", "--config", "audit.toml")
    assert code == 3, err  # the broken line is skipped and reported
    assert "078-05-1120" not in out + err
    assert out.strip()
    for char in CONTROL:
        assert char not in out, (fmt, char)
        assert char not in err, (fmt, char)
    assert "audit: skipped log\\u001b]0;owned\\u0007.jsonl:2:" in err


def test_explain_and_errors_escape_record_ids_and_file_names(hostile_log):
    code, out, err = invoke("explain", hostile_log, "--record", f"rec{OSC_TITLE}{CLEAR}")
    assert code == 0, err
    assert "record rec\\u001b]0;owned\\u0007" in out
    code, out, err = invoke("scan", f"missing{CLEAR}.jsonl", "--no-registry")
    assert code == 3
    assert err.startswith("audit: error: ") and "missing\\u001b[2J.jsonl" in err
    for char in CONTROL:
        assert char not in out + err
