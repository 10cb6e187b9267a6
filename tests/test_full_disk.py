"""A full disk gives one clear line and exit 3: outputs keep their previous content, the registry stays consistent.

The disk is a real 400 KiB tmpfs filled up with a filler file; mounting needs
root (CAP_SYS_ADMIN), so the test skips where that is not allowed. /dev/full
covers the output path everywhere.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, run_cli

pytestmark = pytest.mark.slow
ONE_LOG = SAMPLES / "logs" / "openai_chat_patient_intake.jsonl"


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)], check=True)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_output_to_dev_full_is_a_clear_error():
    proc = run_cli("scan", str(ONE_LOG), "-o", "jsonl", "--out", "/dev/full", "--no-registry", "--jobs", "1")
    stderr = proc.stderr.decode()
    assert proc.returncode == 3
    assert "/dev/full: cannot write: No space left on device" in stderr and "Traceback" not in stderr
    assert Path("/dev/full").is_char_device()  # never replaced by a regular file


def test_full_disk_keeps_the_previous_output_and_the_registry_consistent(small_disk, tmp_path):
    db, out = small_disk / "registry.db", small_disk / "findings.jsonl"
    assert run_cli("registry", "import", str(SAMPLES / "workloads.yaml"), "--db", str(db)).returncode == 0
    out.write_text("previous run\n")
    filler = fill(small_disk)

    to_out = run_cli("scan", str(ONE_LOG), "-o", "jsonl", "--out", str(out), "--no-registry", "--jobs", "1")
    to_db = run_cli("scan", str(SAMPLES / "logs"), "--db", str(db), "--fail-on", "never", "-q", cwd=tmp_path)

    assert to_out.returncode == 3, to_out.stderr.decode()[-800:]
    assert f"{out}: cannot write: No space left on device" in to_out.stderr.decode()
    assert out.read_text() == "previous run\n"
    assert not [p for p in small_disk.iterdir() if p.name.endswith(".tmp")]
    assert to_db.returncode == 3, to_db.stderr.decode()[-800:]
    assert "full" in to_db.stderr.decode()  # "database or disk is full" or "disk I/O error (is the disk full?)"
    for proc in (to_out, to_db):
        assert "Traceback" not in proc.stderr.decode()
    filler.unlink()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM scans WHERE status = 'completed'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM findings").fetchone()[0] == 0
    finally:
        conn.close()
    assert run_cli("registry", "verify", "--db", str(db)).returncode == 0
