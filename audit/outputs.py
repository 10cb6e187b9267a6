"""Output files: written whole or not at all, and a failed write is one clear error, never a traceback.

A regular file is written to a temporary file beside it, flushed to disk and
renamed over the target only when everything was written: a full disk, a
killed run or a scan that fails leaves the previous file (or none), never half
of one. Devices and pipes (`/dev/stdout`, a FIFO) are written in place, since a
rename would replace the device node itself. A symlink is followed, so the
file it points to is replaced and the link stays. An output that holds raw
values (`--show-values`) is created 0600 whatever the umask.

No output replaces the fingerprint secret, the span cache, a registry head, or
any SQLite database (a registry, named or not): exit 2 before anything is
written. A killed run leaves its temporary file (with `--show-values`, raw
values); the next output into that directory removes the temporary files of
ours whose process is gone or that are over an hour old.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from audit.errors import AuditError, ConfigError

TEMP_TAG = "llm-audit"
_OUR_TEMP = re.compile(rf"\..+\.{TEMP_TAG}-(\d+)\.[^.]+\.tmp")  # .NAME.llm-audit-PID.RANDOM.tmp
STALE_TEMP_SECONDS = 3600
_SQLITE_MAGIC = b"SQLite format 3\x00"


class OutputError(AuditError):
    """An output file cannot be written (full disk, read-only directory, missing directory...)."""


def write_error(path: str | os.PathLike, exc: OSError) -> OutputError:
    """The one-line error for a failed write of `path`."""
    return OutputError(f"{path}: cannot write: {exc.strerror or exc}")


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` whole or not at all."""
    with open_output(path) as fh:
        fh.write(text)


def refuse_inputs_as_outputs(outputs: dict[str, str | None], inputs: list[str], include=(), exclude=()) -> None:
    """Raise ConfigError when an output (option name -> path) is a file the scan reads.

    Writing it would replace the very log being audited (an explicit input) or
    feed last run's output back in as a log (a file in an input directory).
    """
    from audit.readers.inputs import expand_paths

    named = {opt: Path(p) for opt, p in outputs.items() if p and p != "-"}
    existing = {opt: p for opt, p in named.items() if p.is_file()}
    for opt, path in named.items():
        for raw in inputs:
            if raw != "-" and os.path.realpath(raw) == os.path.realpath(path):
                raise ConfigError(f"{opt} {path} is also an input: refusing to overwrite a log being scanned")
    if not existing or not any(Path(raw).is_dir() for raw in inputs if raw != "-"):
        return
    dirs = [raw for raw in inputs if raw != "-" and Path(raw).is_dir()]
    for item in expand_paths(dirs, list(include), list(exclude)):
        for opt, path in existing.items():
            if not item.problem and os.path.samefile(item.path, path):
                raise ConfigError(
                    f"{opt} {path} would be read as a log from {item.path}; write it elsewhere or --exclude it"
                )


@contextmanager
def open_output(path: str | os.PathLike, *, private: bool = False) -> Iterator[TextIO]:
    """A text file to write `path` through; it replaces `path` only if the block completes.

    `private` (an output with raw values): the file ends up 0600, even when it existed.
    `-` is standard output, as everywhere on a command line (never a file named `-`).
    """
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(os.path.realpath(path))
    special, tmp = _is_special(target), ""
    if not special:
        refuse_protected(path, target)
        remove_stale_temps(target.parent)
    try:
        if special:
            fh = open(target, "w", encoding="utf-8")  # noqa: SIM115 - closed below, its error named
        else:
            prefix = f".{target.name}.{TEMP_TAG}-{os.getpid()}."
            fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
            fh = os.fdopen(fd, "w", encoding="utf-8")
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        yield _Guarded(fh, path)
    except BaseException:
        _close_quietly(fh)
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise
    try:
        fh.flush()
        if not special:
            os.fsync(fh.fileno())
        fh.close()
        if not special:
            os.chmod(tmp, 0o600 if private else _mode_for(target))
            os.replace(tmp, target)
    except OSError as exc:
        _close_quietly(fh)
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise write_error(path, exc) from None


def refuse_protected(path: str | os.PathLike, target: Path) -> None:
    """ConfigError when `target` is the secret, the span cache, a kept registry head or any SQLite database."""
    from audit.settings import PROTECTED, audit_home, protected_output

    what = protected_output(target)
    if what is None and target.parent == Path(os.path.realpath(audit_home() / "heads")):
        what = "a registry head kept beside the secret"
    if what is None:
        try:
            with open(target, "rb") as fh:
                if fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC:
                    what = "a SQLite database (a registry?)"
        except OSError:
            pass
    if what:
        raise ConfigError(f"{path}: that is {what}; {PROTECTED}")


def remove_stale_temps(directory: Path) -> list[Path]:
    """Remove our temporary outputs in `directory` left by a run that was killed: files of this user named as
    `open_output` names them, whose process is gone or that are older than an hour. Returns what was removed."""
    removed = []
    try:
        names = [n for n in os.listdir(directory) if n.endswith(".tmp")]
    except OSError:
        return removed
    now = time.time()
    for name in names:
        found = _OUR_TEMP.fullmatch(name)
        if not found:
            continue
        path = directory / name
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
                continue
            if now - info.st_mtime > STALE_TEMP_SECONDS or not _alive(int(found[1])):
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _close_quietly(fh: TextIO) -> None:
    try:
        fh.close()
    except OSError:
        pass


def _is_special(target: Path) -> bool:
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except FileNotFoundError:
        return False


def _mode_for(target: Path) -> int:
    """Keep an existing file's mode; a new file gets the usual 0666 minus the umask (mkstemp makes 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class _Guarded:
    """A text file whose write errors name the output path."""

    def __init__(self, fh: TextIO, name: str | os.PathLike) -> None:
        self._fh, self._name = fh, name

    def write(self, text: str) -> int:
        try:
            return self._fh.write(text)
        except OSError as exc:
            raise write_error(self._name, exc) from None

    def flush(self) -> None:
        try:
            self._fh.flush()
        except OSError as exc:
            raise write_error(self._name, exc) from None

    def __getattr__(self, name: str):
        return getattr(self._fh, name)
