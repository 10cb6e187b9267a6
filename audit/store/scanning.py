"""What `audit scan` needs from the registry: whether to record, the workload profiles, a recorder.

Recording is opt-in by presence: a scan records when a database is configured
(--db, AUDIT_DB, `db` in the config file) or ./llm-audit.db already exists
(e.g. after `audit registry import`). `--registry` forces it (creating the
default file), `--no-registry` turns it off. One-off scans leave no file behind.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit.errors import ConfigError
from audit.manifest import unknown_workload
from audit.model import WorkloadProfile
from audit.settings import DEFAULT_DB_FILE, Settings

if TYPE_CHECKING:  # SQLAlchemy is imported only when a scan records: a --no-registry scan never needs it
    from audit.store.recorder import ScanRecorder
    from audit.store.registry import Registry


@dataclass(frozen=True)
class RegistryChoice:
    """The registry a command uses (`url`, None: none) and what named it (`origin`), for the one stderr line
    every command that reads a registry prints: a command never reads ./llm-audit.db without saying so."""

    url: str | None
    origin: str

    def line(self) -> str:
        """`registry: WHERE (ORIGIN)`, the password of a server URL hidden."""
        if self.url is None:
            return f"registry: none ({self.origin})"
        from audit.store.db import redact_url, sqlite_path

        return f"registry: {sqlite_path(self.url) or redact_url(self.url)} ({self.origin})"


def choose_registry(settings: Settings, choice: bool | None = None, create: bool = False) -> RegistryChoice:
    """The registry to use: none under `--no-registry` (choice False); else the one --db, AUDIT_DB or the config
    names; else ./llm-audit.db when it exists (or `choice` True forces it, created). A named SQLite file that does
    not exist is a usage error (exit 2) unless `create`: a typo in --db never starts an empty registry, and
    `--db none` never creates a file called `none`."""
    create = create or bool(choice)  # `scan --registry` asks for the registry, named or default
    named_by = settings.db_named_by()
    if named_by and (settings.db or os.environ.get("AUDIT_DB", "")).strip().lower() == "none":
        raise ConfigError(f"{named_by} none: to use no registry, pass --no-registry")
    if choice is False:
        return RegistryChoice(None, "--no-registry")
    if named_by is None:
        if Path(DEFAULT_DB_FILE).exists():
            named_by = f"./{DEFAULT_DB_FILE} in the working directory"
        elif choice or create:
            named_by, create = f"./{DEFAULT_DB_FILE}, created", True
        else:
            return RegistryChoice(None, "none named by --db, AUDIT_DB or the config, and no ./llm-audit.db")
    url = settings.db_url()
    if not create and "://" in url and url.startswith("sqlite"):
        from audit.store.db import sqlite_path

        path = sqlite_path(url)  # a `file:` URI (uri=true) names its file its own way: SQLite checks it
        if path is not None and not str(path).startswith("file:") and not path.exists():
            raise ConfigError(
                f"no registry at {path} (named by {named_by}): `audit registry import MANIFEST` or "
                "`audit db upgrade` creates one"
            )
    return RegistryChoice(url, named_by)


def open_chosen(choice: RegistryChoice, settings: Settings, create: bool = False) -> Registry | None:
    """The registry `choice` names, opened (schema brought to head), or None."""
    if choice.url is None:
        return None
    from audit.store.registry import Registry

    return Registry.open(choice.url, create=create, home=settings.home_dir())


def wants_registry(settings: Settings, choice: bool | None) -> bool:
    """True when this scan should be recorded (see the module docstring)."""
    return choose_registry(settings, choice).url is not None


def open_for_scan(settings: Settings, choice: bool | None) -> Registry | None:
    """The registry to record into (or read), or None: see `choose_registry`."""
    return open_chosen(choose_registry(settings, choice), settings, create=bool(choice))


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


class UnregisteredNames:
    """An observer of a scan counting, per file, records whose own workload name (metadata.workload and the
    like) matches no registered workload: their evidence goes to a name the registry does not know."""

    def __init__(self, profiles: dict[str, WorkloadProfile]) -> None:
        self.known = set(profiles)
        self.by_source: dict[str, Counter] = {}

    def add(self, result) -> None:
        """Count one record whose workload is named but not registered (nothing when no workload is known)."""
        if self.known and result.workload and result.workload not in self.known:
            self.by_source.setdefault(result.source, Counter())[result.workload] += 1

    def warnings(self) -> list[str]:
        """One line per file: how many records named an unknown workload, and the close matches."""
        out = []
        for source, names in self.by_source.items():
            hints = "; ".join(unknown_workload(name, self.known) or name for name, _ in names.most_common(3))
            out.append(f"{source}: {sum(names.values())} record(s) name a workload not registered ({hints})")
        return out


@dataclass(frozen=True)
class GateDecision:
    """A workload's decision for one scan kept in memory, when nothing is recorded: enough for the gate."""

    workload: str
    tier: str
    violation: bool


class ViolationGate:
    """An observer deciding each workload's tier as the recorder would (no waivers: those live in the registry),
    so a `--no-registry` scan with `--manifest` still fails on a violation: --no-registry stops writing only."""

    def __init__(self, profiles: dict[str, WorkloadProfile]) -> None:
        from audit.store.decide import ActiveWaivers, WorkloadTally

        self.profiles, self.tallies, self.none = profiles, {}, ActiveWaivers()
        self._tally = WorkloadTally

    def add(self, result) -> None:
        """Count one record of a known workload."""
        if result.workload in self.profiles:
            self.tallies.setdefault(result.workload, self._tally()).add(result, self.none)

    def decisions(self) -> list[GateDecision]:
        """Each workload's tier and whether its declared hosting violates it."""
        from audit.store.decide import is_violation

        return [
            GateDecision(name, t.tier.value, is_violation(self.profiles[name].hosting, t.tier))
            for name, t in sorted(self.tallies.items())
        ]
