"""`audit redact`: de-identified copies of prompt logs, in the layout they came in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit import api
from audit.cli.common import error_writer
from audit.cli.options import alias, deprecated_option
from audit.model import ReadError


def redact(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Log files or directories to redact, or postgresql://USER@HOST/DB with --litellm-spend-logs."
        ),
    ],
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", file_okay=False, metavar="DIR", help="Directory to write the redacted copies to."),
    ] = None,
    deprecated_out: Annotated[Path | None, deprecated_option("redact", "--out")] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Rewrite the inputs themselves, each after a FILE.orig backup.")
    ] = False,
    mode: Annotated[
        str, typer.Option(help="surrogate: realistic stand-ins (default); mask: placeholders such as <PERSON_1>.")
    ] = "surrogate",
    locale: Annotated[str, typer.Option(help="Locale of surrogate names and places (Faker's, e.g. de_DE).")] = "en_US",
    verify: Annotated[
        bool, typer.Option("--verify", help="Scan the redacted output again and count the identifiers left.")
    ] = False,
    max_residual: Annotated[
        str,
        typer.Option(help="--verify: exit 1 above this many residual identifiers (3), or share of replaced (0.5%)."),
    ] = "0",
    include: Annotated[
        list[str] | None, typer.Option(help="Directories: only files matching this glob (repeatable).")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Directories: skip files matching this glob (repeatable).")
    ] = None,
    config: Annotated[str | None, typer.Option(help="Config file (default: ./audit.toml or pyproject.toml).")] = None,
    spacy_model: Annotated[str | None, typer.Option(help="spaCy pipeline to use.")] = None,
    score_threshold: Annotated[float | None, typer.Option(help="Ignore findings scored below this (0-1).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (1: in-process).")] = None,
    cache: Annotated[bool | None, typer.Option("--cache/--no-cache", help="Reuse spans of texts seen before.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Registry database: a file or SQLAlchemy URL.")] = None,
    registry: Annotated[
        bool | None,
        typer.Option(
            "--registry/--no-registry", help="Record the run's counts in the registry (default: if one exists)."
        ),
    ] = None,
    litellm_spend_logs: Annotated[
        bool,
        typer.Option(
            "--litellm-spend-logs",
            help="PATHS is LiteLLM's database: rewrite messages, response and proxy_server_request in place.",
        ),
    ] = False,
    before: Annotated[
        str | None,
        typer.Option("--before", help="--litellm-spend-logs: only rows started before this ISO date (UTC)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="--litellm-spend-logs: count the rows a run would redact; write nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No report lines; errors still print.")] = False,
) -> None:
    """Write de-identified copies of prompt logs: identifiers replaced, strip material removed, layout kept."""
    from audit.redact import RedactOptions, exit_code, redact_database, redact_paths

    out = alias(output_dir, deprecated_out, "--out", "--output-dir")
    database = _database(paths, litellm_spend_logs, before, out, in_place, verify, dry_run)
    options = RedactOptions(
        out_dir=out, in_place=in_place or database is not None, mode=mode, locale=locale, verify=verify,
        max_residual=max_residual, include=include or [], exclude=exclude or [], registry=registry,
    )  # fmt: skip
    if database is not None and dry_run:
        _dry_run(database, before, quiet)
    settings = api.settings_from(
        config, spacy_model=spacy_model, score_threshold=score_threshold, jobs=jobs, cache=cache, db=db
    )
    if database is not None:
        report = redact_database(database, before, options, settings, error_writer(quiet))
    else:
        report = redact_paths(paths, options, settings, error_writer(quiet))
    if not quiet:
        print("\n".join(report.lines()))
    raise typer.Exit(exit_code(report))


def _database(paths, spend_logs, before, out, in_place, verify, dry_run) -> str | None:
    """The database URL to redact in place, or None for files; ConfigError (exit 2) when the options clash."""
    from audit.errors import ConfigError
    from audit.readers.inputs import is_database_url
    from audit.readers.litellm_db import FLAG, check_usage

    check_usage(paths, spend_logs, None, None)
    if not spend_logs:
        if before is not None or dry_run:
            raise ConfigError(f"--before and --dry-run apply to LiteLLM's database ({FLAG})")
        return None
    if len(paths) != 1 or not is_database_url(paths[0]):
        raise ConfigError(f"{FLAG}: give one postgresql:// URL and no files")
    if before is None:
        raise ConfigError(f"{FLAG} rewrites rows in place: give --before DATE (rows started before it)")
    if out is not None or in_place or verify:
        raise ConfigError(f"{FLAG} rewrites the database in place: --output-dir, --in-place and --verify do not apply")
    return paths[0]


def _dry_run(url: str, before: str, quiet: bool) -> None:
    """Print what a run would redact and exit: 0, or 3 when the database cannot be read."""
    from audit.errors import EXIT_INPUT, EXIT_OK
    from audit.redact import litellm_db

    try:
        counts = litellm_db.count(url, litellm_db.parse_before(before))
    except litellm_db.DatabaseError as exc:
        error_writer(False)(ReadError(litellm_db.reader.source_name(url), 0, str(exc)))
        raise typer.Exit(EXIT_INPUT) from None
    if not quiet:
        print("\n".join(counts.lines()))
    raise typer.Exit(EXIT_OK)


def register(app) -> None:
    """Add `audit redact` to the root app."""
    app.command("redact")(redact)
