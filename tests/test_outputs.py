"""Output files are replaced whole or not at all; devices and symlinks are written through, never replaced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from audit.outputs import OutputError, open_output, write_atomic


def test_a_failed_block_leaves_the_previous_file_and_no_temp_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old")
    with pytest.raises(RuntimeError), open_output(target) as fh:
        fh.write("half of the new")
        raise RuntimeError("the scan failed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_the_new_content_replaces_the_file_keeping_its_mode(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640


def test_a_symlink_is_followed_and_kept(tmp_path):
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text("old")
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_device_is_written_in_place():
    write_atomic(os.devnull, "discarded")
    assert Path(os.devnull).is_char_device()


def test_a_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(OutputError, match=r"nope/out.txt: cannot write: No such file or directory"):
        write_atomic(tmp_path / "nope" / "out.txt", "x")


def test_a_private_output_is_0600_whatever_the_umask_or_the_old_mode(tmp_path):
    new, old = tmp_path / "new.jsonl", tmp_path / "old.jsonl"
    old.write_text("old")
    old.chmod(0o644)
    umask = os.umask(0o022)
    try:
        for target in (new, old):
            with open_output(target, private=True) as fh:
                fh.write("raw values")
    finally:
        os.umask(umask)
    assert [(p.stat().st_mode & 0o777) for p in (new, old)] == [0o600, 0o600]


CARD_LOG = '{"messages": [{"role": "user", "content": "card 4111 1111 1111 1111 please"}]}\n'


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["logs/a.jsonl", "-o", "logs/a.jsonl"], "--output logs/a.jsonl is also an input"),
        (["logs/a.jsonl", "--sarif", "./logs/../logs/a.jsonl"], "--sarif logs/../logs/a.jsonl is also an input"),
        (["logs", "--junit", "logs/old.jsonl"], "--junit logs/old.jsonl would be read as a log from logs/old.jsonl"),
    ],
)
def test_an_output_naming_an_input_is_refused_and_the_log_kept(tmp_path, monkeypatch, args, error):
    from tests.conftest import invoke

    monkeypatch.chdir(tmp_path)
    (tmp_path / "logs").mkdir()
    for name in ("a.jsonl", "old.jsonl"):
        (tmp_path / "logs" / name).write_text(CARD_LOG)
    code, _, err = invoke("scan", *args, "--no-registry", "--no-cache")
    assert code == 2, err
    assert err.startswith(f"audit: error: {error}") and err.count("\n") == 1, err
    assert all((tmp_path / "logs" / n).read_text() == CARD_LOG for n in ("a.jsonl", "old.jsonl"))


def test_show_values_outputs_are_private(tmp_path, monkeypatch):
    from tests.conftest import invoke

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.jsonl").write_text(CARD_LOG)
    code, _, err = invoke(
        "scan", "a.jsonl", "--show-values", "-o", "jsonl", "--out", "f.jsonl", "--sarif", "f.sarif",
        "--no-registry", "--no-cache", "--fail-on", "never",
    )  # fmt: skip
    assert code == 0, err
    assert "4111 1111 1111 1111" in (tmp_path / "f.jsonl").read_text()
    assert [(tmp_path / n).stat().st_mode & 0o777 for n in ("f.jsonl", "f.sarif")] == [0o600, 0o600]


def test_a_dash_is_standard_output_never_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_atomic("-", "to stdout\n")
    with open_output("-") as fh:
        fh.write("again\n")
    assert capsys.readouterr().out == "to stdout\nagain\n"
    assert not (tmp_path / "-").exists()


def test_an_output_over_any_sqlite_database_or_a_kept_head_is_refused(tmp_path, monkeypatch):
    import sqlite3

    from audit.errors import ConfigError

    other = tmp_path / "other.db"  # a registry no option named: still a database, never an output
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before = other.read_bytes()
    with pytest.raises(ConfigError, match=r"other.db: that is a SQLite database \(a registry\?\); no output may"):
        write_atomic(other, "report")
    heads = Path(os.environ["AUDIT_HOME"]) / "heads"
    heads.mkdir()
    with pytest.raises(ConfigError, match="that is a registry head kept beside the secret"):
        write_atomic(heads / "x.json", "report")
    for name, what in (("secret.key", "the fingerprint secret"), ("cache/spans.sqlite3-wal", "the span cache")):
        with pytest.raises(ConfigError, match=f"that is {what};"):
            write_atomic(Path(os.environ["AUDIT_HOME"]) / name, "report")
    assert other.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_stale_temp_outputs_of_a_killed_run_are_removed_at_the_next_start(tmp_path):
    import subprocess
    import sys
    import time

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    killed = tmp_path / f".findings.jsonl.llm-audit-{dead_pid}.a1b2c3.tmp"  # raw values of a killed --show-values
    old = tmp_path / f".report.html.llm-audit-{os.getpid()}.zz9.tmp"  # a live pid (reused?), but hours old
    live = tmp_path / f".other.json.llm-audit-{os.getpid()}.q1.tmp"  # a run writing right now
    theirs = tmp_path / ".findings.jsonl.k3j4.tmp"  # not named as ours: never touched
    for path in (killed, old, live, theirs):
        path.write_text("4111 1111 1111 1111")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    os.utime(theirs, (time.time() - 7200, time.time() - 7200))
    write_atomic(tmp_path / "out.txt", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.txt", live.name, theirs.name])
