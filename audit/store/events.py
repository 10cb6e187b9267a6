"""The append-only event log, chained with a keyed hash.

Each event stores hash = HMAC-SHA256(chain key, prev_hash + canonical JSON of
{seq, at, kind, subject, payload}). The chain key derives from the install's
(or the team's) fingerprint secret, so whoever can write the database but not
read the secret cannot append or rewrite an event that verifies. Events written
before the chain was keyed hash with plain sha256; they verify only as the
chain's first events, never after a keyed one.

`verify_chain` walks the log and reports the first broken link: a changed row,
a re-linked row, a deleted one (a gap in seq), an unkeyed event after keyed
ones; then it rechecks the anchors and the rows that decisions and reports are
built from against what the events recorded (`audit.store.coverage`).
Deleting the newest events leaves no gap: an anchor (`SEQ:HASH` recorded
elsewhere: the head file every write keeps, `audit.store.anchor`, or
`--expect-head`) catches that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from audit.errors import ConfigError
from audit.store.db import utcnow
from audit.store.models import Event

GENESIS = "0" * 64
KEY_INFO = "audit_chain_key"  # where a write session carries the chain key (Session.info)
HEAD_INFO = "audit_appended_head"  # where append leaves the newest (seq, hash) it wrote, for the head file
_ANCHOR = re.compile(r"(?:(\d+):)?([0-9a-f]{64})")


def canonical(value) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_key(secret: bytes) -> bytes:
    """The event chain's HMAC key, derived from the fingerprint secret (never the secret itself)."""
    return hmac.new(secret, b"llm-audit event chain", hashlib.sha256).digest()


def event_hash(key: bytes | None, prev_hash: str, seq: int, at: str, kind: str, subject: str, payload: str) -> str:
    """The chained hash of one event: HMAC with `key`, or plain sha256 (legacy) when `key` is None."""
    body = canonical({"seq": seq, "at": at, "kind": kind, "subject": subject, "payload": json.loads(payload)})
    message = (prev_hash + body).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def append(session: Session, kind: str, subject: str, payload: dict) -> Event:
    """Add the next event to the chain, inside the caller's write transaction (see `Registry.writing`)."""
    key = session.info.get(KEY_INFO)
    if key is None:
        raise LookupError("events.append needs a session from Registry.writing() (it carries the chain key)")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE events IN EXCLUSIVE MODE"))
    last = session.scalars(select(Event).order_by(Event.seq.desc()).limit(1)).first()
    seq = last.seq + 1 if last else 1
    prev = last.hash if last else GENESIS
    at = utcnow().isoformat(timespec="microseconds")
    body = canonical(payload)
    event = Event(
        seq=seq, at=at, kind=kind, subject=subject, payload=body, prev_hash=prev,
        hash=event_hash(key, prev, seq, at, kind, subject, body),
    )  # fmt: skip
    session.add(event)
    session.flush()
    session.info[HEAD_INFO] = (event.seq, event.hash)
    return event


