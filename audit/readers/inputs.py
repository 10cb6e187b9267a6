"""Where input bytes come from: files, directories, gzip, stdin. Lazy, line by line."""

from __future__ import annotations

import fnmatch
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from audit.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class InputFile:
    """One input: a path on disk, or '-' for standard input."""

    path: str

    @property
    def is_stdin(self) -> bool:
        """True for '-'."""
        return self.path == "-"


class LineTooLong(Exception):
    """A line longer than the configured maximum; it was skipped."""


class TruncatedInput(Exception):
    """The stream ended early (a gzip file cut short); the rest of the file is lost."""


def expand_paths(
    paths: list[str], include: list[str] | None = None, exclude: list[str] | None = None
) -> Iterator[InputFile]:
    """Files named by `paths`, walking directories recursively (symlink loops are visited once)."""
    for raw in paths:
        if raw == "-":
            yield InputFile("-")
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, include or [], exclude or [])
        elif path.exists():
            yield InputFile(str(path))
        else:
            raise InputError(f"{raw}: no such file or directory")


def _walk(root: Path, include: list[str], exclude: list[str]) -> Iterator[InputFile]:
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
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


def _selected(rel: str, include: list[str], exclude: list[str]) -> bool:
    name = os.path.basename(rel)
    matches = lambda pats: any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in pats)  # noqa: E731
    return (not include or matches(include)) and not matches(exclude)


def open_binary(item: InputFile):
    """A binary stream of the input's content, gunzipped when it starts with the gzip magic."""
    raw = sys.stdin.buffer if item.is_stdin else open(item.path, "rb")  # noqa: SIM115
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered, mode="rb")
    return buffered


def iter_lines(stream, max_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | Exception]]:
    """(1-based line number, bytes) pairs; a too-long line or a cut-off stream yields an exception instead."""
    number = 0
    while True:
        try:
            line = stream.readline(max_bytes + 1)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            yield number + 1, TruncatedInput(f"compressed stream is damaged or ends early ({exc})")
            return
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            _skip_to_newline(stream)
            yield number, LineTooLong(f"line longer than {max_bytes} bytes; skipped")
            continue
        yield number, line


def _skip_to_newline(stream) -> None:
    while True:
        chunk = stream.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return
