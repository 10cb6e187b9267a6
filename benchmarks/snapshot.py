"""The code a benchmark runs: a copy of audit/ taken at start, so edits made while it runs cannot change it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def snapshot_env(work: Path, live: bool) -> dict:
    """Environment entries that make subprocesses import a copy of audit/ in `work` (none with `live`)."""
    if live:
        return {}
    snapshot = work / "snapshot"
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(REPO / "audit", snapshot / "audit", symlinks=False, ignore=shutil.ignore_patterns("__pycache__"))
    return {"PYTHONPATH": str(snapshot)}


def provenance(live: bool) -> str:
    """What runs: the live tree, or the snapshot of audit/ at HEAD (and whether audit/ had uncommitted edits)."""
    if live:
        return "live tree"
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "audit"], capture_output=True, text=True
    ).stdout.strip()
    return f"code snapshot of {REPO / 'audit'} at {head.stdout.strip()}" + (" (+ uncommitted edits)" if dirty else "")
