"""The persistent span cache and the per-run memo: what they key on, what they store, and that they agree."""

from __future__ import annotations

import subprocess
import sys

import pytest

from audit.cache import CACHE_FILE, SpanCache, SpanMemo, decode_spans, detection_identity, encode_spans, text_key
from audit.model import Span
from audit.settings import Settings

from .conftest import contract_lines

KEY = bytes(range(32))
PLANTED = {
    "ssn": "123-45-6789",
    "email": "maria.gonzalez@example.org",
    "card": "4111 1111 1111 1111",
    "name": "Maria Gonzalez",
}
PLANTED_TEXTS = [
    f"Hi, I'm {PLANTED['name']}, SSN {PLANTED['ssn']}, reach me at {PLANTED['email']}.",
    f"Charge card {PLANTED['card']} please.",
    PLANTED["ssn"],
]


def test_spans_round_trip_through_the_encoding():
    spans = (Span(0, 4, "PERSON", 0.85, "SpacyRecognizer"), Span(9, 20, "MEDICAL_CONDITION", 0.6, "x", "context"))
    assert decode_spans(encode_spans(spans)) == spans
    assert decode_spans(encode_spans(())) == ()


def test_text_key_is_keyed_by_the_install_secret():
    assert text_key(b"a" * 32, "hello") == text_key(b"a" * 32, "hello")
    assert text_key(b"a" * 32, "hello") != text_key(b"b" * 32, "hello")
    assert len(text_key(b"a" * 32, "hello")) == 16


def test_memo_is_a_bounded_lru():
    memo = SpanMemo(limit=3)
    for key in (b"a", b"b", b"c"):
        memo.put(key, ())
    memo.get(b"a")  # now the most recent
    memo.put(b"d", ())
    assert len(memo) == 3
    assert b"b" not in memo and b"a" in memo and b"d" in memo


def test_cache_file_holds_no_raw_text_or_value(make_ctx, tmp_path):
    from audit.api import scan_texts

    ctx = make_ctx(cache_identity="test")
    results = scan_texts(PLANTED_TEXTS, context=ctx)
    ctx.close()
    assert any(r.findings for r in results), "the planted values should be detected"
    files = [p for p in (tmp_path / "cache").iterdir() if p.is_file()]
    assert any(p.name == CACHE_FILE for p in files)
    blob = b"".join(p.read_bytes() for p in files)
    for value in [*PLANTED.values(), *PLANTED_TEXTS]:
        for encoded in (value.encode(), value.encode("utf-16-le")):
            assert encoded not in blob, f"cache file contains planted value {value!r}"


def test_warm_cache_gives_identical_output_without_analysing(make_ctx, corpus, monkeypatch):
    cold = contract_lines(make_ctx(cache_identity="test", jobs=1), corpus)

    def no_analysis(*args, **kwargs):
        raise AssertionError("a warm cache must not analyse again")

    monkeypatch.setattr("audit.scanner.analyze.analyze_texts", no_analysis)
    warm_ctx = make_ctx(cache_identity="test", jobs=1)
    warm = contract_lines(warm_ctx, corpus)
    assert warm == cold
    assert warm_ctx.cache.misses == 0 and warm_ctx.cache.hits > 0


def test_no_cache_setting_writes_no_cache_file(make_ctx, tmp_path):
    from audit.api import scan_texts

    ctx = make_ctx(jobs=1)
    assert ctx.cache is None
    scan_texts(PLANTED_TEXTS, context=ctx)
    assert not (tmp_path / "cache").exists()


def test_build_context_opens_the_cache_under_home_or_cache_dir(tmp_path, _isolated_home):
    from audit.pipeline import build_context

    ctx = build_context(Settings(cache_dir=str(tmp_path / "elsewhere")))
    assert ctx.cache is not None and ctx.cache.path == tmp_path / "elsewhere" / CACHE_FILE
    ctx.close()
    ctx = build_context(Settings())
    assert ctx.cache.path == _isolated_home / "cache" / CACHE_FILE
    ctx.close()
    assert build_context(Settings(cache=False)).cache is None


@pytest.mark.parametrize(
    "change",
    [
        {"score_threshold": 0.7},
        {"entities": ["PERSON"]},
        {"exclude_entities": ["DATE_TIME"]},
        {"allow_list": ["Acme"]},
        {"deny_list": {"PERSON": ["Zed"]}},
        {"max_chunk_chars": 5000},
    ],
)
def test_identity_changes_with_detection_settings(change):
    assert detection_identity(Settings(**change), "p") != detection_identity(Settings(), "p")


def test_identity_ignores_settings_that_do_not_change_spans():
    same = Settings(jobs=7, batch_size=3, show_values=True, cache_dir="/x", message_time_budget=1, strict=True)
    assert detection_identity(same, "p") == detection_identity(Settings(), "p")


def test_identity_changes_with_policy_identity():
    assert detection_identity(Settings(), "a") != detection_identity(Settings(), "b")


def test_identity_changes_with_the_model(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "meta.json").write_text('{"version": "1"}')
    first = detection_identity(Settings(spacy_model=str(model)), "p")
    (model / "meta.json").write_text('{"version": "2"}')
    assert detection_identity(Settings(spacy_model=str(model)), "p") != first
    assert detection_identity(Settings(spacy_model="other_model"), "p") != detection_identity(Settings(), "p")


