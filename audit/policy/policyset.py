"""The loaded packs, flattened into the ordered rule list the engine walks."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from audit.errors import ConfigError
from audit.policy.schema import Pack, Rule


@dataclass(frozen=True)
class RuleEntry:
    """One enabled rule with the pack it belongs to."""

    pack: str
    regulation: str
    rule: Rule

    @property
    def group_types(self) -> tuple[frozenset[str], ...]:
        """The entity types each required group can match (for the engine's quick rejection)."""
        cached = self.__dict__.get("_group_types")
        if cached is None:
            cached = tuple(frozenset(g.types()) for g in self.rule.trigger.require)
            object.__setattr__(self, "_group_types", cached)
        return cached


@dataclass(frozen=True)
class PolicySet:
    """The loaded packs. `identity` names their ids, versions and content hashes (for caches and scans)."""

    packs: tuple[Pack, ...] = ()
    identity: str = "none"
    entries: tuple[RuleEntry, ...] = ()
    disabled: frozenset[str] = frozenset()
    sources: dict[str, str] = field(default_factory=dict)  # pack id -> file it was loaded from

    def pack(self, pack_id: str) -> Pack | None:
        """The pack with this id, or None."""
        return next((p for p in self.packs if p.id == pack_id), None)

    def entry(self, rule_id: str) -> RuleEntry | None:
        """The enabled rule with this id, or None."""
        return next((e for e in self.entries if e.rule.id == rule_id), None)

    def canonical_rule_id(self, text: str) -> str:
        """The rule id `text` names: a bare id (as `registry show` prints it) or `pack/rule` (as SARIF,
        `route replay` and reports print it) both give the bare id; ConfigError for any other text."""
        pack, _, rule = text.rpartition("/")
        rule_ids = {r.id: p.id for p in self.packs for r in p.rules}
        if rule in rule_ids and pack in ("", rule_ids[rule]):
            return rule
        close = difflib.get_close_matches(rule, rule_ids, n=3)
        hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
        raise ConfigError(f"unknown rule {text!r}: no loaded policy pack has it ({hint}see `audit policy show`)")
