"""LiteLLM's database redacted in place: `messages`, `response` and `proxy_server_request` of older spend logs.

`audit redact postgresql://... --litellm-spend-logs --before DATE` rewrites those three columns of
every `LiteLLM_SpendLogs` row whose startTime is before DATE, as `audit redact` rewrites a file
(same machinery: worker pool, span cache, consistent surrogates). Rows are read in keyset pages
on ("startTime", request_id), the pair LiteLLM indexes, each page in a short READ ONLY transaction
(`audit.readers.litellm_db`); each batch of redacted rows is written in one transaction.

Resuming: the transaction that rewrites a row also records its request_id in a ledger table,
`llm_audit.redacted_spend_logs` (its own schema, so LiteLLM's Prisma migrations of `public` never
drop it). A rerun skips every row in the ledger, whatever cursor or DATE it was given, and a row
is never redacted twice (a surrogate redacted again would become another person's pseudonym).
The row is updated only when its ledger insert succeeds, so two runs at once cannot both rewrite
it. Detecting our own surrogates instead would not be sound: a surrogate looks like a real value.

`--dry-run` reads counts only (rows before DATE, already redacted, left to redact) and writes
nothing, not even the ledger. The password never appears in output: sources are named
`litellm-db:HOST[:PORT]/DB` and driver errors are masked (`audit.readers.litellm_db`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass

from audit.errors import ConfigError
from audit.model import ReadError
from audit.readers import litellm_db as reader
from audit.redact.report import RedactReport
from audit.redact.rewrite import Unit

COLUMNS = ("messages", "response", "proxy_server_request")
LEDGER_SCHEMA = "llm_audit"
LEDGER = f"{LEDGER_SCHEMA}.redacted_spend_logs"
PAGE_SIZE = reader.PAGE_SIZE


@dataclass
class DryRun:
    """What a run would do: counts of rows, never a value."""

    source: str
    before: datetime.datetime
    rows_before: int
    already_redacted: int

    def lines(self) -> list[str]:
        """One grep-friendly line."""
        return [
            f"redact-db dry_run=true source={self.source} before={self.before.isoformat()} "
            f"rows={self.rows_before} already_redacted={self.already_redacted} "
            f"to_redact={self.rows_before - self.already_redacted}"
        ]


def parse_before(text: str) -> datetime.datetime:
    """`--before DATE`: an ISO date or date-time; a time with a zone is taken to UTC (LiteLLM writes UTC)."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"--before {text!r}: give an ISO date (2026-01-31) or date-time") from None
    return reader._utc(moment)


def count(url: str, before: datetime.datetime) -> DryRun:
    """Rows before `before`, and how many of them the ledger says are redacted already; nothing is written."""
    from sqlalchemy import text

    engine = reader._engine(url)
    try:
        with reader.read_only(engine) as conn:
            total = conn.execute(
                text(f'SELECT count(*) FROM {reader.TABLE} WHERE "startTime" < :before'),  # noqa: S608 - constants
                {"before": before},
            ).scalar_one()
            done = 0
            if conn.execute(text("SELECT to_regclass(:name)"), {"name": LEDGER}).scalar_one() is not None:
                done = conn.execute(
                    text(
                        f"SELECT count(*) FROM {reader.TABLE} s JOIN {LEDGER} l USING (request_id) "  # noqa: S608
                        'WHERE s."startTime" < :before'
                    ),
                    {"before": before},
                ).scalar_one()
    except Exception as exc:  # noqa: BLE001 - any driver failure: masked, reported as unreadable input
        raise DatabaseError(reader._reason(exc, url, 0)) from None
    finally:
        engine.dispose()
    return DryRun(reader.source_name(url), before, total, done)


class DatabaseError(Exception):
    """The database could not be read or written; the message is masked (no password, no value)."""


def redact_spend_logs(ctx, replacer, url: str, before: datetime.datetime, report: RedactReport, on_error) -> None:
    """Rewrite the three columns of every row before `before` not yet in the ledger, batch by batch."""
    from audit.redact.rewrite import Plan
    from audit.redact.run import redacted_batches

    source = reader.source_name(url)
    engine = reader._engine(url)
    ids: dict[int, str] = {}  # unit number -> request_id, for the batches in flight
    written = 0
    try:
        _ensure_ledger(engine)
        for batch, values in redacted_batches(ctx, replacer, _units(engine, source, before, ids), report):
            rows = [(ids.pop(p.unit.number), next(values)) for p in batch if isinstance(p, Plan)]
            written += _write(engine, rows)
            report.batches += 1
    except Exception as exc:  # noqa: BLE001 - any driver failure: masked; the batches committed stay
        report.files_unreadable += 1
        on_error(ReadError(source, 0, reader._reason(exc, url, written)))
    finally:
        engine.dispose()
    report.outputs.append(source)


def _ensure_ledger(engine) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {LEDGER_SCHEMA}"))
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {LEDGER} (request_id TEXT PRIMARY KEY, "
                "redacted_at TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))"
            )
        )


def _units(engine, source: str, before: datetime.datetime, ids: dict[int, str]) -> Iterator[Unit]:
    """A Unit per row to redact ({column: value} of the three columns), oldest first, in read-only pages;
    its request_id goes into `ids` under its number."""
    cursor, number = None, 0
    while True:
        with reader.read_only(engine) as conn:
            page = [dict(r) for r in conn.execute(*_page_query(before, cursor)).mappings()]
        for row in page:
            number += 1
            ids[number] = row["request_id"]
            yield Unit({c: row[c] for c in COLUMNS}, source, number, number)
        if len(page) < PAGE_SIZE:
            return
        cursor = (page[-1]["startTime"], page[-1]["request_id"])


def _page_query(before: datetime.datetime, cursor):
    from sqlalchemy import text

    params = {"before": before, "size": PAGE_SIZE}
    where = ['s."startTime" < :before', f"NOT EXISTS (SELECT 1 FROM {LEDGER} l WHERE l.request_id = s.request_id)"]
    if cursor is not None:
        where.append('(s."startTime", s.request_id) > (:after_time, :after_id)')
        params["after_time"], params["after_id"] = cursor
    columns = ", ".join(f"s.{c}" for c in COLUMNS)
    sql = (
        f'SELECT s.request_id, s."startTime", {columns} FROM {reader.TABLE} s '  # noqa: S608 - constants only
        f'WHERE {" AND ".join(where)} ORDER BY s."startTime", s.request_id LIMIT :size'
    )
    return text(sql), params


def _write(engine, rows: list[tuple[str, dict]]) -> int:
    """One transaction: each row claimed in the ledger, then rewritten; a row claimed already is left alone."""
    from sqlalchemy import text

    claim = text(f"INSERT INTO {LEDGER} (request_id) VALUES (:id) ON CONFLICT DO NOTHING RETURNING request_id")
    sets = ", ".join(f"{c} = CAST(:{c} AS JSONB)" for c in COLUMNS)
    update = text(f"UPDATE {reader.TABLE} SET {sets} WHERE request_id = :id")  # noqa: S608 - constants only
    done = 0
    with engine.begin() as conn:
        for request_id, value in rows:
            if conn.execute(claim, {"id": request_id}).first() is None:
                continue
            params = {c: None if value.get(c) is None else json.dumps(value[c]) for c in COLUMNS}
            conn.execute(update, {"id": request_id, **params})
            done += 1
    return done
