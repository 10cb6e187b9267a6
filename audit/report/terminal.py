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
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from rich.console import Console

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


def console(file: TextIO | None = None, *, stderr: bool = False, **kwargs) -> Console:
    """A rich console that escapes control characters in every string it renders."""
    target = file if file is not None else (sys.stderr if stderr else sys.stdout)
    return _EscapingConsole(file=unescaped(target), highlight=False, **kwargs)
