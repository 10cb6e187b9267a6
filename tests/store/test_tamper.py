"""The tamper suite (issue 25, item 11), on SQLite and PostgreSQL.

The attacker can write the registry database and the span cache but cannot read
the fingerprint secret (AUDIT_HOME). They rewrite the whole chain as legacy
unkeyed events with the row digests recomputed by our own code, truncate the
newest events, alter or swap the head file kept beside the secret, blank the
span cache, or point an output at the registry, the secret or the cache. Each
must fail `registry verify` (exit 3, one line) or be refused (exit 2).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.orm import Session

from audit.store import digests, events
from audit.store.models import Decision, Event
from audit.store.registry import Registry
from tests.conftest import REPO, invoke
from tests.store.conftest import populate

LOG = REPO / "samples" / "logs" / "openai_chat_patient_intake.jsonl"
FAILED = "audit: registry verify FAILED: "


@pytest.fixture
def populated(db_url) -> str:
    """`db_url` with workloads, a waiver, a completed scan (1) and a failed one (2): events 1-9."""
    populate(db_url)
    return db_url


def head_file(url: str) -> Path:
    registry = Registry.open(url, create=False)
    try:
        return registry.head_file
    finally:
        registry.close()


def verify(url: str, *args: str) -> tuple[int, str, str]:
    return invoke("registry", "verify", "--db", url, *args)


def unguarded(url: str, *statements: str) -> None:
    """Run SQL with the append-only triggers on events dropped, as anyone with write access can."""
    drop = (
        ["DROP TRIGGER events_no_change ON events"]
        if url.startswith("postgresql")
        else ["DROP TRIGGER events_no_update", "DROP TRIGGER events_no_delete"]
    )
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in [*drop, *statements]:
            conn.execute(text(statement))
    engine.dispose()


def rewrite_as_legacy(url: str) -> None:
    """Clear scan 1's violation and lower its tier, recompute its decisions digest with our own code, and re-hash
    every event with plain sha256, as the chain was before it was keyed: every link and row digest holds."""
    unguarded(url)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        decisions = session.scalars(select(Decision).where(Decision.scan_id == 1)).all()
        for d in decisions:
            d.tier, d.violation = "unrestricted", False
        session.flush()
        prev = events.GENESIS
        for ev in session.scalars(select(Event).order_by(Event.seq)):
            if ev.kind == "scan.completed":
                payload = json.loads(ev.payload)
                payload["decisions_sha256"] = digests.decisions_digest(decisions)
                ev.payload = events.canonical(payload)
            ev.prev_hash = prev
            ev.hash = prev = events.event_hash(None, prev, ev.seq, ev.at, ev.kind, ev.subject, ev.payload)
    engine.dispose()


def test_every_write_keeps_the_head_beside_the_secret(populated):
    path = head_file(populated)
    assert path.parent == Path(os.environ["AUDIT_HOME"]) / "heads"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    code, out, err = verify(populated)
    assert code == 0 and err == "", err
    kept = json.loads(path.read_text())
    assert kept["seq"] == 9 and out.endswith(f"head 9:{kept['hash']}\n")
    assert kept["registry"] == make_url(populated).set(password=None).render_as_string(hide_password=False)


def test_a_whole_chain_rewritten_as_legacy_fails(populated):
    rewrite_as_legacy(populated)
    path = head_file(populated)
    code, out, err = verify(populated)
    assert (code, out) == (3, "")
    assert err == f"{FAILED}events 1-9: every event is unkeyed, as a rewritten chain would be (forged?); for a " \
        "registry from before the keyed chain pass the anchor recorded then (--expect-head) or --allow-legacy\n"  # fmt: skip
    code, out, err = verify(populated, "--allow-legacy")  # claiming a legacy registry: the head file says otherwise
    assert (code, out) == (3, "")
    assert err.startswith(f"{FAILED}head file {path}: event 9 has another hash (log rewritten?); expected 9:")
    assert err.count("\n") == 1
    code, _, err = verify(populated, "--accept-unkeyed")  # the deprecated spelling: same verdict, and a warning
    assert code == 3 and err.startswith("audit: warning: --accept-unkeyed is deprecated; use --allow-legacy\n")


def test_without_the_head_file_a_legacy_rewrite_needs_allow_legacy_and_is_named(populated):
    rewrite_as_legacy(populated)
    shutil.rmtree(head_file(populated).parent)  # the limit: whoever can also delete it there is left the flag
    assert verify(populated)[0] == 3
    code, out, err = verify(populated, "--allow-legacy")
    assert code == 0 and "9 events" in out
    assert "events 1-9 predate the keyed chain" in err and "audit: warning: no head file for this registry" in err


@pytest.mark.parametrize("newest", [1, 3])
def test_truncating_the_newest_events_fails(populated, newest):
    path = head_file(populated)
    unguarded(populated, f"DELETE FROM events WHERE seq > {9 - newest}")
    code, out, err = verify(populated)
    assert (code, out) == (3, "")
    assert err.startswith(f"{FAILED}head file {path}: event 9 is missing (log truncated?); expected 9:")
    assert err.count("\n") == 1


def test_a_write_after_a_truncation_does_not_heal_the_head(populated):
    path = head_file(populated)
    before = path.read_text()
    unguarded(populated, "DELETE FROM events WHERE seq = 9")
    registry = Registry.open(populated, create=False)
    registry.waive("code-helper", "dev", "test keys", date.today() + timedelta(days=3), fingerprint="f" * 32)
    registry.close()
    assert path.read_text() == before  # event 9 is not the one the file names: it stays for verify to report
    code, _, err = verify(populated)
    assert code == 3 and err.startswith(f"{FAILED}head file {path}: event 9 has another hash (log rewritten?)")


def other_registry_head(tmp_path) -> str:
    """The head file of another registry, written with the same secret."""
    other = f"sqlite:///{tmp_path / 'other.db'}"
    populate(other)
    return head_file(other).read_text()


HEAD_TAMPERS = {
    "seq lowered": lambda head, _: json.dumps({**json.loads(head), "seq": 3}),
    "hash replaced": lambda head, _: json.dumps({**json.loads(head), "hash": "0" * 64}),
    "another registry's": lambda _, tmp_path: other_registry_head(tmp_path),
    "not JSON": lambda _, __: "9:" + "0" * 64,
    "huge": lambda _, __: "x" * 100_000,
}


@pytest.mark.parametrize("change", HEAD_TAMPERS.values(), ids=HEAD_TAMPERS.keys())
def test_an_altered_or_swapped_head_file_fails(populated, tmp_path, change):
    path = head_file(populated)
    forged = change(path.read_text(), tmp_path)
    path.write_text(forged)
    code, out, err = verify(populated)
    assert (code, out) == (3, "")
    assert err.startswith(f"{FAILED}head file {path}: ") and err.count("\n") == 1
    assert ("malformed (altered?)" in err) == (forged[0] != "{")
    assert path.read_text() == forged  # never overwritten by verify or a write: it is evidence
    Registry.open(populated, create=False).reap_stale_scans()
    assert path.read_text() == forged


def test_a_missing_head_file_is_a_warning_and_is_kept_from_then_on(populated):
    path = head_file(populated)
    path.unlink()
    code, out, err = verify(populated)
    assert code == 0 and "9 events" in out
    assert err == (
        f"audit: warning: no head file for this registry ({path}): it was last written before heads were kept, or "
        "by another install, so a truncation before now cannot be told; its head is kept from now on\n"
    )
    assert json.loads(path.read_text())["seq"] == 9 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert verify(populated)[::2] == (0, "")


def test_a_blanked_span_cache_does_not_make_a_rescan_clean(populated):
    args = ("scan", str(LOG), "--db", populated, "--workload", "patient-intake", "-o", "jsonl", "--fail-on", "never")
    code, first, err = invoke(*args)
    assert code == 0, err
    cache = Path(os.environ["AUDIT_HOME"]) / "cache" / "spans.sqlite3"
    import sqlite3

    conn = sqlite3.connect(cache)
    blanked = conn.execute("UPDATE spans SET spans = substr(spans, 1, 32) || CAST('[]' AS BLOB)").rowcount
    conn.commit()
    conn.close()
    assert blanked > 0
    code, second, err = invoke(*args)
    assert code == 0, err
    findings = [
        [f["fingerprint"] for line in out.splitlines() for f in json.loads(line)["findings"]] for out in (first, second)
    ]
    assert findings[0] and findings[0] == findings[1]
    assert verify(populated)[0] == 0


def protected_outputs(url: str) -> list[tuple[tuple[str, ...], Path | None]]:
    """Commands whose output names the registry, the secret or the cache, with the file that must not change."""
    home = Path(os.environ["AUDIT_HOME"])
    secret, cache = home / "secret.key", home / "cache" / "spans.sqlite3"
    cache.parent.mkdir(exist_ok=True)
    cache.write_bytes(b"SQLite format 3\x00" + bytes(100))
    cases = [
        (("scan", str(LOG), "--db", url, "--sarif", str(secret)), secret),
        (("scan", str(LOG), "--no-registry", "--junit", str(cache)), cache),
        (("report", "--db", url, "-o", str(cache)), cache),
        (("route", "export", "--db", url, "-o", str(secret)), secret),
        (("registry", "verify", "--db", url, "--save-head", str(secret)), secret),
    ]
    if url.startswith("sqlite:///"):
        db = Path(url.removeprefix("sqlite:///"))
        cases += [
            (("report", "--db", str(db), "-o", str(db)), db),
            (("scan", str(LOG), "--db", str(db), "--output", str(db)), db),
            (("registry", "verify", "--db", str(db), "--save-head", str(db)), db),
            (("report", "--db", str(db), "-o", f"{db}-wal"), None),  # SQLite itself removes it as connections close
        ]
    return cases


def test_no_output_may_replace_the_registry_the_secret_or_the_cache(populated):
    for args, target in protected_outputs(populated):
        before = target.read_bytes() if target and target.exists() else None
        code, out, err = invoke(*args)
        assert code == 2, (args, err)
        errors = [line for line in err.splitlines() if line.startswith("audit: error: ")]  # after `registry: ...`
        assert len(errors) == 1 and "no output may replace the registry" in errors[0], (args, err)
        assert (target.read_bytes() if target and target.exists() else None) == before, args
    assert verify(populated)[0] == 0
