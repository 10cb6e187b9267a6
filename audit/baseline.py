"""Baselines: accepted findings, so CI reports only what is new.

A baseline file is value-free and merge-friendly: a versioned, self-describing
header (tool version, the settings that change what is found, a key id for the
fingerprint secret) and entries sorted by id, one entry per line, with no line
numbers and no timestamps. An entry's id is SHA-256 over the finding's keyed
fingerprint (HMAC of entity type + normalised value) and the workload, so the
same value accepted for one workload is still new in another. An entry may
carry `owner`, `reason` and `expires` (YYYY-MM-DD); expired entries no longer
hide anything.

Filtering (`Baseline.filter`): baselined findings are dropped; a fired rule is
dropped when every finding it cites is baselined (rules citing no finding are
never hidden); the record's decision is re-derived as the strictest remaining
rule. A record left with no identifiers and no rules is clean for the outputs
and the exit code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from audit.errors import ConfigError, InputError
from audit.model import Evaluation, RecordResult, strictest
from audit.outputs import write_atomic

FORMAT_NAME = "llm-audit-baseline"
FORMAT_VERSION = 1
DEFAULT_FILE = ".llm-audit-baseline.json"
ENTRY_FIELDS = ("id", "entity_type", "workload", "owner", "reason", "expires")


def entry_id(fingerprint: str, workload: str | None) -> str:
    """The baseline id of a finding in a workload (32 hex chars)."""
    return hashlib.sha256(f"{fingerprint}\x00{workload or ''}".encode()).hexdigest()[:32]


def secret_id(secret: bytes) -> str:
    """A public name for the fingerprint secret: tells installs apart, reveals nothing."""
    return hmac.new(secret, b"llm-audit baseline key id", hashlib.sha256).hexdigest()[:16]


def settings_header(settings) -> dict:
    """The settings that change which findings a scan produces."""
    return {
        "spacy_model": settings.spacy_model,
        "score_threshold": settings.score_threshold,
        "entities": settings.entities,
        "exclude_entities": sorted(settings.exclude_entities),
        "allow_list_size": len(settings.allow_list),
    }


@dataclass(frozen=True)
class Entry:
    """One accepted finding; no value, no location."""

    id: str
    entity_type: str
    workload: str | None = None
    owner: str | None = None
    reason: str | None = None
    expires: str | None = None  # YYYY-MM-DD; the entry stops hiding findings after this day

    def expired(self, today: dt.date) -> bool:
        """True when `expires` is set and before `today`."""
        return bool(self.expires) and dt.date.fromisoformat(self.expires) < today

    def to_dict(self) -> dict:
        """The entry's fields, without the unset optional ones."""
        return {k: getattr(self, k) for k in ENTRY_FIELDS if getattr(self, k) is not None}


@dataclass
class Baseline:
    """A loaded or newly built baseline."""

    entries: dict[str, Entry] = field(default_factory=dict)
    header: dict = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    hidden: int = 0  # findings hidden so far by `filter`

    @cached_property
    def active_ids(self) -> frozenset[str]:
        """Ids of entries that have not expired (computed once, at the first filter)."""
        return frozenset(i for i, e in self.entries.items() if not e.expired(self.today))

    def expired_entries(self) -> list[Entry]:
        """Entries past their `expires` date (they hide nothing)."""
        return [e for e in self.entries.values() if e.expired(self.today)]

    def add_result(self, result: RecordResult) -> None:
        """Accept every finding of a record (identifiers and context signals)."""
        for f in result.findings:
            eid = entry_id(f.fingerprint, result.workload)
            if eid not in self.entries:
                self.entries[eid] = Entry(eid, f.entity_type, result.workload)

    def filter(self, result: RecordResult) -> RecordResult:
        """The record as if its baselined findings had never been found."""
        known = [entry_id(f.fingerprint, result.workload) in self.active_ids for f in result.findings]
        if not any(known):
            return result
        self.hidden += sum(known)
        remap, kept = {}, []
        for i, f in enumerate(result.findings):
            if not known[i]:
                remap[i] = len(kept)
                kept.append(f)
        hits = []
        for hit in result.evaluation.rules:
            if hit.findings and all(known[i] for i in hit.findings):
                continue
            hits.append(replace(hit, findings=tuple(remap[i] for i in hit.findings if i in remap)))
        return replace(result, findings=tuple(kept), evaluation=_evaluation(result.evaluation, hits))


def _evaluation(before: Evaluation, hits: list) -> Evaluation:
    if len(hits) == len(before.rules):
        return replace(before, rules=tuple(hits))
    regulations = tuple(dict.fromkeys(h.regulation for h in hits if h.regulation))
    return Evaluation(
        decision=strictest(h.decision for h in hits),
        regulations=regulations,
        rules=tuple(hits),
        explanation=tuple(h.reason for h in hits if h.reason),
    )


def merge(new: Baseline, old: Baseline | None) -> Baseline:
    """`new` entries, keeping owner/reason/expires from `old` for entries in both."""
    if old is None:
        return new
    for eid, entry in new.entries.items():
        prior = old.entries.get(eid)
        if prior:
            new.entries[eid] = replace(entry, owner=prior.owner, reason=prior.reason, expires=prior.expires)
    return new


