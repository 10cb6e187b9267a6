"""`audit baseline create`: accept today's findings so `audit scan --baseline` reports only new ones."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from audit import api
from audit import baseline as baseline_lib
from audit.cli.common import console_err, write_error_lines
from audit.cli.options import alias, deprecated_option
from audit.errors import EXIT_INPUT, EXIT_OK
from audit.readers import FORMAT_CHOICES, ReadOptions
from audit.settings import refuse_protected_outputs

baseline_app = typer.Typer(help="Baselines of accepted findings (value-free, safe to commit).", no_args_is_help=True)


@baseline_app.command("create")
def create(
    paths: Annotated[list[str], typer.Argument(help="Log files or directories to scan.")],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Baseline file to write (kept metadata: owner, reason, expires)."
        ),
    ] = Path(baseline_lib.DEFAULT_FILE),
    input_format: Annotated[
        str | None,
        typer.Option("--input-format", help=f"Force the input format (default: auto): {', '.join(FORMAT_CHOICES)}."),
    ] = None,
    deprecated_format: Annotated[str | None, deprecated_option("baseline create", "--format")] = None,
    workload: Annotated[str | None, typer.Option(help="Attribute every record to this workload.")] = None,
    config: Annotated[str | None, typer.Option(help="Config file (default: ./audit.toml or pyproject.toml).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary or error lines on stderr.")] = False,
) -> None:
    """Scan PATHS and write every finding to a baseline file; owner/reason/expires of kept entries survive."""
    input_format = alias(input_format, deprecated_format, "--format", "--input-format") or "auto"
    settings = api.settings_from(config)
    refuse_protected_outputs({"--output": output}, settings)
    previous = baseline_lib.load(output) if output.exists() else None
    baseline, outcome = baseline_lib.create(
        paths,
        settings,
        ReadOptions(format=input_format, skip=frozenset({os.path.realpath(output)})),  # never its own baseline
        workload=workload,
        on_error=None if quiet else write_error_lines,
        previous=previous,
    )
    baseline_lib.save(baseline, output)
    if not quiet:
        console_err().print(
            f"wrote {len(baseline.entries)} baseline entries to {output} "
            f"({outcome.summary.records_read} records, {outcome.summary.records_skipped} skipped)"
        )
    raise typer.Exit(EXIT_INPUT if outcome.summary.records_skipped else EXIT_OK)


def register(app) -> None:
    """Add `audit baseline` to the root app."""
    app.add_typer(baseline_app, name="baseline")
