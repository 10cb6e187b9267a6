"""The CLI on the nasty corpus: one line per skipped record, the scan goes on, exit 3, never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from audit.model import ReadError
from audit.readers import ReadOptions, read_paths
from tests.conftest import REPO, run_cli

from .corpus import GOOD, add_links, build

LIMIT = 4 * 1024 * 1024
HEAVY = "many_parts.jsonl"  # no error to report, and slow to analyse: the reader tests cover it
ERROR_LINE = re.compile(r"^audit: skipped (?P<source>.+):(?P<line>\d+): (?P<reason>\S.*)$")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The corpus plus symlink loops and a file whose name is not UTF-8; and a patient config."""
    root = tmp_path_factory.mktemp("hostile") / "in"
    build(root)
    add_links(root)
    fd = os.open(os.fsencode(str(root)) + b"/bad\xffname.jsonl", os.O_WRONLY | os.O_CREAT)
    os.write(fd, (GOOD + "\n").encode())
    os.close(fd)
    config = root.parent / "audit.toml"
    config.write_text("message_time_budget = 600\n")
    return root, str(config)


def _env():
    return {"AUDIT_MAX_LINE_BYTES": str(LIMIT)}


def test_whole_corpus_scan_reports_every_bad_record_and_goes_on(corpus, tmp_path):
    root, config = corpus
    out = tmp_path / "out.jsonl"
    proc = run_cli(
        "scan", str(root), "-o", "jsonl", "--out", str(out), "--config", config, "--exclude", HEAVY, env=_env()
    )  # fmt: skip
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 3, err
    assert "Traceback" not in err

    expected = [
        i
        for i in read_paths([str(root)], ReadOptions(max_line_bytes=LIMIT, exclude=[HEAVY]))
        if isinstance(i, ReadError)
    ]
    reported = [line for line in err.splitlines() if line.startswith("audit: skipped")]
    assert len(reported) == len(expected) > 25
    for line, error in zip(reported, expected, strict=True):
        match = ERROR_LINE.match(line)
        assert match, line
        assert (match["source"], int(match["line"])) == (error.source, error.line)

    summary = re.search(r"(\d+)\s+records,\s+(\d+)\s+with\s+findings,\s+(\d+)\s+skipped", err)  # rich may wrap it
    assert summary and int(summary[3]) == len(expected)
    assert int(summary[1]) > 100  # the good records around the bad ones were scanned

    objects = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert any(o["source"].endswith("bad\ufffdname.jsonl") for o in objects)
    assert any(o["source"].endswith("utf16_bom.txt") or o["source"].endswith("nul_late.jsonl") for o in objects)


def test_strict_stops_at_the_first_unreadable_record(corpus):
    root, config = corpus
    proc = run_cli("scan", str(root / "truncated.jsonl"), "-o", "jsonl", "--strict", "--config", config)
    err = proc.stderr.decode()
    assert proc.returncode == 3 and "Traceback" not in err
    assert "truncated.jsonl:2" in err and "--strict" in err
    assert [json.loads(line)["line"] for line in proc.stdout.decode().splitlines()] in ([], [1])


def _crash(*flags: str) -> subprocess.CompletedProcess:
    code = (
        "import sys, audit.pipeline\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('internal failure with prompt text 4111 1111 1111 1111')\n"
        "audit.pipeline.build_context = boom\n"
        "from audit.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    args = [sys.executable, "-c", code, *flags, "scan", "samples/logs/plaintext_code_helper.txt"]
    return subprocess.run(args, cwd=REPO, capture_output=True, timeout=600)


def test_an_internal_error_is_one_line_without_debug():
    proc = _crash()
    err = proc.stderr.decode()
    assert proc.returncode == 3
    assert "Traceback" not in err and "4111" not in err
    assert err.strip().splitlines() == ["audit: internal error: RuntimeError (run with --debug for the traceback)"]


def test_debug_shows_the_traceback():
    proc = _crash("--debug")
    err = proc.stderr.decode()
    assert proc.returncode == 3  # --debug adds the traceback, never changes the exit code
    assert "Traceback" in err and "RuntimeError" in err and "boom" in err
