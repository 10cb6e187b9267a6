"""One long text's windows analysed across the worker pool: the same spans as analysing it in one process."""

from __future__ import annotations

import random

import pytest

from audit.model import Message, Record
from audit.parallel import Chunk, ParallelResolver
from audit.scanner.analyze import analyze_texts
from audit.scanner.windows import windows

SENTENCES = [
    "We went over the build logs and the test plan for the next release together.",
    "Please call Mary Jones about SSN 123-45-6789 today.",
    "Her email is mary.jones@example.com and her phone is 212-555-0187.",
    "The patient John Smith, DOB 04/12/1961, was seen at Riverside Family Clinic on March 3.",
    "Card 4111 1111 1111 1111 exp 09/27 was charged twice at Acme Corp.",
    "SSN 123\u200b-45-6789 with a zero-width space, and ＳＳＮ ２３４-５６-７８９０ in full width.",
    "Wire to IBAN GB82 WEST 1234 5698 7654 32 for Dr. Alan Turing in Manchester.",
]


def _long_text(seed: int, chars: int) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < chars:
        parts.append(rng.choice(SENTENCES) + rng.choice([" ", "  ", "\n", " Well, "]))
    return "".join(parts)


@pytest.fixture
def pool_ctx(engine, tmp_path):
    from audit import policy
    from audit.fingerprint import load_secret
    from audit.pipeline import ScanContext
    from audit.settings import Settings

    settings = Settings(cache=False, jobs=2, max_chunk_chars=700)
    secret = load_secret(tmp_path / "home")
    return ScanContext(settings=settings, engine=engine, policy_set=policy.load_policy_set(settings), secret=secret)


def test_a_long_texts_windows_analysed_by_the_pool_give_the_sequential_spans(pool_ctx, monkeypatch):
    texts = [_long_text(seed, 12_000) for seed in (1, 2)] + ["Mail bob@example.com", "Nothing here."]
    split = []
    monkeypatch.setattr(ParallelResolver, "_submit_windows", _spy(ParallelResolver._submit_windows, split))
    expected = analyze_texts(pool_ctx.engine.get(), pool_ctx.settings, texts)
    records = [Record("mem", str(i), i + 1, (Message(0, "user", t),)) for i, t in enumerate(texts)]
    ((_, spans),) = ParallelResolver(pool_ctx, jobs=2, method="fork").run([records])
    assert [spans[pool_ctx.key(t)] for t in texts] == expected
    assert len(split) == 2 and all(len(windows(0, t, 700)) > 15 for t in texts[:2])
    assert sum(1 for s in expected[0] if s.entity_type == "US_SSN") > 10


def _spy(method, calls: list):
    def spied(self, key, text):
        calls.append(key)
        return method(self, key, text)

    return spied


def test_a_failed_window_fails_its_text_with_the_first_windows_reason():
    parent = Chunk(["long text"], keys=[b"k"], merge=lambda spans: tuple(spans))
    parent.results, parent.remaining = [None] * 3, 3
    children = [Chunk([f"w{i}"], windows=[object()], parent=(parent, i)) for i in range(3)]
    children[2].failures[0] = "it took longer than the 10s time budget"
    children[2].finish([None])
    children[0].finish([["a"]])
    assert not parent.done
    children[1].failures[0] = "its worker process died"
    assert children[1].finish([None]) is parent
    assert parent.done and parent.results == [None] and parent.failures == {0: "its worker process died"}


def test_windows_merge_in_window_order_whatever_order_they_finish():
    parent = Chunk(["long text"], keys=[b"k"], merge=lambda spans: tuple(spans))
    parent.results, parent.remaining = [None] * 3, 3
    children = [Chunk([f"w{i}"], windows=[object()], parent=(parent, i)) for i in range(3)]
    for i in (2, 0, 1):
        children[i].finish([[f"s{i}a", f"s{i}b"]])
    assert parent.done and parent.results == [("s0a", "s0b", "s1a", "s1b", "s2a", "s2b")] and not parent.failures
