"""`audit gateway key`: API keys bound to workloads for the LiteLLM guardrail (a thin shell over audit.gateway.keys)."""

from __future__ import annotations

from typing import Annotated

import typer

from audit import api
from audit.cli.common import NoRegistryOption, announce_registry
from audit.manifest import check_workload

gateway_app = typer.Typer(help="Enforcement at the LiteLLM gateway: keys bound to workloads.", no_args_is_help=True)


@gateway_app.command("key")
def key_cmd(
    workload: Annotated[str, typer.Argument(help="The workload the key is bound to.")],
    keys: Annotated[str, typer.Option("--keys", help="The keys file (LLM_AUDIT_KEYS_FILE of the proxy).")],
    alias: Annotated[str | None, typer.Option("--alias", help="A name for the key in LiteLLM's logs.")] = None,
    manifest: Annotated[
        str | None, typer.Option("--manifest", help="Check WORKLOAD against this manifest (default: the registry).")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Registry database: a file or SQLAlchemy URL.")] = None,
    config: Annotated[str | None, typer.Option("--config", help="Config file.")] = None,
    no_registry: Annotated[bool, NoRegistryOption] = False,
) -> None:
    """Make an API key bound to WORKLOAD: print it once, store only its SHA-256 in the keys file (0600).

    WORKLOAD must be a registered workload (or one of --manifest's) whenever a registry or manifest is in use.
    """
    from audit.gateway.keys import new_key

    settings = api.settings_from(config, db=db)
    if not manifest:
        announce_registry(settings, no_registry)
    known = api.workload_names(manifest, settings, False if no_registry else None)
    check_workload(workload, known, "WORKLOAD")
    key = new_key(keys, workload, alias)
    typer.echo(key)
    typer.echo(f"audit: bound a new key to {workload} in {keys} (only its hash is stored)", err=True)


def register(app) -> None:
    """Add `audit gateway` to the root app."""
    app.add_typer(gateway_app, name="gateway")
