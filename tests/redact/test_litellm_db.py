"""LiteLLM's database redacted in place, on a real PostgreSQL: older rows only, in transactions, resumable.

Needs AUDIT_TEST_PG_URL: `AUDIT_REQUIRE_PG=1 .ci/postgres.sh .venv/bin/python -m pytest -q
tests/redact/test_litellm_db.py` (with AUDIT_REQUIRE_PG=1 the tests fail instead of skipping without it).
The table is created as tests/readers/test_litellm_db.py creates it, in a schema of its own.
"""

from __future__ import annotations

import datetime
import json
import os
from urllib.parse import urlsplit

import pytest

from audit.redact import litellm_db
from tests.conftest import invoke
from tests.readers.test_litellm_db import ANSWER, JSONB, PROMPT, SPEND_LOGS, T0, _placeholder, _row

PG_URL = os.environ.get("AUDIT_TEST_PG_URL")
REQUIRE_PG = os.environ.get("AUDIT_REQUIRE_PG") == "1"
needs_pg = pytest.mark.skipif(not PG_URL and not REQUIRE_PG, reason="AUDIT_TEST_PG_URL unset")
SCHEMA = "litellm_redact_test"
BEFORE = "2026-12-02"  # T0 is 2026-12-01 09:00; rows a day later are kept
RAW = ("Maria", "Lopez", "00482913", "555-0100")


@pytest.fixture
def spend_logs(tmp_path, monkeypatch):
    """(url, insert, fetch): a fresh LiteLLM_SpendLogs table in its own schema and no ledger yet."""
    if not PG_URL:
        pytest.fail("AUDIT_REQUIRE_PG=1 but AUDIT_TEST_PG_URL is unset: the LiteLLM database tests cannot run")
    from sqlalchemy import create_engine, text

    monkeypatch.setenv("AUDIT_HOME", str(tmp_path / "home"))
    admin = create_engine(PG_URL)

    def reset() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"DROP SCHEMA IF EXISTS {litellm_db.LEDGER_SCHEMA} CASCADE"))

    reset()
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        conn.execute(text(f"SET LOCAL search_path TO {SCHEMA}"))
        for statement in SPEND_LOGS.split(";"):
            if statement.strip():
                conn.execute(text(statement))

    def insert(rows: list[dict]) -> None:
        with admin.begin() as conn:
            conn.execute(text(f"SET LOCAL search_path TO {SCHEMA}"))
            for row in rows:
                cols = ", ".join(f'"{k}"' for k in row)
                values = ", ".join(_placeholder(k, row[k]) for k in row)
                params = {k: json.dumps(v) if k in JSONB else v for k, v in row.items()}
                conn.execute(text(f'INSERT INTO "LiteLLM_SpendLogs" ({cols}) VALUES ({values})'), params)

    def fetch() -> dict[str, dict]:
        with admin.begin() as conn:
            conn.execute(text(f"SET LOCAL search_path TO {SCHEMA}"))
            rows = conn.execute(text('SELECT * FROM "LiteLLM_SpendLogs" ORDER BY request_id')).mappings()
            return {r["request_id"]: dict(r) for r in rows}

    url = PG_URL.replace("postgresql+psycopg://", "postgresql://", 1) + f"?options=-csearch_path%3D{SCHEMA}"
    yield url, insert, fetch
    reset()
    admin.dispose()


def _rows(n: int, start: datetime.datetime = T0) -> list[dict]:
    return [_row(f"req-{i:03d}", start + datetime.timedelta(minutes=i)) for i in range(n)]


def _redacted_text(row: dict) -> str:
    return json.dumps([row[c] for c in litellm_db.COLUMNS])


def _run(url: str, *extra: str) -> tuple[int, str, str]:
    return invoke("redact", url, "--litellm-spend-logs", "--before", BEFORE, "--no-registry", "--jobs", "1", *extra)


