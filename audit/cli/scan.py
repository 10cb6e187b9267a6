"""`audit scan`: scan logs, write findings, fail CI by exit code."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from audit import api
from audit.cli import baseline_cmd
from audit.cli.common import console_err, error_writer, progress_for
from audit.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, ConfigError
from audit.model import Tier
from audit.outputs import open_output, refuse_inputs_as_outputs
from audit.readers import FORMAT_CHOICES, ReadOptions
from audit.report.formats import FORMATS, Fanout, Target
from audit.store import scanning

FAIL_ON_CHOICES = [t.value for t in Tier if t is not Tier.UNRESTRICTED] + ["never"]


def scan(
    paths: Annotated[list[str], typer.Argument(help="Log files or directories to scan; '-' reads standard input.")],
    output: Annotated[str, typer.Option("--output", "-o", help=f"Output format: {', '.join(FORMATS)}.")] = "table",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the output to FILE instead of standard output.")
    ] = None,
    input_format: Annotated[
        str, typer.Option("--format", help=f"Force the input format: {', '.join(FORMAT_CHOICES)}.")
    ] = "auto",
    column: Annotated[str | None, typer.Option(help="CSV/TSV: name or 1-based number of the text column.")] = None,
    include: Annotated[
        list[str] | None, typer.Option(help="Directories: only files matching this glob (repeatable).")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Directories: skip files matching this glob (repeatable).")
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
    if output not in FORMATS:
        raise ConfigError(f"unknown output format {output!r}; choose from {', '.join(FORMATS)}")
    if fail_on not in FAIL_ON_CHOICES:
        raise ConfigError(f"--fail-on must be one of {', '.join(FAIL_ON_CHOICES)}")
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
    store = scanning.open_for_scan(settings, registry)
    profiles = scanning.scan_profiles(store, manifest)
    recorder = scanning.recorder_for_scan(store, settings, workload, profiles)
    options = ReadOptions(format=input_format, column=column, include=include or [], exclude=exclude or [])
    if since is not None:
        paths = baseline_cmd.changed_paths(since, paths, quiet)
    accepted = baseline_cmd.load_for_scan(baseline, settings, quiet) if baseline else None
    refuse_inputs_as_outputs(
        {"--out": out, "--sarif": sarif, "--junit": junit}, paths, options.include, options.exclude
    )
    private = settings.show_values
    with ExitStack() as stack:
        sink = stack.enter_context(open_output(out, private=private)) if out else sys.stdout
        targets = [Target(output)] + [
            Target(name, stack.enter_context(open_output(path, private=private)))
            for name, path in (("sarif", sarif), ("junit", junit))
            if path
        ]
        if github_annotations:
            targets.append(Target("github", sys.stdout))
        fanout = Fanout(
            targets, accepted.filter if accepted else None, fail_on=fail_on, sarif_root=sarif_root and str(sarif_root)
        )
        on_error = error_writer(quiet)
        progress = stack.enter_context(progress_for(quiet))
        if recorder:
            scanning.check_inputs(paths)  # a mistyped path must not record a failed scan
            stack.enter_context(recorder)  # a scan that raises is marked failed, with no partial rows
        outcome = api.scan_to(
            paths, settings, options, fanout, sink, workload=workload, on_error=on_error, progress=progress,
            workloads=profiles, observers=[recorder] if recorder else [],
        )  # fmt: skip
        decisions = recorder.finish(outcome.summary) if recorder else []
    outcome.strictest = fanout.strictest  # what the outputs saw: baselined findings do not gate
    baseline_cmd.report_hidden(accepted, quiet)
    summary = outcome.summary
    if out and output != "table" and not quiet:
        console_err().print(
            f"wrote {output} to {out}: {summary.records_read} records, {summary.records_with_findings} with findings, {summary.records_skipped} skipped"
        )
    if accepted is not None:  # a violation gates only on findings the baseline has not accepted
        decisions = [d for d in decisions if not d.violation or _still_reached(fanout, d)]
    violations = scanning.violation_lines(decisions)
    for line in [] if quiet else violations:
        print(line, file=sys.stderr)
    code = exit_code(outcome, fail_on)
    raise typer.Exit(code or (EXIT_FINDINGS if violations and fail_on != "never" else EXIT_OK))


def _still_reached(fanout: Fanout, decision) -> bool:
    """True when the results the outputs saw for the workload (baseline applied) still reach its decision's tier."""
    seen = fanout.strictest_by_workload.get(decision.workload, Tier.UNRESTRICTED)
    return seen.rank <= Tier(decision.tier).rank


def exit_code(outcome, fail_on: str) -> int:
    """3 when input was (partly) unreadable, else 1 when a decision reaches the gate, else 0."""
    if outcome.summary.records_skipped or outcome.failed:
        return EXIT_INPUT
    if fail_on != "never" and outcome.strictest.rank <= Tier(fail_on).rank:
        return EXIT_FINDINGS
    return EXIT_OK
