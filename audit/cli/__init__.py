"""The command line: parse, call the library, render, pick the exit code. Nothing more.

One handler turns the AuditError family into one stderr line and its exit
code; tracebacks (which could print prompt text) show only with --debug,
which never changes the exit code CI reads.
"""

from __future__ import annotations

import os
import sys
import traceback

import typer
from typer.exceptions import TyperException

from audit.cli import (
    baseline_cmd,
    db_cmd,
    eval_cmd,
    flows_cmd,
    policy_cmd,
    registry_cmd,
    report_cmd,
    route_cmd,
    spark_cmd,
)
from audit.cli import scan as scan_cmd
from audit.errors import EXIT_INPUT, EXIT_USAGE, AuditError
from audit.report import terminal

app = typer.Typer(
    name="audit",
    help="Audit LLM prompt logs for regulated data and decide where each workload may run.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.command("scan")(scan_cmd.scan)
# Each module adds its own commands or sub-apps; one line each, in help order.
for _module in (eval_cmd, policy_cmd, registry_cmd, db_cmd, report_cmd, baseline_cmd, flows_cmd, route_cmd, spark_cmd):
    _module.register(app)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors (they may contain prompt text)."),
) -> None:
    """Audit LLM prompt logs for regulated data and decide where each workload may run."""


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
        rc = app(args=argv, standalone_mode=False)
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
