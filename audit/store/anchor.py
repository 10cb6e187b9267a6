"""The anchored head: the event chain's newest SEQ:HASH, kept outside the database beside the secret.

Deleting the newest events leaves no gap in the chain, and a database can be
replaced whole; only a record kept elsewhere tells. After every write that
appends events, the registry writes its head to `<AUDIT_HOME>/heads/<id>.json`
(mode 0600, atomic replace), MACed with a key derived from the fingerprint
secret and bound to the registry's identity (its URL without the password, a
SQLite file by its absolute path), so the file of one registry cannot vouch for
another and whoever can write the database but not read the secret cannot
forge one. `audit registry verify` checks the log against it by default.

The head only moves forward along one chain: a write advances it when the
event it names is still in the log with that hash; when that event is gone or
changed (truncated or replaced), the file is left as it is for verify to report.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

HEADS_DIR = "heads"
_MAX_BYTES = 4096  # a head file is one short JSON object; anything longer is not ours


@dataclass(frozen=True)
class Head:
    """A head as recorded: the event's seq and hash."""

    seq: int
    hash: str


class HeadFileError(Exception):
    """A head file that exists but cannot be trusted (unreadable, malformed, wrong MAC or registry)."""


def registry_identity(url: str) -> str:
    """The registry as the head file names it: the URL without its password; a SQLite file by its absolute path."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.drivername.startswith("sqlite") and parsed.database and parsed.database != ":memory:":
        parsed = parsed.set(database=str(Path(parsed.database).resolve()))
    return parsed.set(password=None).render_as_string(hide_password=False)


def head_path(home: Path, url: str) -> Path:
    """Where the head of the registry at `url` is kept: one file per registry identity under `home`."""
    digest = hashlib.sha256(registry_identity(url).encode("utf-8")).hexdigest()[:32]
    return home / HEADS_DIR / f"{digest}.json"


def anchor_key(secret: bytes) -> bytes:
    """The head file's MAC key, derived from the fingerprint secret (never the secret itself)."""
    return hmac.new(secret, b"llm-audit head anchor", hashlib.sha256).digest()


def _mac(key: bytes, identity: str, head: Head) -> str:
    return hmac.new(key, f"{identity}\n{head.seq}:{head.hash}".encode(), hashlib.sha256).hexdigest()


def read_head(path: Path, key: bytes, url: str) -> Head | None:
    """The head recorded in `path`; None when there is no file; HeadFileError when it cannot be trusted."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HeadFileError(f"cannot read it ({exc.strerror})") from None
    try:
        data = json.loads(raw) if len(raw) <= _MAX_BYTES else None
        head = Head(int(data["seq"]), str(data["hash"]))
        mac = str(data["mac"])
    except (ValueError, TypeError, KeyError):
        raise HeadFileError("malformed (altered?)") from None
    identity = registry_identity(url)
    if not hmac.compare_digest(mac, _mac(key, identity, head)):
        raise HeadFileError("its MAC does not match this registry and secret (altered, copied or another secret?)")
    return head


def write_head(path: Path, key: bytes, url: str, head: Head) -> None:
    """Replace `path` atomically with `head`, MACed (0600, in a 0700 directory)."""
    identity = registry_identity(url)
    body = {"registry": identity, "seq": head.seq, "hash": head.hash, "mac": _mac(key, identity, head)}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(body, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def locked(path: Path):
    """Hold an exclusive lock on the head of `path` (a sibling .lock file), so concurrent writers take turns."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def advance(path: Path, key: bytes, url: str, new: Head, hash_at: Callable[[int], str | None]) -> bool:
    """Record `new` as the head unless the recorded one is newer, or is no longer in the log (`hash_at(seq)`).

    Returns True when the file now holds `new`. A file that cannot be trusted is left for verify to report."""
    with locked(path):
        try:
            old = read_head(path, key, url)
        except HeadFileError:
            return False
        if old is not None and (old.seq >= new.seq or hash_at(old.seq) != old.hash):
            return False
        write_head(path, key, url, new)
        return True
