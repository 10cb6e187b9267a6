"""Load policy packs from YAML (safe_load, no aliases: audit.safe_yaml) into a validated PolicySet.

Order: the built-in packs, then each of `Settings.policy_dirs`. A later pack
with the same id replaces the earlier one; a pack's `overrides` replace single
rules of other packs by id (a partial rule: only the keys given change);
`Settings.disabled_rules` removes rules by id. Every error names the file, the
rule and the field.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from audit import safe_yaml
from audit.errors import ConfigError, plain_validation_message
from audit.policy.policyset import PolicySet, RuleEntry
from audit.policy.schema import Pack, Rule
from audit.resources import policies_dir
from audit.settings import Settings

PACK_SUFFIXES = (".yaml", ".yml")


class PolicyError(ConfigError):
    """A pack that cannot be loaded; `problems` lists every error found, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more; run `audit policy lint`)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is under it."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except (OSError, ValueError):
        return str(path)


def pack_files(directory: Path) -> list[Path]:
    """The pack files of a directory, sorted by name."""
    if not directory.is_dir():
        raise ConfigError(f"{directory}: policy directory not found")
    return sorted(p for p in directory.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())


def read_raw(path: Path) -> tuple[dict, bytes]:
    """The YAML mapping in `path` and its bytes; PolicyError for unreadable or non-mapping YAML."""
    where = display_path(path)
    try:
        content = path.read_bytes()
        data = safe_yaml.load(content)
    except OSError as exc:
        raise PolicyError([f"{where}: cannot read: {exc.strerror or exc}"]) from None
    except yaml.YAMLError as exc:
        raise PolicyError([safe_yaml.error_line(where, exc)]) from None
    if not isinstance(data, dict):
        raise PolicyError([f"{where}: a policy pack is a mapping with id, version, title, regulation and rules"])
    return data, content


def _field(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _line(where: str, loc: tuple, msg: str) -> str:
    return f"{where}: {_field(loc)}: {msg}" if loc else f"{where}: {msg}"


def _leaf_errors(exc: ValidationError) -> list[dict]:
    """Errors minus the follow-on ones pydantic adds for a container whose item already failed."""
    errors = exc.errors()
    locs = [tuple(e["loc"]) for e in errors]
    return [e for e, loc in zip(errors, locs, strict=True) if not any(o[: len(loc)] == loc and o != loc for o in locs)]


def explain_errors(where: str, data: dict, exc: ValidationError, rules_key: str = "rules") -> list[str]:
    """One line per validation error: file, rule id (for rule errors) and field."""
    lines = []
    for err in _leaf_errors(exc):
        loc = tuple(err["loc"])
        msg = plain_validation_message(err)
        if len(loc) >= 2 and loc[0] == rules_key and isinstance(loc[1], int):
            raw = data.get(rules_key) or []
            rule = raw[loc[1]] if loc[1] < len(raw) else None
            rid = rule.get("id") if isinstance(rule, dict) and isinstance(rule.get("id"), str) else f"#{loc[1] + 1}"
            lines.append(_line(f"{where}: rule {rid}", loc[2:], msg))
        else:
            lines.append(_line(where, loc, msg))
    return lines


def load_pack_file(path: Path) -> tuple[Pack, bytes]:
    """One validated pack and its bytes; PolicyError listing every problem."""
    data, content = read_raw(path)
    try:
        return Pack.model_validate(data), content
    except ValidationError as exc:
        raise PolicyError(explain_errors(display_path(path), data, exc)) from None


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


def load_packs(dirs: list[Path]) -> tuple[dict[str, Pack], dict[str, str], dict[str, str]]:
    """Packs by id (later directories replace earlier ids), their source files and content hashes."""
    packs: dict[str, Pack] = {}
    sources: dict[str, str] = {}
    hashes: dict[str, str] = {}
    problems: list[str] = []
    for directory in dirs:
        seen_here: dict[str, str] = {}
        for path in pack_files(directory):
            try:
                pack, content = load_pack_file(path)
            except PolicyError as exc:
                problems.extend(exc.problems)
                continue
            if pack.id in seen_here:
                problems.append(f"{display_path(path)}: id: pack {pack.id!r} is also defined in {seen_here[pack.id]}")
                continue
            seen_here[pack.id] = display_path(path)
            packs[pack.id], sources[pack.id], hashes[pack.id] = pack, display_path(path), _sha(content)
    if problems:
        raise PolicyError(problems)
    return packs, sources, hashes


def apply_overrides(packs: dict[str, Pack], sources: dict[str, str]) -> dict[str, Pack]:
    """Replace rules named by any pack's `overrides` (keys given replace the rule's keys)."""
    owner = {r.id: pid for pid, p in packs.items() for r in p.rules}
    problems = [
        f"{sources[pid]}: rule {r.id}: id: also defined in {sources[owner[r.id]]}"
        for pid, p in packs.items()
        for r in p.rules
        if owner[r.id] != pid
    ]
    replaced: dict[str, Rule] = {}
    for pid, pack in packs.items():
        for raw in pack.overrides:
            rid = raw.get("id")
            if rid not in owner:
                problems.append(f"{sources[pid]}: override {rid}: id: no loaded rule has this id")
                continue
            base = (replaced.get(rid) or _rule(packs, owner[rid], rid)).model_dump(mode="json")
            try:
                replaced[rid] = Rule.model_validate({**base, **raw})
            except ValidationError as exc:
                problems.extend(
                    _line(f"{sources[pid]}: override {rid}", tuple(e["loc"]), plain_validation_message(e))
                    for e in _leaf_errors(exc)
                )
    if problems:
        raise PolicyError(problems)
    return {
        pid: p.model_copy(update={"rules": tuple(replaced.get(r.id, r) for r in p.rules)}) for pid, p in packs.items()
    }


def _rule(packs: dict[str, Pack], pack_id: str, rule_id: str) -> Rule:
    return next(r for r in packs[pack_id].rules if r.id == rule_id)


def build_policy_set(dirs: list[Path], disabled: list[str] | tuple[str, ...] = ()) -> PolicySet:
    """The PolicySet for packs under `dirs` (in precedence order) minus `disabled` rule ids."""
    packs, sources, hashes = load_packs(dirs)
    packs = apply_overrides(packs, sources)
    known = {r.id for p in packs.values() for r in p.rules}
    unknown = [rid for rid in disabled if rid not in known]
    if unknown:
        raise ConfigError(f"disabled_rules: no loaded rule has id {unknown[0]!r}")
    off = frozenset(disabled)
    entries = tuple(RuleEntry(p.id, p.regulation, r) for p in packs.values() for r in p.rules if r.id not in off)
    identity = ";".join(f"{pid}@{packs[pid].version}#{hashes[pid]}" for pid in sorted(packs))
    if off:
        identity += ";disabled=" + ",".join(sorted(off))
    return PolicySet(
        packs=tuple(packs.values()), identity=identity or "none", entries=entries, disabled=off, sources=sources
    )


def policy_dirs(settings: Settings) -> list[Path]:
    """The built-in packs directory, then the user's, in precedence order."""
    return [policies_dir(), *(Path(d).expanduser() for d in settings.policy_dirs)]


def load_policy_set(settings: Settings) -> PolicySet:
    """The packs that apply under `settings`."""
    return build_policy_set(policy_dirs(settings), settings.disabled_rules)
