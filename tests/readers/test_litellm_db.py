"""LiteLLM's own PostgreSQL database: LiteLLM_SpendLogs rows read in read-only pages, on a real server.

The database tests need AUDIT_TEST_PG_URL (`.ci/postgres.sh` starts a throwaway server and sets it;
locally: `.ci/postgres.sh .venv/bin/python -m pytest tests/readers/test_litellm_db.py -q`). They use a
schema of their own, so the registry tests' wiping of `public` never meets them. With AUDIT_REQUIRE_PG=1
(as `.ci/run` sets) they fail instead of skipping when the URL is unset.
"""

from __future__ import annotations

import datetime
import json
import os
from urllib.parse import urlsplit

import pytest

from audit.errors import ConfigError
from audit.model import ReadNotice
from audit.readers import ReadOptions, litellm_db, read_paths
from audit.scan_request import ScanRequest
from tests.conftest import invoke

from ._util import errors, records, texts

PG_URL = os.environ.get("AUDIT_TEST_PG_URL")
REQUIRE_PG = os.environ.get("AUDIT_REQUIRE_PG") == "1"
needs_pg = pytest.mark.skipif(not PG_URL and not REQUIRE_PG, reason="AUDIT_TEST_PG_URL unset")
SCHEMA = "litellm_reader_test"
PROMPT = "Patient Maria Lopez, MRN 00482913, asks about her insulin dose."
ANSWER = "Maria Lopez should call her clinician at 555-0100."

# The columns and types of `model LiteLLM_SpendLogs` in litellm/proxy/schema.prisma, as Prisma creates them.
SPEND_LOGS = """
CREATE TABLE "LiteLLM_SpendLogs" (
    "request_id" TEXT NOT NULL PRIMARY KEY, "call_type" TEXT NOT NULL, "api_key" TEXT NOT NULL DEFAULT '',
    "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0, "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0, "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "startTime" TIMESTAMP(3) NOT NULL, "endTime" TIMESTAMP(3) NOT NULL, "request_duration_ms" INTEGER,
    "completionStartTime" TIMESTAMP(3), "model" TEXT NOT NULL DEFAULT '', "model_id" TEXT DEFAULT '',
    "model_group" TEXT DEFAULT '', "custom_llm_provider" TEXT DEFAULT '', "api_base" TEXT DEFAULT '',
    "user" TEXT DEFAULT '', "metadata" JSONB DEFAULT '{}', "cache_hit" TEXT DEFAULT '', "cache_key" TEXT DEFAULT '',
    "request_tags" JSONB DEFAULT '[]', "team_id" TEXT, "organization_id" TEXT, "end_user" TEXT,
    "requester_ip_address" TEXT, "messages" JSONB DEFAULT '{}', "response" JSONB DEFAULT '{}', "session_id" TEXT,
    "status" TEXT, "mcp_namespaced_tool_name" TEXT, "billing_agent_id" TEXT, "agent_id" TEXT,
    "proxy_server_request" JSONB DEFAULT '{}', "litellm_call_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "LiteLLM_SpendLogs_startTime_request_id_idx" ON "LiteLLM_SpendLogs"("startTime", "request_id");
"""
T0 = datetime.datetime(2026, 12, 1, 9, 0, 0)


def _row(request_id: str, start: datetime.datetime, *, as_string: bool = False, **extra) -> dict:
    """A row as the proxy writes it with store_prompts_in_spend_logs: messages a jsonb list (or a jsonb string)."""
    messages = [{"role": "user", "content": PROMPT}]
    return {
        "request_id": request_id, "call_type": "acompletion", "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
        "spend": 0.00042, "startTime": start, "endTime": start + datetime.timedelta(seconds=2), "model": "gpt-4o",
        "user": "", "metadata": {"user_api_key_team_alias": "clinic-team", "user_api_key_alias": "intake-key"},
        "request_tags": ["workload:patient-intake"], "team_id": "team-1",
        "messages": json.dumps(messages) if as_string else messages,
        "response": {"id": "chatcmpl-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": ANSWER}}]},
        "proxy_server_request": {"model": "gpt-4o", "messages": messages}, **extra,
    }  # fmt: skip


