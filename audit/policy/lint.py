"""`audit policy lint`: every problem in every pack file, not just the first.

Errors stop a pack from loading (schema, YAML, duplicate ids, bad overrides).
Warnings do not: entity types no recognizer emits, rules without examples, a
pack id that differs from its file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audit.errors import ConfigError
from audit.policy.loader import PolicyError, build_policy_set, display_path, load_pack_file, pack_files
from audit.policy.schema import Pack
from audit.scanner.entities import BY_NAME


@dataclass(frozen=True)
class LintMessage:
    """One problem: 'error' or 'warning', and a line naming file, rule and field."""

    level: str
    text: str


def _types_in(pack: Pack):
    for rule in pack.rules:
        groups = (*rule.trigger.require, *rule.trigger.unless)
        for g, group in enumerate(groups):
            for m, match in enumerate(group.any_of):
                for field in ("types", "not_within"):
                    for t in getattr(match, field):
                        yield rule.id, f"trigger group {g + 1} any_of.{m}.{field}", t


def pack_warnings(pack: Pack, where: str, path: Path) -> list[LintMessage]:
    """Warnings for a pack that loads."""
    out = [
        LintMessage(
            "warning", f"{where}: rule {rid}: {field}: unknown entity type {t!r} (no built-in recognizer emits it)"
        )
        for rid, field, t in _types_in(pack)
        if t not in BY_NAME
    ]
    for rule in pack.rules:
        if not rule.examples.fires or not rule.examples.silent:
            out.append(
                LintMessage(
                    "warning", f"{where}: rule {rule.id}: examples: needs at least one fires and one silent example"
                )
            )
    if path.stem != pack.id:
        out.append(LintMessage("warning", f"{where}: id: pack id {pack.id!r} differs from the file name"))
    return out


def lint_file(path: Path) -> list[LintMessage]:
    """Errors and warnings for one pack file."""
    try:
        pack, _ = load_pack_file(path)
    except PolicyError as exc:
        return [LintMessage("error", p) for p in exc.problems]
    return pack_warnings(pack, display_path(path), path)


def lint_dirs(dirs: list[Path], disabled: list[str] | tuple[str, ...] = ()) -> list[LintMessage]:
    """Every file's messages, then the errors of combining them (duplicate ids, overrides, disabled rules)."""
    messages = [m for d in dirs for p in pack_files(d) for m in lint_file(p)]
    if not any(m.level == "error" for m in messages):
        try:
            build_policy_set(dirs, disabled)
        except PolicyError as exc:
            messages += [LintMessage("error", p) for p in exc.problems]
        except ConfigError as exc:
            messages.append(LintMessage("error", str(exc)))
    return messages
