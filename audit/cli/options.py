"""One option vocabulary for every command: what each flag spelling means, and the old spellings kept one release.

docs/cli.md prints this table; tests/test_cli_vocabulary.py walks every command and fails when a spelling
means two things or a deprecated alias stays silent.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from audit.errors import ConfigError

# Options declared alike by several commands, declared once.
JsonOpt = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
OutputFileOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write the output to FILE instead of standard output."),
]

# A canonical spelling -> (the Python parameter name every command gives it, what it means): one meaning a flag.
VOCABULARY: dict[str, tuple[str, str]] = {
    "--format": ("output_format", "the format of what the command writes (table, json, ...)"),
    "-f": ("output_format", "short for --format"),
    "--json": ("as_json", "shorthand for --format json"),
    "--input-format": ("input_format", "the format of the logs read (default: auto, detected per file)"),
    "--output": ("output", "the FILE the command writes its output to (default: standard output)"),
    "-o": ("output", "short for --output"),
    "--output-dir": ("output_dir", "the DIRECTORY the command writes its files to (one per input)"),
}

# (command, old spelling) -> the spelling that replaces it. Hidden options; each use prints one warning line.
DEPRECATED: dict[tuple[str, str], str] = {
    ("scan", "--out"): "--output",
    ("baseline create", "--format"): "--input-format",
    ("route export", "--out"): "--output",
    ("registry verify", "--accept-unkeyed"): "--allow-legacy",
    ("redact", "--out"): "--output-dir",
    ("spark scan", "--out"): "--output",
}

# Old meanings told apart by value (the value sets barely overlap): `scan --format <an input format>` and
# `scan -o <an output format>`. A value both sets hold (json, jsonl) takes the new meaning.
DEPRECATED_BY_VALUE: dict[tuple[str, str], str] = {
    ("scan", "--format"): "--input-format",
    ("scan", "-o/--output"): "--format",
    ("spark scan", "--format"): "--input-format",
    ("spark scan", "-o/--output"): "--format",
}


def warn_deprecated(old: str, new: str, note: str = "") -> None:
    """The one stderr line a deprecated spelling prints."""
    print(f"audit: warning: {old} is deprecated; use {new}{note}", file=sys.stderr)


def deprecated_option(command: str, old: str):
    """A hidden option for an old spelling: it warns when used; the command then treats its value as `new`'s."""
    new = DEPRECATED[(command, old)]

    def warn(value):
        if value is not None and value is not False:  # given (a flag: set)
            warn_deprecated(old, new)
        return value

    return typer.Option(old, hidden=True, callback=warn, help=f"Deprecated: use {new}.")


def alias(value, old_value, old: str, new: str):
    """The value of `new`, else of its deprecated spelling `old`; both at once is a usage error."""
    if old_value is None:
        return value
    if value is not None and value != old_value:
        raise ConfigError(f"{old} and {new} both given: keep {new}")
    return old_value


def close_matches(name: str, known: Iterable[str]) -> str:
    """'did you mean 'hipaa'?', else a few of the known names, for an error about an unknown `name`."""
    known = sorted(set(known))
    close = difflib.get_close_matches(name, known, n=3)
    if close:
        return f"did you mean {' or '.join(map(repr, close))}?"
    if not known:
        return "there are none"
    more = f" (and {len(known) - 8} more)" if len(known) > 8 else ""
    return f"known: {', '.join(known[:8])}{more}"


def resolve_format(value: str | None, as_json: bool, choices: Iterable[str], default: str, what: str = "format") -> str:
    """The output format from --format/-f and --json, checked against `choices` (exit 2 otherwise)."""
    choices = tuple(choices)
    if as_json and value not in (None, "json"):
        raise ConfigError(f"--json means --format json, not --format {value}: keep one")
    fmt = "json" if as_json else value or default
    if fmt not in choices:
        close = difflib.get_close_matches(fmt, choices, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(f"--format: unknown {what} {fmt!r}{hint}; choose from {', '.join(choices)}")
    return fmt


def scan_formats(
    fmt: str | None, input_format: str | None, output: str | None, output_formats: Iterable[str], read_formats
) -> tuple[str | None, str | None, Path | None]:
    """(output format, input format, output file) of `audit scan`, the old meanings of --format and -o mapped.

    Before the one vocabulary, `scan --format` named the input format and `scan -o` the output format.
    """
    output_formats = tuple(output_formats)
    if fmt is not None and fmt in read_formats and fmt not in output_formats:
        warn_deprecated(f"--format {fmt} (an input format)", f"--input-format {fmt}")
        input_format, fmt = alias(input_format, fmt, "--format", "--input-format"), None
    if output is not None and output in output_formats:
        warn_deprecated(
            f"-o/--output {output} (an output format)", f"--format {output}", " (-o now names the output file)"
        )
        fmt, output = alias(fmt, output, "-o", "--format"), None
    return fmt, input_format, Path(output) if output is not None else None


def hide_bool_metavars(command) -> None:
    """Flags take no value: show `--quiet -q` in help, not `--quiet -q <bool>` (typer prints the type unless a
    metavar is set; an empty one prints nothing)."""
    for param in command.params:
        _no_metavar(param)
    made = command.get_help_option  # --help is made per context, not held in `params`
    command.get_help_option = lambda ctx: _no_metavar(made(ctx))
    for sub in getattr(command, "commands", {}).values():
        hide_bool_metavars(sub)


def _no_metavar(param):
    if param is not None and getattr(param, "is_flag", False) and param.metavar is None:
        param.metavar = ""
    return param
