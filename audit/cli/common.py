"""Small helpers shared by commands: stderr console, progress bar, error lines."""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from collections.abc import Callable

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from audit.report import terminal
from audit.store.scanning import RegistryChoice, choose_registry

NoRegistryOption = typer.Option(
    "--no-registry", help="Read no registry (./llm-audit.db, --db, AUDIT_DB and the config's `db` are ignored)."
)


def announce_registry(settings, no_registry: bool = False, create: bool = False, quiet: bool = False) -> RegistryChoice:
    """The registry this command uses (see `choose_registry`), named in one stderr line unless `quiet` (--quiet,
    JSON output) or there is none."""
    choice = choose_registry(settings, False if no_registry else None, create)
    if choice.url and not quiet:
        print(choice.line(), file=sys.stderr)
    return choice


def workload_source(manifest: str | None, settings, no_registry: bool = False, quiet: bool = False):
    """`api.workload_source` (the one precedence: --manifest, else the registry, else ./workloads.yaml), with the
    registry in use named on stderr unless `quiet`."""
    from audit import api

    announce_registry(settings, no_registry, quiet=quiet)
    return api.workload_source(manifest, settings, False if no_registry else None)


def console_err() -> Console:
    """A console on stderr."""
    return terminal.console(stderr=True)


QUIET_ERROR_LINES = 10


def write_error_lines(error) -> None:
    """One line per unreadable record: file, line, reason."""
    print(f"audit: skipped {terminal.one_line(str(error))}", file=sys.stderr)


def error_writer(quiet: bool) -> Callable[[object], None]:
    """`write_error_lines`; under --quiet the first QUIET_ERROR_LINES only, then one line saying more were hidden.

    Quiet still names the file and line that made the scan fail: a pre-commit
    hook runs with --quiet, and its exit 3 must say which file to look at.
    """
    if not quiet:
        return write_error_lines
    seen = itertools.count()

    def write(error) -> None:
        n = next(seen)
        if n < QUIET_ERROR_LINES:
            write_error_lines(error)
        elif n == QUIET_ERROR_LINES:
            print("audit: more unreadable records not shown (--quiet)", file=sys.stderr)

    return write


def progress_wanted(quiet: bool) -> bool:
    """A progress bar only for a person at a terminal, never in CI."""
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@contextlib.contextmanager
def progress_for(quiet: bool):
    """Yield a callback(records_done) that drives a rich progress display, or None."""
    if not progress_wanted(quiet):
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} records"),
        TextColumn("{task.fields[rate]:.0f}/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console_err(), transient=True) as bar:
        task = bar.add_task(escape("scanning"), total=None, rate=0.0)

        def update(done: int, rate: float) -> None:
            bar.update(task, completed=done, rate=rate)

        yield update