@needs_pg
def test_older_rows_are_rewritten_in_place_and_newer_ones_kept(spend_logs):
    url, insert, fetch = spend_logs
    newer = _row("req-new", T0 + datetime.timedelta(days=1, hours=1))
    insert([*_rows(3), newer])
    before = fetch()
    code, out, err = _run(url)
    assert code == 0, err
    after = fetch()
    for rid in ("req-000", "req-001", "req-002"):
        text = _redacted_text(after[rid])
        assert not any(raw in text for raw in RAW), text
        assert after[rid]["response"]["choices"][0]["message"]["role"] == "assistant"  # structure kept
        assert after[rid]["messages"][0]["role"] == "user" and isinstance(after[rid]["messages"], list)
        untouched = {k: v for k, v in after[rid].items() if k not in litellm_db.COLUMNS}
        assert untouched == {k: v for k, v in before[rid].items() if k not in litellm_db.COLUMNS}
    assert after["req-new"] == before["req-new"]
    names = {json.dumps(after[r]["messages"]) for r in ("req-000", "req-001", "req-002")}
    assert len(names) == 1, "the same person gets the same surrogate in every row"
    assert "records=3 changed=3" in out and "database batches=1 rows=3" in out


@needs_pg
def test_a_rerun_after_a_failed_batch_redacts_each_row_once(spend_logs, monkeypatch, tmp_path):
    url, insert, fetch = spend_logs
    insert(_rows(7))
    monkeypatch.setattr(litellm_db, "PAGE_SIZE", 2)
    config = tmp_path / "audit.toml"
    config.write_text("batch_size = 3\n")
    run = lambda *extra: _run(url, "--config", str(config), *extra)  # noqa: E731
    real_write, calls = litellm_db._write, []

    def failing_write(engine, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("connection lost")  # the second batch's transaction never commits
        return real_write(engine, rows)

    monkeypatch.setattr(litellm_db, "_write", failing_write)
    code, _out, err = run()
    assert code == 3 and "connection lost" in err
    first = fetch()
    done = {rid for rid, row in first.items() if PROMPT not in _redacted_text(row)}
    assert done == {"req-000", "req-001", "req-002"}, "the first batch committed, the second rolled back"

    code, out, err = run("--dry-run")
    assert code == 0 and "rows=7 already_redacted=3 to_redact=4" in out

    monkeypatch.setattr(litellm_db, "_write", real_write)
    code, out, err = run()
    assert code == 0, err
    second = fetch()
    for rid in done:
        assert second[rid] == first[rid], "a row redacted once is not redacted again"
    assert all(PROMPT not in _redacted_text(r) and ANSWER not in _redacted_text(r) for r in second.values())
    assert "records=4 " in out
    code, out, _err = run()
    assert code == 0 and "records=0 " in out and second == fetch()


@needs_pg
def test_dry_run_counts_and_writes_nothing(spend_logs):
    url, insert, fetch = spend_logs
    insert([*_rows(2), _row("req-new", T0 + datetime.timedelta(days=2))])
    before = fetch()
    code, out, err = _run(url, "--dry-run")
    assert code == 0, err
    assert out.strip().endswith("rows=2 already_redacted=0 to_redact=2")
    assert fetch() == before
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass(:n)"), {"n": litellm_db.LEDGER}).scalar_one() is None
    engine.dispose()


@needs_pg
def test_the_password_never_appears_and_failures_exit_3(spend_logs):
    url, insert, _fetch = spend_logs
    insert(_rows(1))
    password = urlsplit(PG_URL).password
    assert password
    for extra in ((), ("--dry-run",)):
        code, out, err = _run(url, *extra)
        assert code == 0 and password not in out + err
        wrong = url.replace(f":{password}@", ":not-the-password@", 1)
        code, out, err = _run(wrong, *extra)
        assert code == 3 and "not-the-password" not in out + err and password not in out + err
        assert "litellm-db:" in err


def test_usage_errors_exit_2(tmp_path):
    url = "postgresql://audit@127.0.0.1:1/db"
    assert invoke("redact", url, "--litellm-spend-logs", "--no-registry")[0] == 2  # no --before
    assert invoke("redact", url, "--litellm-spend-logs", "--before", "yesterday", "--no-registry")[0] == 2
    assert invoke("redact", url, "--before", BEFORE, "--no-registry")[0] == 2  # no --litellm-spend-logs
    code = invoke(
        "redact", url, "--litellm-spend-logs", "--before", BEFORE, "--output-dir", str(tmp_path), "--no-registry"
    )
    assert code[0] == 2
    assert invoke("redact", str(tmp_path), "--output-dir", str(tmp_path / "o"), "--dry-run")[0] == 2
