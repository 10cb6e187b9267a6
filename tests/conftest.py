"""Shared fixtures: the spaCy/Presidio engine loads once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# LiteLLM (the gateway tests) fetches its price list from GitHub on import unless told not to: no network in tests.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own per-install state (secret, cache) and no stray config."""
    home = tmp_path_factory.mktemp("audit-home")
    monkeypatch.setenv("AUDIT_HOME", str(home))
    monkeypatch.delenv("AUDIT_DB", raising=False)
    monkeypatch.setenv("CI", "true")
    yield home


@pytest.fixture(scope="session")
def settings():
    """Default settings (the embedded spaCy model)."""
    from audit.settings import Settings

    return Settings()


@pytest.fixture(scope="session")
def engine(settings):
    """The Presidio engine, loaded once."""
    from audit.scanner.engine import build_engine

    return build_engine(settings)


@pytest.fixture
def context(engine, settings, tmp_path):
    """A ScanContext sharing the session engine, with a fresh secret."""
    from audit import policy
    from audit.fingerprint import load_secret
    from audit.pipeline import ScanContext

    return ScanContext(
        settings=settings, engine=engine, policy_set=policy.load_policy_set(settings), secret=load_secret(tmp_path)
    )


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, input: bytes | None = None
) -> subprocess.CompletedProcess:
    """Run the real `audit` CLI in a subprocess (python -m audit), capturing output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "audit", *args],
        cwd=cwd or REPO,
        env=full_env,
        input=input,
        capture_output=True,
        timeout=600,
    )


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the CLI in this process through its real entry point: (exit code, stdout, stderr)."""
    import contextlib
    import io

    from audit.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()
