"""`audit report`: the audit report (HTML, Markdown or JSON) from the registry or a JSON scan file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from audit import __version__, api
from audit.cli.common import NoRegistryOption, announce_registry, console_err
from audit.cli.options import JsonOpt, resolve_format
from audit.errors import ConfigError
from audit.outputs import write_atomic
from audit.report import html, json_report, markdown, registry_report
from audit.settings import refuse_protected_outputs

RENDERERS = {"html": html.render, "markdown": markdown.render, "json": json_report.render}


def report(
    output_format: Annotated[
        str | None, typer.Option("--format", "-f", help=f"Report format: {', '.join(RENDERERS)} (default: html).")
    ] = None,
    as_json: JsonOpt = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE (default: standard output)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Registry database URL or SQLite path (default: AUDIT_DB, config, ./llm-audit.db)."),
    ] = None,
    from_scan: Annotated[
        Path | None,
        typer.Option("--from-scan", help="Build the report from an `audit scan --json` file instead of the registry."),
    ] = None,
    show_values: Annotated[
        bool,
        typer.Option(
            "--show-values", help="Show raw values where the source has them (only a --show-values JSON scan does)."
        ),
    ] = False,
    config: Annotated[str | None, typer.Option(help="Config file (default: ./audit.toml or pyproject.toml).")] = None,
    no_registry: Annotated[bool, NoRegistryOption] = False,
) -> None:
    """Write the audit report: executive summary, charts, and per-workload decisions with citations."""
    report_format = resolve_format(output_format, as_json, RENDERERS, "html", "report format")
    refuse_protected_outputs({"--output": output}, api.settings_from(config, db=db))
    if from_scan is not None:
        data = registry_report.from_scan_json(from_scan, show_values=show_values, tool_version=__version__)
    else:
        choice = announce_registry(api.settings_from(config, db=db), no_registry, quiet=report_format == "json")
        if choice.url is None:
            raise ConfigError(f"no registry to report on ({choice.origin}): pass --db, or --from-scan FILE")
        data = registry_report.from_registry(choice.url, tool_version=__version__)
    text = RENDERERS[report_format](data)
    if output is None:
        sys.stdout.write(text)
        return
    write_atomic(output, text)
    console_err().print(f"wrote {report_format} report to {output}: {len(data.workloads)} workloads")


def register(app) -> None:
    """Add `audit report` to the root app."""
    app.command("report")(report)
