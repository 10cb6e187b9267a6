"""`audit serve`: the router as a long-running local HTTP service, a thin shell over audit.serve."""

from __future__ import annotations

import ipaddress
import os
import signal
from typing import Annotated

import typer

from audit import api
from audit.errors import ConfigError

GRACE_SECONDS = 10


def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to listen on (localhost by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8787,
    token_env: Annotated[
        str | None,
        typer.Option(
            "--token-env",
            help="Require the token read from this environment variable, as `Authorization: Bearer <token>` "
            "or `x-api-key: <token>` (required with a --host other than loopback; LiteLLM's answers are "
            "restored only with a token).",
        ),
    ] = None,
    max_body: Annotated[
        int, typer.Option("--max-body", help="Largest request body, in bytes (larger: 413).")
    ] = 1_000_000,
    max_concurrent: Annotated[
        int, typer.Option("--max-concurrent", help="Requests in progress at once; more are refused with 429.")
    ] = 4,
    time_budget: Annotated[
        float,
        typer.Option("--time-budget", help="Seconds to judge one request once read; later: refused (503, or BLOCKED)."),
    ] = 10.0,
    max_chars: Annotated[
        int, typer.Option("--max-chars", help="Most characters of text in one request (more: 413, never scanned).")
    ] = 200_000,
    read_timeout: Annotated[
        float,
        typer.Option("--read-timeout", help="Seconds a connection has to send a whole request (slower: 408, closed)."),
    ] = 10.0,
    max_per_client: Annotated[
        int, typer.Option("--max-per-client", help="Connections open at once from one address (more: closed).")
    ] = 32,
    manifest: Annotated[
        str | None,
        typer.Option("--manifest", help="Workload manifest (default: the registry, else ./workloads.yaml, else none)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Registry to read workloads from and record decision counts to: a file or SQLAlchemy URL "
            "(default: AUDIT_DB, config, ./llm-audit.db when it exists; without one nothing is recorded).",
        ),
    ] = None,
    flush_seconds: Annotated[
        int, typer.Option("--flush-seconds", help="Write the decision counts to the registry every N seconds.")
    ] = 60,
    config: Annotated[str | None, typer.Option("--config", help="Config file.")] = None,
) -> None:
    """Serve POST /v1/route, LiteLLM's Generic Guardrail API and GET /healthz, the engine loaded once; SIGTERM drains.

    With a registry, every decision is counted (workload, tier, target, rules; never text) and the counts are
    written every --flush-seconds and at shutdown, for `audit report` to show.
    """
    import uvicorn

    from audit.serve import ServeLimits, configure_access_log, create_app
    from audit.serve_connections import ConnectionLimits, guarded_protocol

    if min(max_body, max_concurrent, flush_seconds, max_chars, max_per_client) < 1:
        raise ConfigError(
            "--max-body, --max-concurrent, --max-chars, --max-per-client and --flush-seconds must be at least 1"
        )
    if time_budget <= 0 or read_timeout <= 0:
        raise ConfigError("--time-budget and --read-timeout must be positive")
    token = _token(token_env)
    if token is None and not _loopback(host):
        raise ConfigError(f"--host {host} is reachable from other machines: pass --token-env VAR to require a token")
    settings = api.settings_from(config, db=db)
    workloads = _workloads(manifest, settings)
    recording = _recording(settings, flush_seconds)
    limits = ServeLimits(max_body, max_concurrent, time_budget, max_chars)
    app = create_app(settings, workloads, token, limits, recording)
    protocol = guarded_protocol(ConnectionLimits(read_timeout, max_per_client))
    configure_access_log()
    if token is None and workloads is not None:
        typer.echo("audit: no --token-env: LiteLLM's answers are not restored (placeholders stay)", err=True)
    typer.echo(f"audit: serving on http://{host}:{port} (POST /v1/route, GET /healthz)", err=True)
    # uvicorn drains in-flight requests on SIGTERM, restores this handler, then re-raises the signal
    # to it: a no-op here makes a graceful stop exit 0 rather than die by the signal.
    signal.signal(signal.SIGTERM, _stopped)
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            http=protocol,
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_SECONDS,
        )
    finally:
        if recording is not None:
            recording.registry.close()


def _stopped(signum, frame) -> None:
    """SIGTERM after uvicorn's graceful shutdown: nothing left to do."""


def _loopback(host: str) -> bool:
    """True for an address only this machine reaches: 127.0.0.0/8, ::1, localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _token(token_env: str | None) -> str | None:
    if token_env is None:
        return None
    token = os.environ.get(token_env, "")
    if not token:
        raise ConfigError(f"--token-env {token_env}: the variable is unset or empty")
    return token


def _recording(settings, flush_seconds: int):
    """Where decision counts go: the registry `audit scan` would record into (never created unasked), or None."""
    from audit.serve import Recording
    from audit.store import scanning
    from audit.store.db import redact_url

    registry = scanning.open_for_scan(settings, None)
    if registry is None:
        typer.echo("audit: decisions are not recorded: no registry (pass --db or set AUDIT_DB)", err=True)
        return None
    typer.echo(f"audit: recording decision counts to {redact_url(registry.url)} every {flush_seconds}s", err=True)
    return Recording(registry, float(flush_seconds))


def _workloads(manifest: str | None, settings):
    """The manifest when one was given or found; none (baseline routing by data category) otherwise."""
    if manifest:
        return api.load_workloads(manifest, settings)
    try:
        return api.load_workloads(None, settings)
    except ConfigError:
        return None


def register(app) -> None:
    """Add `audit serve` to the root app."""
    app.command("serve")(serve_cmd)
