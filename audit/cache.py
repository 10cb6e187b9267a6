"""Content-addressed span caches: a bounded in-memory LRU per run and a SQLite file across runs.

Both are keyed by a keyed hash of the message text (blake2b with the
per-install secret), never the text: a plain hash of a short message such as
a bare SSN could be reversed by enumeration. Entries hold spans only
(offsets, entity types, scores, recognizer names) and never a matched value.

The persistent cache partitions entries by a detection identity: everything
that can change what the analyzer returns for a text (versions, model,
recognizers, detection settings, the scanner's own source, the policy set).

Each entry is authenticated: HMAC-SHA256 with a key derived from the secret,
over the identity, the text key and the spans, stored before the spans. Whoever
can write the cache file but not read the secret could otherwise blank entries
(a rescan would find nothing) or move them between texts. An entry whose MAC
does not match, or that does not decode, is a miss: the text is analysed again
and its entry replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from audit.model import Span

CACHE_FILE = "spans.sqlite3"
SCHEMA_VERSION = 2  # 2: entries carry a MAC (entries of 1, unauthenticated, are never read)
_MAC_BYTES = 32
_SQL_VARS = 500  # keys per SELECT ... IN (...), under SQLite's variable limit
_STALE_DAYS = 30  # entries of identities unused this long are dropped on open

# Settings that do not change what the analyzer returns for a text. Every other
# field is part of the identity, so a new detection setting invalidates by default.
NON_DETECTION_SETTINGS = frozenset(
    {
        "show_values",
        "policy_dirs",
        "disabled_rules",
        "db",
        "cache",
        "cache_dir",
        "jobs",
        "batch_size",
        "message_time_budget",
        "strict",
        "home",
    }
)

Spans = tuple[Span, ...]


def text_key(secret: bytes, text: str) -> bytes:
    """Content address of a message text: a keyed 16-byte blake2b digest."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=secret[:64], digest_size=16).digest()


def detection_identity(settings, policy_identity: str) -> str:
    """A digest of everything that decides the spans found in a text.

    Computed without loading spaCy or Presidio, so a run whose texts are all
    cached never loads them: the engine's pipes and recognizers follow from
    our scanner code (in the source digest), the settings and the versions.
    """
    parts = {
        "schema": SCHEMA_VERSION,
        "versions": {p: _version(p) for p in ("llm-audit", "presidio-analyzer", "spacy")},
        "model": [settings.spacy_model, _model_identity(settings.spacy_model)],
        "settings": settings.model_dump(exclude=set(NON_DETECTION_SETTINGS), mode="json"),
        "source": _scanner_source_digest(),
        "policy": policy_identity,
    }
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.blake2b(blob, digest_size=20).hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _model_identity(model: str) -> str:
    """The installed model package's version, or a digest of a model directory's meta.json."""
    meta = Path(model) / "meta.json"
    if meta.is_file():
        return hashlib.blake2b(meta.read_bytes(), digest_size=16).hexdigest()
    return _version(model)


