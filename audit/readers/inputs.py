"""Where input bytes come from: files, directories, stdin, decompressed (`compressed`). Lazy, line by line."""

from __future__ import annotations

import codecs
import fnmatch
import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from audit.errors import InputError
from audit.readers.compressed import GZIP_MAGIC, TruncatedInput, decompressed

__all__ = ["GZIP_MAGIC", "TruncatedInput", "decompressed"]  # re-exported: callers read bytes through this module

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024
MAX_LINE_ENV = "AUDIT_MAX_LINE_BYTES"


def default_max_line_bytes() -> int:
    """The longest line read, in bytes: $AUDIT_MAX_LINE_BYTES when set to a positive integer, else 256 MiB."""
    raw = os.environ.get(MAX_LINE_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return DEFAULT_MAX_LINE_BYTES


@dataclass(frozen=True)
class InputFile:
    """One input: a path on disk, '-' for standard input, or a path that could not be listed (`problem`)."""

    path: str
    problem: str | None = None

    @property
    def is_stdin(self) -> bool:
        """True for '-'."""
        return self.path == "-"


class LineTooLong(Exception):
    """A line longer than the configured maximum; it was skipped."""


def expand_paths(
    paths: list[str], include: list[str] | None = None, exclude: list[str] | None = None
) -> Iterator[InputFile]:
    """Files named by `paths`, walking directories recursively (symlink loops are visited once)."""
    for raw in paths:
        if raw == "-" or is_database_url(raw):  # a database is read by audit.readers.litellm_db, not listed here
            yield InputFile(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, include or [], exclude or [])
        elif path.is_file() or (path.is_symlink() and not path.exists()):  # a broken link is reported when read
            yield InputFile(str(path))
        elif path.exists():
            raise InputError(f"{raw}: not a regular file ({_kind(path)}); to read a stream, pipe it to '-'")
        else:
            raise InputError(f"{raw}: no such file or directory")


DATABASE_SCHEMES = ("postgresql", "postgres")


def is_database_url(raw: str) -> bool:
    """True for a PostgreSQL URL (`postgresql://`, `postgres://`, `postgresql+DRIVER://`), never a file name."""
    scheme, sep, _ = raw.partition("://")
    return bool(sep) and scheme.lower().partition("+")[0] in DATABASE_SCHEMES


def _kind(path: Path) -> str:
    mode = path.stat().st_mode
    kinds = {stat.S_ISFIFO: "a named pipe", stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device"}
    return next((name for test, name in kinds.items() if test(mode)), "a socket or special file")


def _walk(root: Path, include: list[str], exclude: list[str]) -> Iterator[InputFile]:
    seen: set[str] = set()
    problems: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=problems.append):
        yield from _listing_problems(problems)
        real = os.path.realpath(dirpath)
        if real in seen:  # a symlink back to a directory already walked
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = str(full.relative_to(root))
            if name.startswith(".") or not _selected(rel, include, exclude):
                continue
            if full.is_file():
                yield InputFile(str(full))
            elif full.is_symlink():  # dangling or looping link: report it rather than skip it silently
                yield InputFile(str(full), problem=f"cannot open: {_link_problem(full)}")
    yield from _listing_problems(problems)


def _listing_problems(problems: list[OSError]) -> Iterator[InputFile]:
    while problems:
        exc = problems.pop(0)
        yield InputFile(str(exc.filename or "?"), problem=f"cannot list directory: {exc.strerror or exc}")


def _link_problem(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        return exc.strerror or str(exc)
    return "not a regular file"


# Files a log directory often holds that are not prompt logs: skipped while walking a
# directory unless --include names them (a file named on the command line is always read).
NOT_LOGS = (
    "*.md",
    "*.rst",
    "*.yaml",
    "*.yml",
    "*.toml",
    "*.ini",
    "*.py",
    "*.pyc",
    "*.db",
    "*.sqlite",
    "*.db-wal",
    "*.db-shm",
)


def _selected(rel: str, include: list[str], exclude: list[str]) -> bool:
    # Case-blind, on every platform: `*.jsonl` must take `a.JSONL`, and `*.md` must skip `NOTES.MD`.
    rel = rel.lower()
    name = os.path.basename(rel)
    globs = lambda pats: [p.lower() for p in pats]  # noqa: E731
    matches = lambda pats: any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in globs(pats))  # noqa: E731
    if include:
        return matches(include) and not matches(exclude)
    return not matches(exclude) and not matches(NOT_LOGS)


def open_binary(item: InputFile):
    """A binary stream of the input's content, decompressed when it starts with a gzip, bzip2 or zstd magic."""
    raw = sys.stdin.buffer if item.is_stdin else open(item.path, "rb")  # noqa: SIM115
    return decompressed(raw)


class Utf16Lines:
    """A readline()-only stream that decodes UTF-16 (with a BOM) and hands out UTF-8 bytes."""

    def __init__(self, stream) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-16", errors="strict", newline="")

    def readline(self, limit: int = -1) -> bytes:
        """The next line as UTF-8 bytes; `limit` counts characters. Undecodable input raises TruncatedInput."""
        try:
            line = self._text.readline(limit)
        except UnicodeDecodeError as exc:
            raise TruncatedInput(f"invalid UTF-16 ({exc.reason}); rest of file skipped") from None
        return line.encode("utf-8", "surrogatepass")

    def close(self) -> None:
        """Close the underlying stream."""
        self._text.close()


class UndecodableLine(Exception):
    """A line that is not text: NUL bytes or invalid UTF-8. The reason never quotes the line."""


NUL_LINE = "NUL bytes (a damaged line, as a crash leaves); line skipped"
# C0 controls that text never holds (tab, newlines, form feed and escape are left out).
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b")


def decode_line(raw: bytes) -> str:
    """The line as text; UndecodableLine when it holds NUL bytes or invalid UTF-8."""
    if b"\x00" in raw:
        raise UndecodableLine(NUL_LINE)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UndecodableLine(f"invalid UTF-8 at byte {exc.start}; line skipped") from None


def looks_binary(head: bytes) -> bool:
    """True when the sample is not text: NUL bytes, and fewer than half of its non-blank lines are clean text.

    Judged over the whole sample, not by one byte: a crash leaves a line or a block of NUL
    bytes in a text log, and that file is still read, its damaged lines reported one by one.
    """
    if b"\x00" not in head:
        return False
    lines = [line for line in head.split(b"\n") if line.strip()]
    clean = sum(1 for line in lines if _clean_line(line))
    return clean * 2 < len(lines)


def _clean_line(line: bytes) -> bool:
    # Random bytes hold a control byte in every nine; a text line, hardly any.
    controls = len(line) - len(line.translate(None, _CONTROLS))
    return b"\x00" not in line and controls * 32 <= len(line)


def utf16_head(head: bytes) -> bytes:
    """The UTF-8 transcoding of the start of a UTF-16 stream, for format detection."""
    return head[: len(head) // 2 * 2].decode("utf-16", "ignore").encode("utf-8", "ignore")


def iter_lines(stream, max_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | Exception]]:
    """(1-based line number, bytes) pairs; a too-long line or a cut-off stream yields an exception instead."""
    number = 0
    while True:
        try:
            line = stream.readline(max_bytes + 1)
        except TruncatedInput as exc:
            yield number + 1, exc
            return
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            yield number + 1, TruncatedInput(f"compressed stream is damaged or ends early ({exc}); rest of file lost")
            return
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            try:
                _skip_to_newline(stream)
            except (TruncatedInput, EOFError, zlib.error, gzip.BadGzipFile):
                pass  # the next readline reports the damage
            yield number, LineTooLong(f"line longer than {max_bytes} bytes; skipped")
            continue
        yield number, line


def _skip_to_newline(stream) -> None:
    while True:
        chunk = stream.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return
