"""`audit flows check`: declared data flows vs their endpoints, and vs what scans observed."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audit import api
from audit.cli.common import NoRegistryOption, workload_source
from audit.cli.options import JsonOpt, alias, resolve_format
from audit.errors import EXIT_FINDINGS, EXIT_OK
from audit.flows import DriftIssue, FlowReport, check_drift, check_flows, load_manifest, load_taxonomy
from audit.report import terminal

FORMATS = ("table", "json")

flows_app = typer.Typer(help="Check declared data flows against endpoints and scans.", no_args_is_help=True)


@flows_app.command("check")
def check(
    manifest_file: Annotated[
        str | None,
        typer.Argument(
            metavar="[MANIFEST]",
            help="Workload manifest with data_flows, as --manifest (default: the flows stored in the registry, "
            "else ./workloads.yaml).",
        ),
    ] = None,
    manifest: Annotated[
        str | None, typer.Option("--manifest", help="Workload manifest with data_flows (as the MANIFEST argument).")
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="Registry URL or SQLite file; adds drift against the latest scans.")
    ] = None,
    workload: Annotated[list[str] | None, typer.Option(help="Only this workload (repeatable).")] = None,
    min_count: Annotated[
        int, typer.Option(help="Drift: ignore categories whose findings in the latest scan total fewer than this.")
    ] = 1,
    output_format: Annotated[
        str | None, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)} (default: table).")
    ] = None,
    as_json: JsonOpt = False,
    config: Annotated[str | None, typer.Option(help="Config file.")] = None,
    no_registry: Annotated[bool, NoRegistryOption] = False,
) -> None:
    """Flag flows whose data categories need a stricter tier than their endpoint allows, and drift in scans.

    Drift: a category the latest scans of its logs saw that no declared flow admits and an endpoint of the workload
    may not receive. Undeclared (advisory): seen, not declared, but the endpoints may receive it.
    Exit 1 on any violation or drift, 0 otherwise (undeclared rows never fail).
    """
    output = resolve_format(output_format, as_json, FORMATS, "table")
    manifest = alias(manifest, manifest_file, "MANIFEST", "--manifest")
    source = workload_source(manifest, api.settings_from(config, db=db), no_registry, quiet=output == "json")
    if source.manifest is None:
        report = _from_registry(source.registry, workload, min_count)
    else:
        report = _from_manifest(source.manifest, source.registry, workload, min_count)
    if output == "json":
        typer.echo(json.dumps(report_dict(report), indent=2))
    else:
        render(report, terminal.console())
    raise typer.Exit(EXIT_FINDINGS if report.failed else EXIT_OK)


def _from_registry(url: str, workload: list[str] | None, min_count: int) -> FlowReport:
    """The flows the registry stored on import, against its latest scans: no manifest file needed."""
    from audit.flows.stored import check_registry
    from audit.store.registry import Registry

    registry = Registry.open(url, create=False)
    try:
        return check_registry(registry, workload, min_count)
    finally:
        registry.close()


def _from_manifest(manifest: str, url: str | None, workload: list[str] | None, min_count: int) -> FlowReport:
    """The manifest's flows; drift against the registry's latest scans when there is a registry."""
    parsed, taxonomy = load_manifest(manifest), load_taxonomy()
    report = check_flows(parsed, taxonomy, workload)
    if url:
        from audit.flows.observed import observed_entities

        names = workload or [w.name for w in parsed.workloads]
        report.add_drift(check_drift(parsed, taxonomy, observed_entities(url, names), workload, min_count))
    return report


def report_dict(report: FlowReport) -> dict:
    """The JSON shape of a flow report (tiers as their string values)."""
    return report.as_dict()


def render(report: FlowReport, console: Console) -> None:
    """Tables of violations, blocking drift and advisory undeclared categories, then a one-line verdict."""
    if report.issues:
        table = Table(title="Flow violations", show_lines=True)
        for col in ("workload", "flow", "endpoint", "category", "requires", "why"):
            table.add_column(col, overflow="fold")
        for i in report.issues:
            why = i.explanation + (f" [{', '.join(i.regulations)}; {i.citation}]" if i.regulations else "")
            table.add_row(*map(escape, (i.workload, i.flow, i.endpoint, i.category)), _tier(i.required), escape(why))
        terminal.print_table(table, "violation", console.file)
    titles = {"drift": "Drift: observed, not declared, not allowed (fails CI)",
              "undeclared": "Undeclared (advisory): observed, not declared, allowed by the endpoint's agreements"}  # fmt: skip
    for kind, rows in (("drift", report.drift), ("undeclared", report.undeclared)):
        if rows:
            terminal.print_table(_drift_table(titles[kind], rows), kind, console.file)
    if report.drift_checked:
        drift = f"{len(report.drift)} drift finding(s), {len(report.undeclared)} undeclared (advisory)"
    else:
        drift = "drift not checked (no registry)"
    console.print(f"{report.flows_checked} flow(s) checked: {len(report.issues)} violation(s), {drift}")


def _drift_table(title: str, rows: list[DriftIssue]) -> Table:
    table = Table(title=title, show_lines=True)
    blocking = rows[0].blocking
    for col in ("workload", "category", "seen", "endpoint", *(("requires",) if blocking else ()), "why"):
        table.add_column(col, overflow="fold")
    for d in rows:
        why = d.explanation + (f" [{', '.join(d.regulations)}; {d.citation}]" if d.regulations and blocking else "")
        cells = [*map(escape, (d.workload, d.category, d.seen, d.endpoint))]
        table.add_row(*cells, *((_tier(d.required),) if blocking else ()), escape(why))
    return table


def _tier(tier) -> str:
    return tier.value if tier else "?"


def register(app) -> None:
    """Add `audit flows` to the root app."""
    app.add_typer(flows_app, name="flows")
