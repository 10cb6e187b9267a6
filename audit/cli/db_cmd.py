"""`audit db upgrade|current`: the registry database's schema."""

from __future__ import annotations

from typing import Annotated

import typer

from audit import api
from audit.errors import ConfigError
from audit.store.db import make_engine, redact_url
from audit.store.migrate import head_revision, schema_state, upgrade
from audit.store.scanning import choose_registry

app = typer.Typer(help="The registry database: schema revision and upgrades.", no_args_is_help=True)
DbOption = Annotated[str | None, typer.Option("--db", help="Registry database: a file or SQLAlchemy URL.")]
ConfigOption = Annotated[str | None, typer.Option("--config", help="Config file (its `db` key names the registry).")]


def register(root) -> None:
    """Add `audit db` to the root app."""
    root.add_typer(app, name="db")


@app.command("upgrade")
def upgrade_cmd(db: DbOption = None, config: ConfigOption = None) -> None:
    """Upgrade the schema to this llm-audit's latest revision (SQLite files are backed up first)."""
    url = choose_registry(api.settings_from(config, db=db), create=True).url
    before, after = upgrade(make_engine(url), url)
    if before == after:
        print(f"{redact_url(url)}: already at {after}")
    else:
        print(f"{redact_url(url)}: upgraded {before or 'empty'} -> {after}")


@app.command("current")
def current_cmd(db: DbOption = None, config: ConfigOption = None) -> None:
    """Print the database's schema revision and this llm-audit's latest one."""
    choice = choose_registry(api.settings_from(config, db=db))
    if choice.url is None:
        raise ConfigError(f"no registry ({choice.origin})")
    url = choice.url
    with make_engine(url, create=False).connect() as conn:
        state = schema_state(conn)
    note = "up to date" if state.up_to_date else ("newer than this llm-audit" if not state.known else "behind")
    print(f"{redact_url(url)}: {state.current or 'empty'} (latest {head_revision()}): {note}")