def head(session: Session) -> tuple[int, str]:
    """The newest event's (seq, hash) as stored, unverified; (0, GENESIS) for an empty log."""
    last = session.scalars(select(Event).order_by(Event.seq.desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def format_anchor(seq: int, hash_: str) -> str:
    """The head as `verify --expect-head` takes it: SEQ:HASH."""
    return f"{seq}:{hash_}"


def safe_anchor(seq: int, hash_: str) -> str:
    """SEQ:HASH for display, with a stored hash that is not 64 hex digits shown as `malformed`."""
    return format_anchor(seq, hash_ if re.fullmatch("[0-9a-f]{64}", hash_) else "malformed")


def parse_anchor(value: str, where: str = "--expect-head") -> tuple[int | None, str]:
    """(seq or None, hash) from `SEQ:HASH` or a bare `HASH`; ConfigError when malformed."""
    found = _ANCHOR.fullmatch(value.strip().lower())
    if not found:
        raise ConfigError(f"{where}: an anchor is SEQ:HASH (as `audit registry verify` prints) or a 64-hex HASH")
    return (int(found[1]) if found[1] else None, found[2])


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk: events checked, the head, legacy (unkeyed) events, and the first problem."""

    events: int
    head_seq: int
    head_hash: str
    problem: str | None = None
    legacy: int = 0
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every link, row and anchor holds."""
        return self.problem is None

    @property
    def anchor(self) -> str:
        """The head as SEQ:HASH."""
        return format_anchor(self.head_seq, self.head_hash)


def verify_chain(
    session: Session,
    key: bytes,
    anchors: tuple[str, ...] = (),
    allow_legacy: bool = False,
    recorded: tuple[str, int, str] | None = None,
) -> ChainReport:
    """Walk the whole log, then recheck the anchors and the covered rows; report the first problem.

    `recorded` is the head file's (label, seq, hash): that event must still be in the log. Unkeyed (legacy) events
    pass only as the chain's first events, and a log whose every event is unkeyed fails unless an anchor given by
    hand vouches for it or `allow_legacy`: whoever can write the database can rewrite the whole chain with plain
    sha256, and it would look like a legacy log. (Unkeyed events followed by a keyed one are bound by its HMAC,
    which covers their hash through prev_hash.)"""
    from audit.store.coverage import Ledger, check_rows

    prev, expected, legacy, ledger = GENESIS, 1, 0, Ledger()
    for ev in session.scalars(select(Event).order_by(Event.seq)).yield_per(1000):
        problem, keyed = _check(ev, key, prev, expected, legacy_allowed=legacy == ev.seq - 1)
        if problem:
            return ChainReport(expected - 1, expected - 1, prev, problem, legacy)
        legacy += not keyed
        ledger.add(ev)
        prev, expected = ev.hash, ev.seq + 1
    count = expected - 1
    problem = _check_anchors(session, anchors)
    if not problem and count and legacy == count and not anchors and not allow_legacy:
        problem = (
            f"events 1-{count}: every event is unkeyed, as a rewritten chain would be (forged?); for a registry from "
            "before the keyed chain pass the anchor recorded then (--expect-head) or --allow-legacy"
        )
    if not problem and recorded is not None:
        problem = _check_at(session, *recorded)
    return ChainReport(count, count, prev, problem or check_rows(session, ledger), legacy)


def _check(ev: Event, key: bytes, prev: str, expected: int, legacy_allowed: bool) -> tuple[str | None, bool]:
    """(problem, keyed) for one event: its place in the chain and its hash."""
    if ev.seq != expected:
        missing = f"{expected}" if ev.seq == expected + 1 else f"{expected}-{ev.seq - 1}"
        return f"event {missing} missing before event {ev.seq} (deleted?)", False
    if ev.prev_hash != prev:
        return f"event {ev.seq}: prev_hash does not match the hash of event {ev.seq - 1}", False
    try:
        keyed = event_hash(key, prev, ev.seq, ev.at, ev.kind, ev.subject, ev.payload)
        plain = event_hash(None, prev, ev.seq, ev.at, ev.kind, ev.subject, ev.payload)
    except (TypeError, ValueError):
        return f"event {ev.seq}: payload is not valid JSON (altered?)", False
    if hmac.compare_digest(keyed, ev.hash):
        return None, True
    if plain == ev.hash:
        if legacy_allowed:
            return None, False
        return f"event {ev.seq}: unkeyed hash after keyed events (forged?)", False
    return f"event {ev.seq}: content does not match its hash (altered, or keyed with another secret?)", False


def _check_anchors(session: Session, anchors: tuple[str, ...]) -> str | None:
    """Each anchor's event must still be in the (verified) log, at its seq when one is given."""
    for value in anchors:
        seq, hash_ = parse_anchor(value)
        if seq is not None:
            problem = _check_at(session, "anchor", seq, hash_)
            if problem:
                return problem
        elif session.scalars(select(Event).where(Event.hash == hash_)).first() is None:
            return f"anchor: no event has the expected hash {hash_} (log truncated or rewritten?)"
    return None


def _check_at(session: Session, label: str, seq: int, hash_: str) -> str | None:
    """The event at `seq` must be in the log with `hash_`."""
    at_seq = session.get(Event, seq)
    if at_seq is not None and hmac.compare_digest(at_seq.hash, hash_):
        return None
    state = "is missing (log truncated?)" if at_seq is None else "has another hash (log rewritten?)"
    return f"{label}: event {seq} {state}; expected {safe_anchor(seq, hash_)}"