def _scanner_source_digest() -> str:
    """The scanner package's own code and data: an edited recognizer must not hit old entries."""
    import audit

    root = Path(audit.__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    files = sorted([*(root / "scanner").rglob("*.py"), *(root / "data").rglob("*")])
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def encode_spans(spans: Spans) -> bytes:
    """Compact JSON of the spans' fields (no text, no values)."""
    return json.dumps(
        [[s.start, s.end, s.entity_type, s.score, s.recognizer, s.kind] for s in spans], separators=(",", ":")
    ).encode()


def decode_spans(blob: bytes) -> Spans:
    """The spans `encode_spans` wrote."""
    return tuple(Span(*row) for row in json.loads(blob))


def cache_key(secret: bytes) -> bytes:
    """The cache entries' MAC key, derived from the fingerprint secret (never the secret itself)."""
    return hmac.new(secret, b"llm-audit span cache", hashlib.sha256).digest()


def seal(key: bytes, identity: str, text: bytes, spans: Spans) -> bytes:
    """An entry as stored: its MAC, then the encoded spans."""
    blob = encode_spans(spans)
    return _entry_mac(key, identity, text, blob) + blob


def unseal(key: bytes, identity: str, text: bytes, entry: object) -> Spans | None:
    """The spans of a stored entry; None when it is not one this key sealed for this identity and text key,
    or does not decode to spans (never an exception: a bad entry is a miss)."""
    if not isinstance(entry, bytes) or len(entry) < _MAC_BYTES:
        return None
    mac, blob = entry[:_MAC_BYTES], entry[_MAC_BYTES:]
    if not hmac.compare_digest(mac, _entry_mac(key, identity, text, blob)):
        return None
    try:
        return decode_spans(blob)
    except (ValueError, TypeError, RecursionError):
        return None


def _entry_mac(key: bytes, identity: str, text: bytes, blob: bytes) -> bytes:
    message = identity.encode() + b"\0" + len(text).to_bytes(4, "big") + text + blob
    return hmac.new(key, message, hashlib.sha256).digest()


class SpanMemo:
    """A bounded LRU of key -> spans for one run (None marks a text that could not be analysed)."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._items: OrderedDict[bytes, Spans | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: bytes) -> bool:
        return key in self._items

    def get(self, key: bytes, default=None):
        """The spans for `key` (refreshing its recency), else `default`."""
        try:
            self._items.move_to_end(key)
        except KeyError:
            return default
        return self._items[key]

    def put(self, key: bytes, spans: Spans | None) -> None:
        """Remember `spans`, evicting the least recently used entry past the limit."""
        self._items[key] = spans
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)


class SpanCache:
    """Spans by (detection identity, text key) in a SQLite file shared by every scan on this install.

    WAL mode lets concurrent scans read while one writes; writes are batched;
    two scans storing the same text store the same entry, and a rejected entry
    is replaced (INSERT OR REPLACE). Any SQLite
    failure disables the cache for the rest of the run instead of failing the scan.
    """

    def __init__(self, directory: Path, identity: str, secret: bytes) -> None:
        self.path = Path(directory) / CACHE_FILE
        self.identity = identity
        self._key = cache_key(secret)
        self.hits = 0
        self.misses = 0
        self.rejected = 0  # entries whose MAC or encoding did not hold (tampered or corrupt), analysed again
        self._pending: list[tuple[bytes, bytes]] = []
        self._db: sqlite3.Connection | None = None
        self._ident_id = 0
        try:
            self._open()
        except sqlite3.Error:
            self._db = None

    @property
    def enabled(self) -> bool:
        """False once the cache file could not be used."""
        return self._db is not None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.text_factory = bytes  # a tampered entry stored as TEXT (perhaps not UTF-8) is read, then rejected
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS identity (
                id INTEGER PRIMARY KEY, digest TEXT UNIQUE NOT NULL, last_used REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS spans (
                identity INTEGER NOT NULL, key BLOB NOT NULL, spans BLOB NOT NULL,
                PRIMARY KEY (identity, key)) WITHOUT ROWID;
            """
        )
        now = time.time()
        with _transaction(db):
            db.execute("INSERT OR IGNORE INTO identity (digest, last_used) VALUES (?, ?)", (self.identity, now))
            db.execute("UPDATE identity SET last_used = ? WHERE digest = ?", (now, self.identity))
            stale = [
                r[0] for r in db.execute("SELECT id FROM identity WHERE last_used < ?", (now - _STALE_DAYS * 86400,))
            ]
            for ident in stale:
                db.execute("DELETE FROM spans WHERE identity = ?", (ident,))
                db.execute("DELETE FROM identity WHERE id = ?", (ident,))
        self._ident_id = db.execute("SELECT id FROM identity WHERE digest = ?", (self.identity,)).fetchone()[0]
        self._db = db

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, Spans]:
        """The cached spans among `keys`."""
        keys = list(keys)
        found: dict[bytes, Spans] = {}
        if self._db is None or not keys:
            return found
        try:
            for i in range(0, len(keys), _SQL_VARS):
                part = keys[i : i + _SQL_VARS]
                marks = ",".join("?" * len(part))
                sql = f"SELECT key, spans FROM spans WHERE identity = ? AND key IN ({marks})"
                for key, entry in self._db.execute(sql, (self._ident_id, *part)):
                    spans = unseal(self._key, self.identity, key, entry) if isinstance(key, bytes) else None
                    if spans is None:
                        self.rejected += 1
                    else:
                        found[key] = spans
        except sqlite3.Error:
            self._disable()
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put(self, key: bytes, spans: Spans) -> None:
        """Queue `spans` for writing; written in batches."""
        if self._db is not None:
            self._pending.append((key, seal(self._key, self.identity, key, spans)))
            if len(self._pending) >= 2000:
                self.flush()

    def flush(self) -> None:
        """Write the queued entries in one transaction."""
        if self._db is None or not self._pending:
            return
        rows, self._pending = self._pending, []
        try:
            with _transaction(self._db):
                self._db.executemany(
                    "INSERT OR REPLACE INTO spans (identity, key, spans) VALUES (?, ?, ?)",
                    [(self._ident_id, k, v) for k, v in rows],
                )
        except sqlite3.Error:
            self._disable()

    def close(self) -> None:
        """Flush and close; the WAL is checkpointed into the main file."""
        self.flush()
        if self._db is not None:
            try:
                self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass
            self._db.close()
            self._db = None

    def _disable(self) -> None:
        self._pending = []
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = None


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def cache_dir(settings) -> Path:
    """Where the span cache lives: `cache_dir`, else <home>/cache."""
    return Path(settings.cache_dir) if settings.cache_dir else settings.home_dir() / "cache"
