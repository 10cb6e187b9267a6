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
