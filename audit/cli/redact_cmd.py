"""`audit redact`: de-identified copies of prompt logs, in the layout they came in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit import api
from audit.cli.common import error_writer


def redact(
    paths: Annotated[list[str], typer.Argument(help="Log files or directories to redact.")],
    out: Annotated[
        Path | None, typer.Option("--out", file_okay=False, help="Directory to write the redacted copies to.")
    ] = None,
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No report lines; errors still print.")] = False,
) -> None:
    """Write de-identified copies of prompt logs: identifiers replaced, strip material removed, layout kept."""
    from audit.redact import RedactOptions, exit_code, redact_paths

    options = RedactOptions(
        out_dir=out, in_place=in_place, mode=mode, locale=locale, verify=verify, max_residual=max_residual,
        include=include or [], exclude=exclude or [], registry=registry,
    )  # fmt: skip
    settings = api.settings_from(
        config, spacy_model=spacy_model, score_threshold=score_threshold, jobs=jobs, cache=cache, db=db
    )
    report = redact_paths(paths, options, settings, error_writer(quiet))
    if not quiet:
        print("\n".join(report.lines()))
    raise typer.Exit(exit_code(report))


def register(app) -> None:
    """Add `audit redact` to the root app."""
    app.command("redact")(redact)
