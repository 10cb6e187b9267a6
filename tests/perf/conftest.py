"""Fixtures for the speed machinery: a generated request log and contexts sharing the session engine."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import SHARED


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """A small replayed-history request log from ../shared/bench/make_corpus.py (60 requests)."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    with open(path, "w") as out:
        subprocess.run(
            [sys.executable, str(SHARED / "bench" / "make_corpus.py"), "--requests", "60", "--seed", "11"],
            stdout=out,
            check=True,
        )
    return path


@pytest.fixture
def make_ctx(engine, tmp_path):
    """Build a ScanContext on the session engine: Settings overrides, and an optional cache identity."""
    from audit import policy
    from audit.cache import SpanCache
    from audit.fingerprint import load_secret
    from audit.pipeline import ScanContext
    from audit.settings import Settings

    secret = load_secret(tmp_path / "home")

    def build(cache_identity: str | None = None, **overrides) -> ScanContext:
        settings = Settings(**{"cache": cache_identity is not None, **overrides})
        ctx = ScanContext(settings=settings, engine=engine, policy_set=policy.load_policy_set(settings), secret=secret)
        if cache_identity is not None:
            ctx.cache = SpanCache(tmp_path / "cache", cache_identity, secret)
        return ctx

    return build


def contract_lines(ctx, path) -> list[str]:
    """The full output contract (one JSON object per record, clean ones included) of scanning `path`."""
    from audit.pipeline import scan_paths
    from audit.readers import ReadOptions
    from audit.report.contract import record_to_dict
    from audit.summary import ScanSummary

    lines = [
        json.dumps(record_to_dict(r), sort_keys=True)
        for r in scan_paths(ctx, [str(path)], ReadOptions(), ScanSummary())
    ]
    ctx.close()
    return lines