@pytest.fixture
def spend_logs():
    """(url, insert): a fresh LiteLLM_SpendLogs table in its own schema; `url` reaches it, `insert(rows)` fills it."""
    if not PG_URL:
        pytest.fail("AUDIT_REQUIRE_PG=1 but AUDIT_TEST_PG_URL is unset: the LiteLLM database tests cannot run")
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
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

    # as a user would write it: the plain postgresql:// scheme, the schema through libpq's options
    url = PG_URL.replace("postgresql+psycopg://", "postgresql://", 1) + f"?options=-csearch_path%3D{SCHEMA}"
    yield url, insert
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


JSONB = {"metadata", "request_tags", "messages", "response", "proxy_server_request"}


def _placeholder(key: str, value) -> str:
    return f"CAST(:{key} AS JSONB)" if key in JSONB else f":{key}"


def _read(url: str, **options) -> list:
    return list(read_paths([url], ReadOptions(litellm_spend_logs=True, **options)))


@needs_pg
def test_a_spend_log_row_gives_prompt_answer_and_workload(spend_logs):
    url, insert = spend_logs
    insert([_row("req-list", T0), _row("req-string", T0 + datetime.timedelta(minutes=1), as_string=True)])
    items = _read(url)
    assert not errors(items)
    listed, stringed = items
    for record in (listed, stringed):
        assert texts(record) == [("user", PROMPT), ("assistant", ANSWER)]
        assert record.workload == "patient-intake"
    assert [r.record_id for r in items] == ["req-list", "req-string"] and [r.line for r in items] == [1, 2]
    host, port, db = urlsplit(PG_URL).hostname, urlsplit(PG_URL).port, urlsplit(PG_URL).path.strip("/")
    assert listed.source == f"litellm-db:{host}:{port}/{db}"


@needs_pg
def test_the_workload_also_comes_from_metadata(spend_logs):
    url, insert = spend_logs
    insert([_row("r1", T0, request_tags=[], metadata={"workload": "billing", "user_api_key_team_alias": "x"})])
    (record,) = _read(url)
    assert record.workload == "billing"


