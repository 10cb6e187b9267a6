"""A registry that cannot be written gives one clear line and exit 3, and stays as it was."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import SAMPLES, run_cli

pytestmark = pytest.mark.slow


def test_read_only_registry_is_a_clear_error_not_a_corrupt_file(tmp_path):
    db = tmp_path / "registry.db"
    imported = run_cli("registry", "import", str(SAMPLES / "workloads.yaml"), "--db", str(db), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr.decode()[-1500:]
    log = tmp_path / "one.jsonl"
    log.write_text('{"id": "r1", "messages": [{"role": "user", "content": "Email jane.roe@example.org please"}]}\n')
    before = db.read_bytes()

    proc = run_cli(
        "scan",
        str(log),
        "--db",
        f"sqlite:///file:{db}?mode=ro&uri=true",
        "-o",
        "jsonl",
        "--fail-on",
        "never",
        cwd=tmp_path,
    )

    stderr = proc.stderr.decode()
    assert proc.returncode == 3
    assert "readonly" in stderr.replace("read-only", "readonly").lower()
    assert "Traceback" not in stderr
    assert db.read_bytes() == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM scans").fetchone()[0] == 0
