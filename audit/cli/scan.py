"""`audit scan`: scan logs, write findings, fail CI by exit code.

The command parses its options into a ScanRequest, calls `scan_request.run_scan`
once, prints what a person should read on stderr, and exits with the code the
library decided.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from audit import api
from audit.cli import options
from audit.cli.common import console_err, error_writer, progress_for
from audit.cli.options import JsonOpt, OutputFileOpt, alias, deprecated_option, scan_formats
from audit.readers import FORMAT_CHOICES, ReadOptions
from audit.report.formats import FORMATS
from audit.scan_request import FAIL_ON_CHOICES, Output, ScanEvents, ScanRequest, ScanResult, run_scan


def scan(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Log files or directories to scan; '-' reads standard input; "
            "postgresql://USER@HOST/DB with --litellm-spend-logs."
        ),
    ],
    output_format: Annotated[
        str | None, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)} (default: table).")
    ] = None,
    as_json: JsonOpt = False,
    output: OutputFileOpt = None,
    input_format: Annotated[
        str | None,
        typer.Option("--input-format", help=f"Force the input format (default: auto): {', '.join(FORMAT_CHOICES)}."),
    ] = None,
    deprecated_out: Annotated[str | None, deprecated_option("scan", "--out")] = None,
    column: Annotated[str | None, typer.Option(help="CSV/TSV: name or 1-based number of the text column.")] = None,
    include: Annotated[
        list[str] | None, typer.Option(help="Directories: only files matching this glob (repeatable).")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Directories: skip files matching this glob (repeatable).")
    ] = None,
    litellm_spend_logs: Annotated[
        bool,
        typer.Option(
            "--litellm-spend-logs",
            help="Read a postgresql:// URL in PATHS as the LiteLLM proxy's database: its LiteLLM_SpendLogs rows, "
            "in pages, read only (password: PGPASSWORD or ~/.pgpass rather than the URL).",
        ),
    ] = False,
    started_after: Annotated[
        datetime | None,
        typer.Option(
            "--started-after",
            help="Database sources: only requests whose startTime (UTC) is at or after this date or time.",
        ),
    ] = None,
    workload: Annotated[str | None, typer.Option(help="Attribute every record to this workload.")] = None,
    fail_on: Annotated[
        str,
        typer.Option(help=f"Exit 1 when a record's decision is at least this strict: {', '.join(FAIL_ON_CHOICES)}."),
    ] = "redact_then_closed",
    spacy_model: Annotated[
        str | None, typer.Option(help="spaCy pipeline to use (an installed package or a path).")
    ] = None,
    score_threshold: Annotated[float | None, typer.Option(help="Drop findings scored below this (0-1).")] = None,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Include raw matched values in the output. Handle with care.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first unreadable record.")] = False,
    fail_on_empty: Annotated[
        bool,
        typer.Option("--fail-on-empty", help="Exit 3 when an input holds no records (an export that wrote nothing)."),
    ] = False,
    config: Annotated[
        str | None, typer.Option(help="Config file (default: ./audit.toml or \\[tool.llm-audit] in ./pyproject.toml).")
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress bar or summaries on stderr; errors still print (the first 10)."
        ),
    ] = False,
    sarif: Annotated[Path | None, typer.Option("--sarif", help="Also write SARIF 2.1.0 to FILE.")] = None,
    sarif_root: Annotated[
        Path | None,
        typer.Option(
            "--sarif-root",
            file_okay=False,
            help="SARIF file URIs are relative to this directory (default: the git top level, else the working directory).",
        ),
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write JUnit XML to FILE.")] = None,
    github_annotations: Annotated[
        bool, typer.Option("--github-annotations", help="Also print GitHub Actions annotations on stdout.")
    ] = False,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Report only findings not accepted in this baseline file.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Scan only files under PATHS changed since this git revision.")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Worker processes (default: all cores; 1: in-process).")
    ] = None,
    cache: Annotated[
        bool | None, typer.Option("--cache/--no-cache", help="Reuse spans of texts analysed before (default: on).")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Registry database: a file or SQLAlchemy URL.")] = None,
    registry: Annotated[
        bool | None,
        typer.Option(
            "--registry/--no-registry",
            help="Record the scan in the registry. Default: when --db/AUDIT_DB is set or ./llm-audit.db exists.",
        ),
    ] = None,
    manifest: Annotated[
        str | None, typer.Option("--manifest", help="Workload manifest to take workload profiles from.")
    ] = None,
) -> None:
    """Scan prompt logs for PII and regulated content, and decide where each record may be sent."""
    fmt, input_format, path = scan_formats(output_format, input_format, output, FORMATS, FORMAT_CHOICES)
    path = alias(path, deprecated_out and Path(deprecated_out), "--out", "--output")
    outputs = [Output(options.resolve_format(fmt, as_json, FORMATS, "table"), path, "--output")]
    outputs += [Output(name, path, f"--{name}") for name, path in (("sarif", sarif), ("junit", junit)) if path]
    if github_annotations:
        outputs.append(Output("github"))
    read_options = ReadOptions(
        format=input_format or "auto", column=column, include=include or [], exclude=exclude or [],
        litellm_spend_logs=litellm_spend_logs, started_after=started_after,
    )  # fmt: skip
    request = ScanRequest(
        paths, outputs, read_options,
        workload=workload, fail_on=fail_on, baseline=baseline, since=since, registry=registry, manifest=manifest,
        sarif_root=sarif_root and str(sarif_root), fail_on_empty=fail_on_empty, quiet=quiet,
    )  # fmt: skip
    settings = api.settings_from(
        config,
        spacy_model=spacy_model,
        score_threshold=score_threshold,
        show_values=show_values or None,
        strict=strict or None,
        db=db,
        jobs=jobs,
        cache=cache,
    )
    events = ScanEvents(_notice_writer(quiet), error_writer(quiet), lambda: progress_for(quiet))
    result = run_scan(request, settings, events)
    if not quiet:
        _print_summary(result, request.outputs[0])
    raise typer.Exit(result.exit_code)


def _notice_writer(quiet: bool):
    """Print the library's notices on stderr; under --quiet only those it says must always show."""

    def notice(text: str, always: bool) -> None:
        if always or not quiet:
            console_err().print(text, markup=False)  # paths are data, not rich markup

    return notice


def _print_summary(result: ScanResult, main: Output) -> None:
    """The lines after a scan: findings the baseline hid, where the output went, registry violations."""
    if result.hidden is not None:
        console_err().print(f"baseline: {result.hidden} accepted findings hidden", markup=False)
    summary = result.summary
    if main.path and main.format != "table":
        console_err().print(
            f"wrote {main.format} to {main.path}: {summary.records_read} records, "
            f"{summary.records_with_findings} with findings, {summary.records_skipped} skipped",
            markup=False,
        )
    for line in result.violations:
        print(line, file=sys.stderr)
