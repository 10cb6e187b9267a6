"""`audit redact` on the command line: exit codes exactly, the report, the registry event, no value anywhere."""

from __future__ import annotations

import gzip
import json
import sqlite3

from tests.conftest import invoke
from tests.redact.conftest import CARD_TURN, CHAT_TURN, PLANTED


def _log(tmp_path, *turns):
    path = tmp_path / "in" / "chat.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": t}]}) + "\n" for t in turns))
    return path


def test_usage_errors_exit_2(tmp_path):
    src = _log(tmp_path, "hello")
    assert invoke("redact", str(src))[0] == 2  # neither --output-dir nor --in-place
    assert invoke("redact", str(src), "--output-dir", str(tmp_path / "o"), "--in-place")[0] == 2
    assert invoke("redact", str(src), "--output-dir", str(tmp_path / "o"), "--mode", "blur")[0] == 2
    assert invoke("redact", str(src), "--output-dir", str(tmp_path / "o"), "--max-residual", "some")[0] == 2
    assert invoke("redact", str(src.parent), "--output-dir", str(src.parent / "out"))[0] == 2  # output inside the input
    assert invoke("redact", "-", "--output-dir", str(tmp_path / "o"))[0] == 2


def test_unreadable_input_exits_3_and_writes_no_copy_of_it(tmp_path):
    binary = tmp_path / "in" / "blob.bin"
    binary.parent.mkdir()
    binary.write_bytes(b"\x00\x01\x02\x00" * 200)
    code, _out, err = invoke("redact", str(binary), "--output-dir", str(tmp_path / "o"), "--no-registry")
    assert code == 3 and "blob.bin" in err and not (tmp_path / "o" / "blob.bin").exists()
    assert invoke("redact", str(tmp_path / "missing.jsonl"), "--output-dir", str(tmp_path / "o"))[0] == 3


def test_clean_run_exits_0_and_records_the_event_without_values(tmp_path):
    src = _log(tmp_path, CHAT_TURN, CARD_TURN)
    db = tmp_path / "registry.db"
    out = tmp_path / "out"
    assert invoke("db", "upgrade", "--db", str(db))[0] == 0
    code, stdout, stderr = invoke(
        "redact", str(src), "--output-dir", str(out), "--db", str(db), "--registry", "-j", "1", "--no-cache"
    )
    assert code == 0, stderr
    assert "replaced entity=PERSON" in stdout and "removed entity=CARD_SECURITY_CODE count=1" in stdout
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT kind, payload FROM events WHERE kind = 'redact.completed'").fetchall()
    assert len(rows) == 1 and json.loads(rows[0][1])["records_changed"] == 2
    everything = [stdout, stderr, db.read_bytes().decode("latin-1")]
    everything += [p.read_bytes().decode("utf-8") for p in out.rglob("*") if p.is_file()]  # temp files included
    assert [p.name for p in out.rglob("*") if p.is_file()] == ["chat.jsonl"], "no temporary file is left behind"
    for value in PLANTED:
        assert all(value not in text for text in everything), value


def test_verify_exit_1_above_the_limit_and_0_within_it(tmp_path, monkeypatch):
    src = _log(tmp_path, CHAT_TURN)
    import audit.redact.verify as verify

    def one_residual(_ctx, _replacer, _plan, _spans, report):  # a scanner miss, simulated: one value left per record
        report.residual += 1
        report.residual_types["PERSON"] += 1

    monkeypatch.setattr(verify, "_count", one_residual)
    base = ("redact", str(src), "--output-dir", str(tmp_path / "o"), "--verify", "--no-registry", "-j", "1")
    code, stdout, _ = invoke(*base)
    assert code == 1 and "verify residual=1" in stdout
    assert invoke(*base, "--max-residual", "1")[0] == 0
    assert invoke(*base, "--max-residual", "50%")[0] == 0
    assert invoke(*base, "--max-residual", "0.01")[0] == 1


def test_verify_on_a_real_rescan_passes_on_plain_values(tmp_path):
    src = _log(tmp_path, CHAT_TURN, CARD_TURN)
    code, stdout, stderr = invoke(
        "redact", str(src), "--output-dir", str(tmp_path / "o"), "--verify", "--no-registry", "-j", "1"
    )
    assert code == 0, stdout + stderr
    assert "verify residual=0" in stdout


def test_in_place_keeps_a_backup_and_reports_it(tmp_path):
    src = _log(tmp_path, CHAT_TURN)
    original = src.read_bytes()
    code, stdout, _ = invoke("redact", str(src), "--in-place", "--no-registry", "-j", "1")
    assert code == 0 and f"backup path={src}.orig" in stdout
    assert (tmp_path / "in" / "chat.jsonl.orig").read_bytes() == original
    assert b"Delgado" not in src.read_bytes()
    assert invoke("redact", str(src), "--in-place", "--no-registry")[0] == 2, "an earlier backup is never overwritten"


def test_gzip_output_names_no_temporary_file(tmp_path):
    src = tmp_path / "in" / "chat.jsonl.gz"
    src.parent.mkdir()
    src.write_bytes(gzip.compress((json.dumps({"messages": [{"role": "user", "content": CHAT_TURN}]}) + "\n").encode()))
    assert invoke("redact", str(src), "--output-dir", str(tmp_path / "o"), "--no-registry", "-j", "1")[0] == 0
    data = (tmp_path / "o" / "chat.jsonl.gz").read_bytes()
    assert data[:2] == b"\x1f\x8b" and b".tmp" not in data[:64]
