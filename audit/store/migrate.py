"""Schema migrations: Alembic configured in code, run in-process on first use.

A fresh database is created at the latest revision. An older SQLite file is
copied to `<file>.bak-<revision>-<time>` and upgraded. An older PostgreSQL
database is left alone: the message names the exact `audit db upgrade` command.
A database newer than this llm-audit is refused with a clear message.
The check and upgrade run in one write transaction (SQLite) or under an
advisory lock (PostgreSQL), so two first uses at once do not race.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from audit.errors import StoreError
from audit.store.db import redact_url, sqlite_path, utcnow

if TYPE_CHECKING:  # Alembic is imported where used: it costs half a second of every start otherwise
    from alembic.config import Config
    from alembic.script import ScriptDirectory

PG_LOCK_KEY = 0x6C6C6D61  # "llma": one advisory lock for schema changes


def migrations_dir() -> Path:
    """The Alembic scripts: `audit/migrations` in a wheel, the repo's `migrations/` in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "migrations", here.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise StoreError(f"migration scripts not found next to {here}; the installation is incomplete")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config built in code (no alembic.ini); `connection` is handed to env.py."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The latest revision this llm-audit knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revision, the code's head, and whether that is known to the code."""

    current: str | None
    head: str
    known: bool

    @property
    def up_to_date(self) -> bool:
        """True when the database is at the code's head."""
        return self.current == self.head


def schema_state(connection: Connection) -> SchemaState:
    """The database's revision against this llm-audit's migrations."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    current = MigrationContext.configure(connection).get_current_revision()
    known = current is None or _known(script, current)
    return SchemaState(current, script.get_current_head(), known)


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several types for unknown ids
        return False


def ensure_schema(engine: Engine, url: str, allow_upgrade: bool = True) -> SchemaState:
    """Bring the database to the head revision, or raise StoreError saying exactly what to do."""
    with engine.execution_options(audit_write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
        state = schema_state(conn)
        if state.up_to_date:
            return state
        if not state.known:
            raise StoreError(
                f"{redact_url(url)}: schema revision {state.current} is newer than this llm-audit "
                f"(latest known: {state.head}); upgrade llm-audit to use this registry"
            )
        if state.current is not None and not _may_upgrade_in_place(url, allow_upgrade):
            raise StoreError(
                f"{redact_url(url)}: schema revision {state.current} is older than {state.head}; "
                f"back the database up, then run: audit db upgrade --db '{redact_url(url)}'"
            )
        if state.current is not None:
            backup_sqlite(url, state.current)
        _upgrade_to_head(conn)
    return SchemaState(state.head, state.head, True)


def _may_upgrade_in_place(url: str, allow_upgrade: bool) -> bool:
    return allow_upgrade and sqlite_path(url) is not None


def backup_sqlite(url: str, revision: str) -> Path | None:
    """Copy the SQLite file (consistently, via the backup API) before migrating it; returns the copy."""
    path = sqlite_path(url)
    if path is None:
        return None
    stamp = datetime.now().strftime("%Y%m%d%H%M%S")
    target = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    from audit.store.db import ensure_private_file

    ensure_private_file(target)
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def upgrade(engine: Engine, url: str) -> tuple[str | None, str]:
    """Explicit upgrade (audit db upgrade): backs SQLite up first; returns (from, to) revisions."""
    with engine.connect() as conn:
        before = schema_state(conn).current
    ensure_schema(engine, url, allow_upgrade=True) if sqlite_path(url) else _upgrade_server(engine, url)
    return before, head_revision()


def _upgrade_server(engine: Engine, url: str) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
        state = schema_state(conn)
        if not state.known:
            raise StoreError(f"{redact_url(url)}: schema revision {state.current} is newer than this llm-audit")
        if not state.up_to_date:
            _upgrade_to_head(conn)


def _upgrade_to_head(conn: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(conn), "head")


__all__ = ["SchemaState", "ensure_schema", "head_revision", "migrations_dir", "schema_state", "upgrade", "utcnow"]