def test_entries_of_another_identity_are_not_returned(tmp_path):
    first = SpanCache(tmp_path, "one", KEY)
    first.put(b"k" * 16, (Span(0, 1, "PERSON", 0.9, "r"),))
    first.close()
    assert SpanCache(tmp_path, "two", KEY).get_many([b"k" * 16]) == {}
    assert SpanCache(tmp_path, "one", KEY).get_many([b"k" * 16]) == {b"k" * 16: (Span(0, 1, "PERSON", 0.9, "r"),)}


WRITER = """
import sys
from audit.cache import SpanCache
from audit.model import Span
cache = SpanCache(sys.argv[1], "shared", b"k" * 32)
start = int(sys.argv[2])
for i in range(start, start + 3000):
    cache.put(i.to_bytes(16, "big"), (Span(i, i + 1, "PERSON", 0.5, "r"),))
    if i % 500 == 0:
        cache.flush()
cache.close()
"""


@pytest.mark.slow
def test_concurrent_writers_do_not_lose_or_corrupt_entries(tmp_path):
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(n * 2000)], stderr=subprocess.PIPE)
        for n in range(3)
    ]
    assert [w.wait(120) for w in writers] == [0, 0, 0], [w.stderr.read() for w in writers]
    keys = [i.to_bytes(16, "big") for i in range(0, 7000)]
    found = SpanCache(tmp_path, "shared", b"k" * 32).get_many(keys)
    assert len(found) == 7000
    assert found[(6999).to_bytes(16, "big")] == (Span(6999, 7000, "PERSON", 0.5, "r"),)


def test_a_corrupt_cache_file_disables_the_cache_not_the_scan(make_ctx, tmp_path):
    from audit.api import scan_texts

    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    ctx = make_ctx(cache_identity="test", jobs=1)
    assert not ctx.cache.enabled
    results = scan_texts(PLANTED_TEXTS, context=ctx)
    assert any(r.findings for r in results)


SPANS = (Span(0, 11, "US_SSN", 0.85, "UsSsnRecognizer"),)


def stored_cache(tmp_path) -> bytes:
    """A cache holding SPANS for one text key; returns that key."""
    cache = SpanCache(tmp_path, "one", KEY)
    cache.put(b"k" * 16, SPANS)
    cache.put(b"j" * 16, (Span(1, 2, "PERSON", 0.5, "r"),))
    cache.close()
    return b"k" * 16


def rewrite(tmp_path, sql: str, *params) -> None:
    import sqlite3

    conn = sqlite3.connect(tmp_path / CACHE_FILE)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


TAMPERS = {
    "blanked (no MAC)": ("UPDATE spans SET spans = ? WHERE key = ?", encode_spans(()), b"k" * 16),
    "blanked with the old MAC": (
        "UPDATE spans SET spans = substr(spans, 1, 32) || ? WHERE key = ?",
        encode_spans(()),
        b"k" * 16,
    ),
    "moved from another text": (
        "UPDATE spans SET spans = (SELECT spans FROM spans WHERE key = ?) WHERE key = ?",
        b"j" * 16,
        b"k" * 16,
    ),
    "empty": ("UPDATE spans SET spans = ? WHERE key = ?", b"", b"k" * 16),
    "text, not bytes": ("UPDATE spans SET spans = ? WHERE key = ?", "[[0,11]]", b"k" * 16),
    "a number": ("UPDATE spans SET spans = ? WHERE key = ?", 7, b"k" * 16),
    "garbage": ("UPDATE spans SET spans = ? WHERE key = ?", b"\xff" * 64, b"k" * 16),
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_a_tampered_entry_is_a_miss_never_trusted(tmp_path, tamper):
    key = stored_cache(tmp_path)
    rewrite(tmp_path, *tamper)
    cache = SpanCache(tmp_path, "one", KEY)
    assert cache.get_many([key, b"j" * 16]) == {b"j" * 16: (Span(1, 2, "PERSON", 0.5, "r"),)}
    assert (cache.hits, cache.misses, cache.rejected) == (1, 1, 1)
    cache.put(key, SPANS)  # the rescan's entry replaces the bad one
    cache.close()
    assert SpanCache(tmp_path, "one", KEY).get_many([key]) == {key: SPANS}


def test_entries_sealed_with_another_secret_or_identity_are_misses(tmp_path):
    key = stored_cache(tmp_path)
    assert SpanCache(tmp_path, "one", bytes(32)).get_many([key]) == {}
    rewrite(tmp_path, "UPDATE identity SET digest = 'two' WHERE digest = 'one'")
    assert SpanCache(tmp_path, "two", KEY).get_many([key]) == {}


def test_a_blanked_cache_does_not_make_a_rescan_clean(make_ctx, tmp_path):
    from audit.api import scan_texts

    ctx = make_ctx(cache_identity="test", jobs=1)
    cold = [len(r.findings) for r in scan_texts(PLANTED_TEXTS[:2], context=ctx)]
    ctx.close()
    assert all(cold), "the planted values should be detected"
    rewrite(tmp_path / "cache", "UPDATE spans SET spans = substr(spans, 1, 32) || ?", encode_spans(()))
    ctx = make_ctx(cache_identity="test", jobs=1)
    assert [len(r.findings) for r in scan_texts(PLANTED_TEXTS[:2], context=ctx)] == cold
    assert ctx.cache.rejected == 2 and ctx.cache.hits == 0
    ctx.close()
