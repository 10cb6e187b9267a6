"""The command line: parse, call the library, render, pick the exit code. Nothing more.

One handler turns the AuditError family into one stderr line and its exit
code; tracebacks (which could print prompt text) show only with --debug,
which never changes the exit code CI reads.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import typer
from typer.exceptions import TyperException

from audit.errors import EXIT_INPUT, EXIT_USAGE, AuditError
from audit.report import terminal

# Each module adds its own commands or sub-apps with register(app), in help order.
COMMAND_MODULES = (
    "eval_cmd", "policy_cmd", "registry_cmd", "db_cmd", "report_cmd", "baseline_cmd", "flows_cmd", "route_cmd",
    "spark_cmd", "serve_cmd", "gateway_cmd", "redact_cmd",
)  # fmt: skip


def build_app(full: bool = True) -> typer.Typer:
    """The command tree; with `full=False`, `scan` alone, so a pre-commit scan imports no other command."""
    from audit.cli import scan as scan_cmd

    root = typer.Typer(
        name="audit",
        help="Audit LLM prompt logs for regulated data and decide where each workload may run.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        add_completion=False,
    )
    root.callback()(_root)
    root.command("scan")(scan_cmd.scan)
    for name in COMMAND_MODULES if full else ():
        importlib.import_module(f"audit.cli.{name}").register(root)
    return root


def command(full: bool = True):
    """The click command `audit` runs: the tree of `build_app`, flags shown without a `<bool>` type in help."""
    from audit.cli.options import hide_bool_metavars

    cmd = typer.main.get_command(build_app(full))
    hide_bool_metavars(cmd)
    return cmd


def __getattr__(name: str):
    if name == "app":  # the whole command tree, for tests and docs tools: built on first use
        globals()["app"] = build_app()
        return globals()["app"]
    raise AttributeError(name)


def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors (they may contain prompt text)."),
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=lambda v: _print_version(v), help="Print the version and exit."
    ),
) -> None:
    """Audit LLM prompt logs for regulated data and decide where each workload may run."""


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"llm-audit {version('llm-audit')}")
        except PackageNotFoundError:  # run from a checkout that was never installed
            print("llm-audit (not installed)")
        raise typer.Exit(0)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("AUDIT_DEBUG") == "1"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `audit` console script."""
    argv = sys.argv[1:] if argv is None else argv
    debug = _debug_requested(argv)
    argv = [a for a in argv if a != "--debug"]
    with terminal.escaping_std_streams():
        _run(argv, debug)


def _run(argv: list[str], debug: bool) -> None:
    try:
        rc = command(full=argv[:1] != ["scan"])(args=argv, standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except AuditError as exc:
        if debug:
            traceback.print_exc()
        print(f"audit: error: {terminal.one_line(str(exc))}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (typer.Exit, SystemExit) as exc:
        sys.exit(getattr(exc, "exit_code", getattr(exc, "code", 0)))
    except typer.Abort:
        print("audit: aborted", file=sys.stderr)
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        print("audit: interrupted", file=sys.stderr)
        sys.exit(130)
    except TyperException as exc:  # usage errors: unknown option, missing argument, bad value
        if hasattr(exc, "show"):
            exc.show()
        else:
            print(f"audit: error: {exc.format_message()}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback by default
        if debug:
            traceback.print_exc()
        print(f"audit: internal error: {type(exc).__name__} (run with --debug for the traceback)", file=sys.stderr)
        sys.exit(EXIT_INPUT)
