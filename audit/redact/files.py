"""Where outputs go and how they are written: one output per input, atomically, compressed as the input was.

An output is written to a temporary file in its own directory, then renamed over its target,
so a reader never sees half a file and an interrupted run leaves the old output (or none).
The input is never written, except with `in_place`, and then only after a backup copy
(`FILE.orig`) exists beside it.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import os
import shutil
import tempfile
from pathlib import Path

from audit.errors import ConfigError
from audit.readers.compressed import BZIP2_MAGIC, GZIP_MAGIC, ZSTD_MAGIC
from audit.readers.inputs import InputFile, expand_paths

BACKUP_SUFFIX = ".orig"


def targets(paths: list[str], out_dir: Path | None, include=None, exclude=None) -> list[tuple[InputFile, Path]]:
    """(input, output path) for every file under `paths`; with no `out_dir`, the input itself (in place)."""
    pairs, seen = [], set()
    for raw in paths:
        if raw == "-" or "://" in raw:
            raise ConfigError(f"{raw}: audit redact reads files and directories, not streams or databases")
        _check_outside(raw, out_dir)
        for item in expand_paths([raw], include, exclude):
            target = Path(item.path) if out_dir is None else out_dir / _relative(raw, item.path)
            if target in seen:
                raise ConfigError(f"{item.path}: two inputs would be written to the same output {target}")
            seen.add(target)
            pairs.append((item, target))
    return pairs


def _relative(raw: str, path: str) -> Path:
    root = Path(raw)
    if root.is_dir():
        return Path(root.resolve().name) / Path(path).relative_to(root)
    return Path(Path(path).name)


def _check_outside(raw: str, out_dir: Path | None) -> None:
    """An output directory inside an input directory would be read back as input by the next run."""
    if out_dir is None:
        return
    src, out = Path(raw).resolve(), out_dir.resolve()
    if out == src or (src.is_dir() and out.is_relative_to(src)):
        raise ConfigError(f"--output-dir {out_dir} is inside the input {raw}; choose a directory outside it")


def compression_of(path: str) -> str | None:
    """'gzip', 'bzip2' or 'zstd' by the file's magic bytes, else None."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(BZIP2_MAGIC):
        return "bzip2"
    return "zstd" if head == ZSTD_MAGIC else None


@contextlib.contextmanager
def atomic_output(target: Path, compression: str | None, mode_of: str | None = None):
    """A binary stream to `target`'s temporary file, compressed like the input; renamed over `target` on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            with _compressing(raw, compression) as out:
                yield out
            raw.flush()
            os.fsync(raw.fileno())
        if mode_of is not None:
            os.chmod(tmp, os.stat(mode_of).st_mode & 0o777)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _compressing(raw, compression: str | None):
    if compression == "gzip":
        with gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out:  # no temp name in the header
            yield out
    elif compression == "bzip2":
        with bz2.BZ2File(raw, "wb") as out:
            yield out
    elif compression == "zstd":
        import zstandard

        with zstandard.ZstdCompressor().stream_writer(raw, closefd=False) as out:
            yield out
    else:
        yield raw


def backup(path: str) -> str:
    """Copy `path` to `path.orig` (refusing to overwrite an earlier backup); returns the backup's path."""
    copy = path + BACKUP_SUFFIX
    if os.path.exists(copy):
        raise ConfigError(f"{copy} exists: move the earlier backup away before redacting {path} in place")
    shutil.copy2(path, copy)
    return copy
