"""CI runs the registry tests on a real PostgreSQL server; they can never be silently skipped there again.

`.ci/run` sources `.ci/postgres.sh` (a throwaway server, AUDIT_TEST_PG_URL) and
exports AUDIT_REQUIRE_PG=1. With that marker and no reachable PostgreSQL, this
test fails (and conftest turns the PostgreSQL variants from skips into failures).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CI = Path(__file__).resolve().parents[2] / ".ci"


def test_ci_starts_postgresql_and_requires_it():
    run = (CI / "run").read_text()
    assert re.search(r"^export AUDIT_REQUIRE_PG=1$", run, re.M), ".ci/run must export AUDIT_REQUIRE_PG=1"
    assert re.search(r"^source \.ci/postgres\.sh$", run, re.M), ".ci/run must start PostgreSQL (.ci/postgres.sh)"
    assert run.index("source .ci/postgres.sh") < run.index(".venv/bin/python -m pytest"), "before the tests run"


def test_postgresql_is_reachable_when_required():
    if os.environ.get("AUDIT_REQUIRE_PG") != "1":
        pytest.skip("AUDIT_REQUIRE_PG unset: PostgreSQL is optional outside CI")
    url = os.environ.get("AUDIT_TEST_PG_URL")
    assert url, "AUDIT_REQUIRE_PG=1 but AUDIT_TEST_PG_URL is unset: the PostgreSQL registry tests would be skipped"
    assert url.startswith("postgresql+psycopg://"), "AUDIT_TEST_PG_URL must name a PostgreSQL database (psycopg 3)"
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
