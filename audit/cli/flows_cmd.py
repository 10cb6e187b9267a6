"""`audit flows check`: declared data flows vs their endpoints, and vs what scans observed."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from audit import api
from audit.errors import EXIT_FINDINGS, EXIT_OK, ConfigError
from audit.flows import FlowReport, check_drift, check_flows, load_manifest, load_taxonomy
from audit.settings import DEFAULT_DB_FILE

DEFAULT_MANIFEST = "workloads.yaml"
FORMATS = ("table", "json")

flows_app = typer.Typer(help="Check declared data flows against endpoints and scans.", no_args_is_help=True)


@flows_app.command("check")
def check(
    manifest: Annotated[str, typer.Argument(help="Workload manifest with data_flows.")] = DEFAULT_MANIFEST,
    db: Annotated[
        str | None, typer.Option(help="Registry URL or SQLite file; adds drift against the latest scans.")
    ] = None,
    workload: Annotated[list[str] | None, typer.Option(help="Only this workload (repeatable).")] = None,
    min_count: Annotated[int, typer.Option(help="Drift: ignore entity types seen fewer times than this.")] = 1,
    output: Annotated[str, typer.Option("--format", help="Output: table or json.")] = "table",
    config: Annotated[str | None, typer.Option(help="Config file.")] = None,
) -> None:
    """Flag flows whose data categories need a stricter tier than their endpoint allows, and drift in scans.

    Exit 1 on any violation or drift, 0 when clean.
    """
    if output not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}")
    parsed, taxonomy = load_manifest(manifest), load_taxonomy()
    report = check_flows(parsed, taxonomy, workload)
    url = _registry_url(db, config)
    if url:
        from audit.flows.observed import observed_entities

        names = workload or [w.name for w in parsed.workloads]
        report.drift = check_drift(parsed, taxonomy, observed_entities(url, names), workload, min_count)
        report.drift_checked = True
    if output == "json":
        typer.echo(json.dumps(report_dict(report), indent=2))
    else:
        render(report, Console(highlight=False, soft_wrap=False, width=160))
    raise typer.Exit(EXIT_FINDINGS if report.failed else EXIT_OK)


def _registry_url(db: str | None, config: str | None) -> str | None:
    """The registry to read drift from: --db or AUDIT_DB/config when set, else ./llm-audit.db if it exists."""
    settings = api.settings_from(config, db=db)
    if db or settings.db or os.environ.get("AUDIT_DB") or Path(DEFAULT_DB_FILE).exists():
        return settings.db_url()
    return None


def report_dict(report: FlowReport) -> dict:
    """The JSON shape of a flow report (tiers as their string values)."""

    def row(item) -> dict:
        d = asdict(item)
        d["required"] = item.required.value if item.required else None
        return d

    return {
        "flows_checked": report.flows_checked,
        "violations": [row(i) for i in report.issues],
        "drift_checked": report.drift_checked,
        "drift": [row(d) for d in report.drift],
        "failed": report.failed,
    }


def render(report: FlowReport, console: Console) -> None:
    """Tables of violations and drift, then a one-line verdict."""
    if report.issues:
        table = Table(title="Flow violations", show_lines=True)
        for col in ("workload", "flow", "endpoint", "category", "requires", "why"):
            table.add_column(col, overflow="fold")
        for i in report.issues:
            why = i.explanation + (f" [{', '.join(i.regulations)}; {i.citation}]" if i.regulations else "")
            table.add_row(i.workload, i.flow, i.endpoint, i.category, i.required.value if i.required else "?", why)
        console.print(table)
    if report.drift:
        table = Table(title="Drift: observed in scans, not declared", show_lines=True)
        for col in ("workload", "entity", "seen", "category", "requires", "why"):
            table.add_column(col, overflow="fold")
        for d in report.drift:
            table.add_row(d.workload, d.entity_type, str(d.count), d.category, d.required.value, d.explanation)
        console.print(table)
    drift = f"{len(report.drift)} drift finding(s)" if report.drift_checked else "drift not checked (no registry)"
    console.print(f"{report.flows_checked} flow(s) checked: {len(report.issues)} violation(s), {drift}")


def register(app) -> None:
    """Add `audit flows` to the root app."""
    app.add_typer(flows_app, name="flows")
