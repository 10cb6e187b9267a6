"""LiteLLM's own database: the proxy's `LiteLLM_SpendLogs` table, read where LiteLLM stores it.

`audit scan postgresql://USER@HOST/DB --litellm-spend-logs` reads every row of the table (all its
columns: what the litellm format does not read is scanned as fields), each row one record whose id
is its `request_id`, named `litellm-db:HOST[:PORT]/DB` (never the user or password).

Rows come in pages of PAGE_SIZE, by keyset on ("startTime", request_id), the pair LiteLLM indexes;
memory stays flat whatever the table's size. Each page is read in its own short transaction that
the server holds READ ONLY: the reader can change nothing, and the proxy's database keeps no
snapshot or lock open while the scan analyses a page (rows written meanwhile, later than the
cursor, are read too). `started_after` keeps rows whose startTime is at or after it; LiteLLM writes
startTime in UTC, so a time with a zone is converted to UTC first.

The password never appears in a ReadError: errors come from the driver's first line with the
password masked. Better still, leave it out of the URL: libpq reads PGPASSWORD and ~/.pgpass.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from audit.errors import ConfigError
from audit.leaves import parse_nested
from audit.model import ReadError, ReadNotice, Record
from audit.readers.inputs import is_database_url

TABLE = '"LiteLLM_SpendLogs"'
PAGE_SIZE = 1000
EXTRA = "pip install 'llm-audit[postgres]'"
FLAG = "--litellm-spend-logs"
_CREDENTIALS = re.compile(r"://[^@/\s]*@")

ReadObject = Callable[[int, dict], Iterable[Record | ReadError]]


def source_name(url: str) -> str:
    """`litellm-db:HOST[:PORT]/DB`: what a database URL is called in outputs and errors, without credentials."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "localhost", parts.port
    except ValueError:  # a malformed port: name the host part without it
        parts, port = urlsplit(url), None
        host = parts.netloc.rpartition("@")[2].partition(":")[0] or "localhost"
    return f"litellm-db:{host}{f':{port}' if port else ''}/{unquote(parts.path.lstrip('/')) or '?'}"


def check_usage(paths: list[str], spend_logs: bool, started_after, since: str | None) -> None:
    """Raise ConfigError when the database options and PATHS do not fit together (a usage error, exit 2)."""
    urls = [p for p in paths if is_database_url(p)]
    if urls and not spend_logs:
        raise ConfigError(f"{source_name(urls[0])}: a database URL; add {FLAG} to read LiteLLM's spend logs from it")
    if spend_logs and not urls:
        raise ConfigError(f"{FLAG} needs a postgresql:// URL among PATHS (LiteLLM's database)")
    if started_after is not None and not urls:
        raise ConfigError("--started-after filters a database source; for files, --since takes a git revision")
    if urls and since is not None:
        raise ConfigError("--since takes a git revision for files; for a database use --started-after DATE")


def read_spend_logs(
    url: str, read_object: ReadObject, started_after: datetime.datetime | None = None, notices: bool = False
) -> Iterator[Record | ReadError | ReadNotice]:
    """What `read_object(row_number, row)` makes of each LiteLLM_SpendLogs row, oldest first.

    A database that cannot be reached or read is one ReadError (after the rows already read). With
    `notices`, a table with no rows, or none holding a prompt, ends with an "empty" ReadNotice.
    """
    source, line, prompts = source_name(url), 0, 0
    try:
        engine = _engine(url)
    except ConfigError as exc:
        yield ReadError(source, 0, str(exc))
        return
    try:
        for row in _rows(engine, _utc(started_after)):
            line += 1
            prompts += _holds_prompt(row)
            yield from read_object(line, row)
    except Exception as exc:  # noqa: BLE001 - any driver failure: named, password masked, never raised mid-scan
        yield ReadError(source, line + 1 if line else 0, _reason(exc, url, line))
        return
    finally:
        engine.dispose()
    if notices and not prompts:
        yield ReadNotice(source, "empty", _nothing_read(line, started_after))


