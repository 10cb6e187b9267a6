"""`audit scan` end to end: malformed lines, the skip count, stdin, globs, forced formats, columns, workloads."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.conftest import run_cli

CARD = "Card 4111 1111 1111 1111 for Angela Foster, angela.foster@example.com"


def chat(text: str, **extra) -> str:
    return json.dumps({"messages": [{"role": "user", "content": text}], **extra})


@pytest.fixture
def workdir(tmp_path):
    """A directory with a config giving every message a generous time budget."""
    (tmp_path / "audit.toml").write_text("message_time_budget = 600\n")
    return tmp_path


def scan(workdir, *args, **kwargs):
    return run_cli("scan", *args, "--config", str(workdir / "audit.toml"), cwd=workdir, **kwargs)


def test_malformed_lines_are_reported_counted_and_skipped(workdir):
    (workdir / "mixed.jsonl").write_text(
        "\n".join([chat(CARD, id="a"), '{"messages": [', "not json at all", chat(CARD, id="d")]) + "\n"
    )
    proc = scan(workdir, "mixed.jsonl")
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 3
    errors = [line for line in err.splitlines() if line.startswith("audit: skipped")]
    assert errors == [
        "audit: skipped mixed.jsonl:2: invalid JSON: Expecting value at column 15",
        "audit: skipped mixed.jsonl:3: invalid JSON: Expecting value at column 1",
    ]
    assert "Traceback" not in err
    assert 'summary what="records read" count=2' in out.splitlines()
    assert 'summary what="records skipped (unreadable)" count=2' in out.splitlines()


def test_quiet_still_names_the_file_and_line_that_failed_the_scan(workdir):
    (workdir / "bad.jsonl").write_text(chat("hello") + "\n{oops\n" + "not json\n" * 12)
    proc = scan(workdir, "bad.jsonl", "-q", "-f", "jsonl")
    assert proc.returncode == 3
    assert proc.stderr.decode().splitlines() == [
        "audit: skipped bad.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes at column 2",
        *(f"audit: skipped bad.jsonl:{n}: invalid JSON: Expecting value at column 1" for n in range(3, 12)),
        "audit: more unreadable records not shown (--quiet)",
    ]


def test_stdin_gzip_and_forced_text_format(workdir):
    data = gzip.compress((chat(CARD, id="s1") + "\n").encode())
    proc = scan(workdir, "-", "-o", "jsonl", input=data)
    assert proc.returncode == 1, proc.stderr.decode()  # a card number reaches the default gate
    (obj,) = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert (obj["source"], obj["record"], obj["line"]) == ("-", "s1", 1)

    forced = scan(workdir, "-", "-o", "jsonl", "--format", "text", input=(chat(CARD, id="s1") + "\n").encode())
    (obj,) = [json.loads(line) for line in forced.stdout.decode().splitlines()]
    assert obj["record"] == "1"  # a text line's id is its number, even when it looks like JSON


def test_globs_column_and_workload_options(workdir):
    logs = workdir / "logs"
    (logs / "nested").mkdir(parents=True)
    (logs / "a.jsonl").write_text(chat(CARD, id="json-1", metadata={"workload": "from-record"}) + "\n")
    (logs / "nested" / "b.csv").write_text(f'id,body,other\ncsv-1,"{CARD}",x\n')
    (logs / "nested" / "skip.csv").write_text(f'id,body\nskip-1,"{CARD}"\n')
    proc = scan(
        workdir, "logs", "-o", "jsonl", "--include", "*.csv", "--exclude", "skip*", "--column", "body",
        "--workload", "card-support",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr.decode()  # a card number reaches the default gate
    objects = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [(o["source"], o["record"], o["line"], o["workload"]) for o in objects] == [
        ("logs/nested/b.csv", "csv-1", 2, "card-support")
    ]
    finding = next(f for f in objects[0]["findings"] if f["entity_type"] == "CREDIT_CARD")
    assert CARD[finding["start"] : finding["end"]] == "4111 1111 1111 1111"
