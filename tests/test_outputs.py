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
        (["logs/a.jsonl", "--out", "logs/a.jsonl"], "--out logs/a.jsonl is also an input"),
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