def render(baseline: Baseline) -> str:
    """The file's text: pretty header, then entries sorted by id, one per line."""
    head = json.dumps(
        {"format": FORMAT_NAME, "version": FORMAT_VERSION, **baseline.header}, indent=2, ensure_ascii=False
    )
    lines = [json.dumps(baseline.entries[k].to_dict(), ensure_ascii=False) for k in sorted(baseline.entries)]
    body = ",\n    ".join(lines)
    entries = f'"entries": [\n    {body}\n  ]' if lines else '"entries": []'
    return head[:-2] + f",\n  {entries}\n}}\n"


def build_header(settings, secret: bytes, tool_version: str, policy_identity: str | None) -> dict:
    """The self-describing header of a baseline made under `settings`."""
    return {
        "tool": {"name": "llm-audit", "version": tool_version},
        "fingerprint": {
            "entry_id": "sha256(fingerprint NUL workload)[:32]; fingerprint = hmac-sha256(secret, type NUL normalised value)[:32]",
            "secret_id": secret_id(secret),
        },
        "settings": settings_header(settings),
        "policy": policy_identity,
    }


def save(baseline: Baseline, path: str | os.PathLike) -> None:
    """Write the baseline file atomically."""
    write_atomic(path, render(baseline))


def load(path: str | os.PathLike, today: dt.date | None = None) -> Baseline:
    """Read a baseline file; ConfigError when it is missing, malformed or of an unknown version."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ConfigError(f'{path}: not an llm-audit baseline (no "format": "{FORMAT_NAME}")')
    if data.get("version") != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: baseline version {data.get('version')!r} is not supported (expected {FORMAT_VERSION})"
        )
    entries = {}
    for i, raw in enumerate(data.get("entries") or []):
        try:
            entry = Entry(**{k: raw.get(k) for k in ENTRY_FIELDS})
            if entry.expires:
                dt.date.fromisoformat(entry.expires)
        except (TypeError, AttributeError, ValueError) as exc:
            raise ConfigError(f"{path}: entry {i + 1}: {exc}") from None
        entries[entry.id] = entry
    header = {k: v for k, v in data.items() if k not in ("format", "version", "entries")}
    return Baseline(entries, header, today or dt.date.today())


def check_secret(baseline: Baseline, secret: bytes) -> bool:
    """False when the baseline was made with another fingerprint secret (every finding would look new)."""
    recorded = (baseline.header.get("fingerprint") or {}).get("secret_id")
    return recorded is None or recorded == secret_id(secret)


class Collector:
    """A scan output that accepts every finding into a baseline (pass it as the format class)."""

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline
        self.policy_identity: str | None = None

    def __call__(self, out, options) -> Collector:
        self.policy_identity = getattr(options.policy_set, "identity", None)
        return self

    def add(self, result: RecordResult) -> None:
        """Accept the record's findings."""
        self.baseline.add_result(result)

    def finish(self, summary) -> None:
        """Nothing to write: the caller saves the baseline."""


def create(paths: list[str], settings, options, workload: str | None = None, on_error=None, previous=None):
    """Scan `paths` and return (baseline of every finding, scan outcome); metadata kept from `previous`."""
    import io

    from audit import __version__, api
    from audit.fingerprint import load_secret

    collector = Collector(Baseline())
    outcome = api.scan_to(paths, settings, options, collector, io.StringIO(), workload=workload, on_error=on_error)
    baseline = merge(collector.baseline, previous)
    baseline.header = build_header(settings, load_secret(settings.home_dir()), __version__, collector.policy_identity)
    return baseline, outcome


# Incremental scans: only the log files changed since a git revision.


def changed_files(rev: str, paths: list[str], cwd: str | None = None) -> list[str]:
    """Files under `paths` changed since `rev` (added, modified, renamed) plus untracked ones.

    `rev` is resolved to a commit first, after `--end-of-options`, so a value
    such as `--output=FILE` is a bad revision, never an option git obeys.
    """
    specs = paths or ["."]
    if not rev or rev.startswith("-"):
        raise ConfigError(f"--since: {rev!r} is not a git revision")
    commit = _git(["rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}"], cwd).strip()
    diff = _git(["diff", "--name-only", "--relative", "--diff-filter=d", commit, "--", *specs], cwd)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--", *specs], cwd)
    return sorted({line for line in (diff + untracked).splitlines() if line.strip()})


def _git(args: list[str], cwd: str | None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"--since: cannot run git: {exc}") from None
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["?"])[-1]
        if "not a git repository" in said:
            raise ConfigError("--since compares with a git revision: the working directory is not in a git repository")
        if args[0] == "rev-parse":
            raise ConfigError(f"--since: no commit named {args[-1].removesuffix('^{commit}')!r} in this repository")
        raise ConfigError(f"--since: git {args[0]} failed: {said.removeprefix('fatal: ')}")
    return done.stdout
