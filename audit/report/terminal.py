"""Text bound for a terminal or a CI log: control characters made visible, never obeyed.

Record ids, workload names, file names, manifest text and masked previews come
from the logs and manifests we audit, so any of them may carry an ANSI/OSC
sequence (retitle the window, rewrite the screen, plant a hyperlink) or a
bidirectional override that makes a line read differently than it is. Every
such character is written as a JSON-style `\\uXXXX` escape instead: readable,
grep-able, and still valid inside the JSON we print.

Two layers, so nothing depends on each call site remembering: the CLI wraps
stdout and stderr in `EscapingStream` for plain prints, and rich consoles come
from `console()`, which escapes every string before rich adds its own styling.

Logs are not terminals: a rich table written to a pipe or file wraps at 80
columns and splits tokens, so `print_table` writes one `name key=value ...`
line per row there instead, and consoles off a terminal never wrap prose.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_CONTROLS = [c for c in range(0x20) if c not in (0x09, 0x0A)] + list(range(0x7F, 0xA0)) + _BIDI
_TABLE = {c: f"\\u{c:04x}" for c in _CONTROLS}
_ONE_LINE = {**_TABLE, 0x09: "\\u0009", 0x0A: "\\u000a"}


def escape_controls(text: str) -> str:
    """`text` with C0/C1 controls (bar tab and newline), DEL and bidi overrides as `\\uXXXX`."""
    return text.translate(_TABLE)


def one_line(text: str) -> str:
    """Like `escape_controls`, newline and tab included: for a value inside a line of ours."""
    return text.translate(_ONE_LINE)


class EscapingStream:
    """A text stream that escapes control characters in everything written through it."""

    def __init__(self, stream: TextIO) -> None:
        self.unescaped = stream

    def write(self, text: str) -> int:
        """Write `text` with its control characters escaped."""
        self.unescaped.write(escape_controls(text))
        return len(text)

    def writelines(self, lines) -> None:
        """Write each line, escaped."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self.unescaped, name)


def unescaped(stream: TextIO) -> TextIO:
    """The stream beneath an `EscapingStream` (for rich, which escapes on its own), else `stream`."""
    return getattr(stream, "unescaped", stream)


@contextlib.contextmanager
def escaping_std_streams():
    """Route sys.stdout and sys.stderr through `EscapingStream` for the duration."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingStream(saved[0]), EscapingStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class _EscapingConsole(Console):
    def render_str(self, text: str, **kwargs):
        return super().render_str(escape_controls(text), **kwargs)


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal; TTY_COMPATIBLE=1 or =0 (rich's convention) overrides the check."""
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in ("0", "1"):
        return forced == "1"
    isatty = getattr(unescaped(stream), "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def console(file: TextIO | None = None, *, stderr: bool = False, **kwargs) -> Console:
    """A rich console that escapes control characters in every string it renders.

    Off a terminal it soft-wraps by default: a log line stays one line, whatever its length.
    """
    target = unescaped(file if file is not None else (sys.stderr if stderr else sys.stdout))
    kwargs.setdefault("soft_wrap", not is_terminal(target))
    return _EscapingConsole(file=target, highlight=False, **kwargs)


def print_table(table: Table, name: str, file: TextIO | None = None, keys: tuple[int, ...] = (0,)) -> None:
    """Print `table` as a rich table on a terminal (its `keys` columns kept whole, see `keep_keys`), else its
    title, then `table_lines` (one line per row)."""
    target = file if file is not None else sys.stdout
    if is_terminal(target):
        console(target, soft_wrap=False).print(keep_keys(table, keys))
        return
    title = [one_line(_plain(table.title))] if table.title else []
    for line in [*title, *table_lines(table, name)]:
        target.write(line + "\n")


def keep_keys(table: Table, keys: tuple[int, ...] = (0,)) -> Table:
    """Key columns (a workload name, a path) are never split or cut: unwrapped and as wide as their longest
    cell, so rich narrows and wraps the free-text columns first (folding a word too long for its column
    rather than cutting it short with an ellipsis)."""
    for i, column in enumerate(table.columns):
        if i in keys:
            column.no_wrap = True
            column.min_width = max(cell_len(_plain(c)) for c in (column.header, *column.cells))
        elif column.overflow == "ellipsis":
            column.overflow = "fold"
    return table


def table_lines(table: Table, name: str) -> list[str]:
    """One `name key=value ...` line per row: keys are the headers (spaces as `_`), values as `log_value`."""
    keys = [_key(column.header, i) for i, column in enumerate(table.columns)]
    rows = zip(*(list(column.cells) for column in table.columns), strict=True)
    return [" ".join([name, *(f"{k}={log_value(_plain(v))}" for k, v in zip(keys, row, strict=True))]) for row in rows]


_BARE = re.compile(r'[^\s"=\\]+')


def log_value(text: str) -> str:
    """`text` bare when it is one plain token, else JSON-quoted (empty, spaces, quotes, `=`, `\\`, controls)."""
    if _BARE.fullmatch(text) and escape_controls(text) == text:
        return text
    return escape_controls(json.dumps(text, ensure_ascii=False))


def _plain(cell) -> str:
    if isinstance(cell, Text):
        return cell.plain
    return Text.from_markup(cell).plain if isinstance(cell, str) else str(cell)


def _key(header, index: int) -> str:
    return re.sub(r"\s+", "_", _plain(header).strip()) or f"column{index + 1}"
