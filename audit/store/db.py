"""Engines and sessions: SQLite (WAL, busy timeout, file mode 0600) or PostgreSQL by URL.

Write transactions on SQLite start with BEGIN IMMEDIATE, so two processes
writing one file queue on the busy timeout instead of failing half-way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from audit.errors import StoreError

BUSY_TIMEOUT_MS = 60_000


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """`value` with its UTC zone restored (SQLite hands back naive datetimes)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def redact_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def ensure_private_file(path: Path) -> None:
    """Create `path` (and its directory) with mode 0600 if it does not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(url: str, create: bool = True) -> Engine:
    """An engine for `url`; a missing SQLite file is created 0600 when `create`, else StoreError."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"invalid database URL {url!r}") from None
    path = sqlite_path(url)
    if path is not None and str(path).startswith("file:"):  # an SQLite URI (uri=true): SQLite opens it as it says
        return _sqlite_engine(url)
    if path is not None:
        if not path.exists() and not create:
            raise StoreError(
                f"no registry at {path}; run `audit registry import MANIFEST` or `audit scan --registry` first"
            )
        try:
            ensure_private_file(path)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the registry: {exc.strerror}") from None
        return _sqlite_engine(url)
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (ImportError, SQLAlchemyError) as exc:
        raise StoreError(f"{redact_url(url)}: cannot open: {exc}") from None


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("audit_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def write_session(engine: Engine, info: dict | None = None) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its start; commits on success.

    `info` becomes the session's `info` dict (the event chain's key travels there).
    """
    with _session(engine.execution_options(audit_write=True), info) as session:
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; commits (harmlessly) on success."""
    with _session(engine) as session:
        yield session


@contextmanager
def _session(bind, info: dict | None = None) -> Iterator[Session]:
    session = Session(bind=bind, expire_on_commit=False, info=info)
    try:
        with session.begin():
            yield session
    except SQLAlchemyError as exc:
        raise StoreError(f"registry database error: {type(exc).__name__}: {first_line(exc)}") from None
    finally:
        session.close()


def first_line(exc: Exception) -> str:
    """The first line of a database error's own message (SQLAlchemy appends a URL and context)."""
    text = str(getattr(exc, "orig", None) or exc)
    line = text.splitlines()[0] if text else ""
    # SQLite reports a full disk as an I/O error when it cannot grow its WAL index
    return f"{line} (is the disk full?)" if line == "disk I/O error" else line