def _holds_prompt(row: dict) -> bool:
    """True when the row keeps the request's messages (LiteLLM writes `{}` when it does not store prompts)."""
    request = row.get("proxy_server_request")
    request = parse_nested(request) if isinstance(request, str) else request
    for value in (row.get("messages"), request.get("messages") if isinstance(request, dict) else None):
        if isinstance(value, str):  # a jsonb string holding JSON, as some proxy versions write it
            nested = parse_nested(value)
            value = value.strip() if nested is None else nested
        if value not in (None, "", {}, []):
            return True
    return False


def _nothing_read(rows: int, started_after) -> str:
    if rows:
        return (
            f"{rows} spend-log rows, none holding a prompt: the proxy stores prompts only with "
            "store_prompts_in_spend_logs: true"
        )
    return f"no {TABLE} rows" + (f" started at or after {started_after}" if started_after else "")


def _engine(url: str):
    """A SQLAlchemy engine for `url` on psycopg 3; ConfigError (never quoting the URL) when it cannot be made."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError("not a database URL that can be parsed (postgresql://USER@HOST[:PORT]/DB)") from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(parsed, connect_args={"application_name": "llm-audit", "connect_timeout": 15})
    except ImportError:
        raise ConfigError(f"reading LiteLLM's database needs psycopg: {EXTRA}") from None


@contextmanager
def read_only(engine):
    """A connection inside a transaction the server holds READ ONLY: any write in it fails."""
    from sqlalchemy import text

    with engine.connect() as conn, conn.begin():
        conn.execute(text("SET TRANSACTION READ ONLY"))
        yield conn


def _rows(engine, started_after: datetime.datetime | None) -> Iterator[dict]:
    """Every row, page by page; each page's transaction is closed before its rows are handed out."""
    cursor = None
    while True:
        with read_only(engine) as conn:
            page = [dict(row) for row in conn.execute(*_page_query(cursor, started_after)).mappings()]
        for row in page:
            yield {key: _value(value) for key, value in row.items()}
        if len(page) < PAGE_SIZE:
            return
        cursor = (page[-1]["startTime"], page[-1]["request_id"])


def _page_query(cursor, started_after):
    from sqlalchemy import text

    where, params = [], {"size": PAGE_SIZE}
    if started_after is not None:
        where.append('"startTime" >= :started_after')
        params["started_after"] = started_after
    if cursor is not None:
        where.append('("startTime", request_id) > (:after_time, :after_id)')
        params["after_time"], params["after_id"] = cursor
    clause = f"WHERE {' AND '.join(where)} " if where else ""
    sql = f'SELECT * FROM {TABLE} {clause}ORDER BY "startTime", request_id LIMIT :size'  # noqa: S608 - no input in it
    return text(sql), params


def _value(value):
    """A column's value as JSON-like data: jsonb arrives decoded already; times become ISO text."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """`moment` as a naive UTC time, as LiteLLM's `timestamp without time zone` columns hold it."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def _reason(exc: Exception, url: str, line: int) -> str:
    """Why reading failed, from the driver's first line, the password masked and the URL's credentials dropped."""
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == "42P01":
        return f"no {TABLE} table here (is this the LiteLLM proxy's database?)"
    if isinstance(exc, ImportError):
        return f"reading LiteLLM's database needs psycopg: {EXTRA}"
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    for secret in _passwords(url):
        first = first.replace(secret, "***")
    first = _CREDENTIALS.sub("://***@", first)
    where = "rest of the table not read" if line else "nothing read"
    return f"cannot read {TABLE} ({type(orig).__name__}: {first}); {where}"


def _passwords(url: str) -> set[str]:
    """The URL's password as written and decoded (`p%40ss` and `p@ss`)."""
    try:
        raw = urlsplit(url).password
    except ValueError:
        return set()
    return {raw, unquote(raw)} if raw else set()