@needs_pg
def test_pages_follow_start_time_then_request_id_across_ties(spend_logs, monkeypatch):
    url, insert = spend_logs
    monkeypatch.setattr(litellm_db, "PAGE_SIZE", 3)
    rows = [_row(f"req-{i:02d}", T0 + datetime.timedelta(seconds=i // 4)) for i in range(11)]  # 4 rows share a time
    insert(list(reversed(rows)))
    pages = []
    real_query = litellm_db._page_query
    monkeypatch.setattr(litellm_db, "_page_query", lambda *a: pages.append(a) or real_query(*a))
    items = _read(url)
    assert [r.record_id for r in records(items)] == [f"req-{i:02d}" for i in range(11)] and not errors(items)
    assert [r.line for r in items] == list(range(1, 12))
    assert len(pages) == 4  # 3 + 3 + 3 + 2


@needs_pg
def test_started_after_keeps_requests_from_that_time_on(spend_logs, monkeypatch):
    url, insert = spend_logs
    monkeypatch.setattr(litellm_db, "PAGE_SIZE", 2)
    insert([_row(f"req-{i}", T0 + datetime.timedelta(days=i)) for i in range(6)])
    kept = _read(url, started_after=T0 + datetime.timedelta(days=3))
    assert [r.record_id for r in kept] == ["req-3", "req-4", "req-5"]
    in_utc_plus_two = datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert [r.record_id for r in _read(url, started_after=in_utc_plus_two)] == ["req-4", "req-5"]


@needs_pg
def test_every_page_is_read_in_a_read_only_transaction(spend_logs, monkeypatch):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    url, insert = spend_logs
    monkeypatch.setattr(litellm_db, "PAGE_SIZE", 2)
    insert([_row(f"req-{i}", T0 + datetime.timedelta(seconds=i)) for i in range(5)])
    seen, writes = [], []
    real = litellm_db.read_only

    @__import__("contextlib").contextmanager
    def watched(engine):
        with real(engine) as conn:
            seen.append(conn.execute(text("SHOW transaction_read_only")).scalar())
            with pytest.raises(DBAPIError) as refused, conn.begin_nested():
                conn.execute(text('DELETE FROM "LiteLLM_SpendLogs"'))
            writes.append(refused.value.orig.sqlstate)
            yield conn

    monkeypatch.setattr(litellm_db, "read_only", watched)
    assert len(_read(url)) == 5
    assert seen == ["on"] * 3 and writes == ["25006"] * 3  # read_only_sql_transaction


@needs_pg
def test_rows_without_stored_prompts_or_no_rows_are_an_empty_notice(spend_logs):
    url, insert = spend_logs
    (notice,) = _read(url, notices=True, started_after=T0)
    assert isinstance(notice, ReadNotice) and notice.kind == "empty"
    assert notice.text == 'no "LiteLLM_SpendLogs" rows started at or after 2026-12-01 09:00:00'
    insert(
        [_row("r1", T0, messages={}, proxy_server_request={}), _row("r2", T0, messages="{}", proxy_server_request={})]
    )
    *rows, notice = _read(url, notices=True)
    assert len(records(rows)) == 2 and notice.kind == "empty" and notice.text.startswith("2 spend-log rows, none")
    insert([_row("r3", T0)])
    assert not [i for i in _read(url, notices=True) if isinstance(i, ReadNotice)]


@needs_pg
def test_a_wrong_password_is_one_error_that_never_shows_it(spend_logs):
    url, _ = spend_logs
    parts = urlsplit(url)
    secret = "s3cr%40t-Pa55"
    bad = url.replace(f":{parts.password}@", f":{secret}@", 1)
    (err,) = _read(bad)
    assert err.line == 0 and "password authentication failed" in err.reason
    assert secret not in err.reason + err.source and "s3cr@t-Pa55" not in err.reason
    assert parts.password not in err.reason + err.source


@needs_pg
def test_a_database_without_spend_logs_says_so(spend_logs):
    url, _ = spend_logs
    (err,) = _read(url.replace(SCHEMA, "public"))
    assert err.reason == 'no "LiteLLM_SpendLogs" table here (is this the LiteLLM proxy\'s database?)'


@needs_pg
def test_audit_scan_reads_the_database_end_to_end(spend_logs, tmp_path, monkeypatch):
    url, insert = spend_logs
    insert([_row("req-cli", T0)])
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path / "home"))
    out = tmp_path / "findings.jsonl"
    code, _, err = invoke(
        "scan", url, "--litellm-spend-logs", "--started-after", "2026-11-30", "--no-registry",
        "-o", "jsonl", "--out", str(out), "--fail-on", "never", "-j", "1",
    )  # fmt: skip
    assert code == 0, err
    (line,) = out.read_text().splitlines()
    found = json.loads(line)
    assert found["record"] == "req-cli" and found["source"].startswith("litellm-db:")
    assert found["workload"] == "patient-intake"
    assert urlsplit(url).password not in line + err


def test_an_unreachable_server_is_one_error_naming_the_source():
    (err,) = _read("postgresql://audit:hunter2@127.0.0.1:1/litellm")
    assert err.source == "litellm-db:127.0.0.1:1/litellm" and err.line == 0
    assert err.reason.startswith('cannot read "LiteLLM_SpendLogs" (OperationalError') and "hunter2" not in err.reason


def test_a_database_url_without_the_flag_is_not_read():
    (err,) = read_paths(["postgres://u:pw@db.internal/litellm"], ReadOptions())
    assert err.source == "litellm-db:db.internal/litellm" and "--litellm-spend-logs" in err.reason


@pytest.mark.parametrize(
    ("paths", "options", "since", "message"),
    [
        (["postgresql://u:pw@h/db"], {}, None, "litellm-db:h/db: a database URL; add --litellm-spend-logs"),
        (["logs/"], {"litellm_spend_logs": True}, None, "--litellm-spend-logs needs a postgresql:// URL"),
        (["logs/"], {"started_after": T0}, None, "--started-after filters a database source"),
        (["postgresql://h/db"], {"litellm_spend_logs": True}, "HEAD~1", "--since takes a git revision for files"),
    ],
)
def test_database_options_that_do_not_fit_are_usage_errors(paths, options, since, message):
    with pytest.raises(ConfigError, match=message.replace("+", r"\+")) as raised:
        ScanRequest(paths, options=ReadOptions(**options), since=since)
    assert "pw" not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("postgresql://user:p%40ss@db.example.com:5433/litellm", "litellm-db:db.example.com:5433/litellm"),
        ("postgres://db/litellm?sslmode=require", "litellm-db:db/litellm"),
        ("postgresql+psycopg://u@/litellm", "litellm-db:localhost/litellm"),
        ("POSTGRESQL://u:pw@h:notaport/x", "litellm-db:h/x"),
    ],
)
def test_the_source_name_never_holds_credentials(url, name):
    assert litellm_db.source_name(url) == name
