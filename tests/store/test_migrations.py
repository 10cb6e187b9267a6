"""Migrations: the ORM and the latest revision agree; ahead/behind databases get clear handling."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from audit.errors import StoreError
from audit.store import migrate
from audit.store.db import make_engine
from audit.store.models import Base
from audit.store.registry import Registry

HEAD = migrate.head_revision()
EXTRA_REVISION = f'''
"""Test-only revision: one more table."""
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = "{HEAD}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("extra")
'''


def test_orm_models_match_the_latest_migration(registry):
    with registry.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def test_fresh_database_is_created_at_head(registry):
    with registry.engine.connect() as conn:
        state = migrate.schema_state(conn)
        tables = set(inspect(conn).get_table_names())
    assert state.up_to_date and state.current == migrate.head_revision()
    assert {"workloads", "endpoints", "scans", "findings", "decisions", "waivers", "events"} <= tables


def test_migrations_ship_inside_the_package():
    found = migrate.migrations_dir()
    assert (found / "env.py").is_file() and (found / "script.py.mako").is_file()
    assert sorted(p.name for p in (found / "versions").glob("0*.py"))[0] == "0001_initial.py"


def test_database_ahead_of_the_code_is_refused(registry):
    with registry.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff0000'"))
    with pytest.raises(
        StoreError, match=rf"schema revision ffff0000 is newer than this llm-audit \(latest known: {HEAD}\)"
    ):
        Registry.open(registry.url)


@pytest.fixture
def newer_code(tmp_path, monkeypatch):
    """Pretend this llm-audit ships one more revision than the database has."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_extra.py").write_text(EXTRA_REVISION)
    monkeypatch.setattr(migrate, "migrations_dir", lambda: scripts)


def test_older_sqlite_file_is_backed_up_then_upgraded(tmp_path, monkeypatch, request):
    db = tmp_path / "old.db"
    Registry.open(f"sqlite:///{db}").close()
    request.getfixturevalue("newer_code")
    Registry.open(f"sqlite:///{db}").close()
    backups = list(tmp_path.glob(f"old.db.bak-{HEAD}-*"))
    assert len(backups) == 1 and oct(backups[0].stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(backups[0]) as old, sqlite3.connect(db) as new:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        assert new.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)


def test_behind_server_database_names_the_upgrade_command(db_url, request):
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite files are upgraded in place after a backup")
    Registry.open(db_url).close()
    request.getfixturevalue("newer_code")
    with pytest.raises(StoreError, match="audit db upgrade --db"):
        Registry.open(db_url)
    before, after = migrate.upgrade(make_engine(db_url), db_url)
    assert (before, after) == (HEAD, "9999")
