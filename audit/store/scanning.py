"""What `audit scan` needs from the registry: whether to record, the workload profiles, a recorder.

Recording is opt-in by presence: a scan records when a database is configured
(--db, AUDIT_DB, `db` in the config file) or ./llm-audit.db already exists
(e.g. after `audit registry import`). `--registry` forces it (creating the
default file), `--no-registry` turns it off. One-off scans leave no file behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from audit.model import WorkloadProfile
from audit.settings import DEFAULT_DB_FILE, Settings

if TYPE_CHECKING:  # SQLAlchemy is imported only when a scan records: a --no-registry scan never needs it
    from audit.store.recorder import ScanRecorder
    from audit.store.registry import Registry


def wants_registry(settings: Settings, choice: bool | None) -> bool:
    """True when this scan should be recorded (see the module docstring)."""
    if choice is not None:
        return choice
    return bool(settings.db or os.environ.get("AUDIT_DB") or Path(DEFAULT_DB_FILE).exists())


def open_for_scan(settings: Settings, choice: bool | None) -> Registry | None:
    """The registry to record into, or None."""
    if not wants_registry(settings, choice):
        return None
    from audit.store.registry import Registry

    return Registry.open(settings.db_url(), home=settings.home_dir())


def scan_profiles(registry: Registry | None, manifest: str | None) -> dict[str, WorkloadProfile]:
    """Workload profiles for the policy engine: from --manifest if given, else the registry's."""
    if manifest:
        from audit.store.manifest import profiles_from_manifest

        return profiles_from_manifest(manifest)
    return registry.profiles() if registry else {}


def recorder_for_scan(
    registry: Registry | None, settings: Settings, workload: str | None, profiles: dict[str, WorkloadProfile]
) -> ScanRecorder | None:
    """A ScanRecorder bound to this scan's policy set, or None without a registry."""
    if registry is None:
        return None
    from audit import policy
    from audit.store.recorder import ScanRecorder

    identity = policy.load_policy_set(settings).identity
    return ScanRecorder(registry, policy_identity=identity, workload=workload, profiles=profiles)


def check_inputs(paths: list[str]) -> None:
    """Raise the scan's own InputError for a path that names nothing readable, before a recorder starts.

    A mistyped path then records no failed scan. Directories are walked by the scan itself, not here.
    """
    from audit.readers.inputs import expand_paths

    for raw in paths:
        if raw != "-" and not Path(raw).is_dir():
            next(iter(expand_paths([raw])), None)


def violation_lines(decisions) -> list[str]:
    """One line per workload whose closed-API deployment its data does not allow."""
    return [
        f"registry: violation: workload {d.workload!r} runs on a closed API but its data requires {d.tier}"
        for d in decisions
        if d.violation
    ]
