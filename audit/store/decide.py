"""A workload's decision for one scan, tallied record by record as the scan streams.

The decision is the strictest tier among the rules that fired on the
workload's records (the strictest rule
wins), after the waivers in force when the scan started. `rules` counts every
rule that fired; `top` is the strictest and most frequent few. Same tier and
ordering as `audit.policy.aggregate` (a test checks), but streaming and
waiver-aware, so a scan need not hold its results in memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from audit.model import RecordResult, RuleHit, Tier, strictest

TOP_REASONS = 5
VIOLATING_TIERS = frozenset({Tier.STRIP, Tier.SELF_HOSTED})


def rule_id(hit: RuleHit) -> str:
    """The id a waiver names: the rule's id, unique across packs (as in `audit policy` and SARIF)."""
    return hit.rule


def bare(rule: str) -> str:
    """A waiver's rule id without an optional `pack/` prefix."""
    return rule.split("/", 1)[-1]


@dataclass(frozen=True)
class ActiveWaivers:
    """The waivers in force for one workload: rule ids (bare, see `bare`) and fingerprints."""

    rules: frozenset[str] = frozenset()
    fingerprints: frozenset[str] = frozenset()

    def covers_rule(self, hit: RuleHit) -> bool:
        """True when the rule itself is waived."""
        return hit.rule in self.rules


@dataclass
class WorkloadTally:
    """Running counts for one workload during one scan."""

    records: int = 0
    records_with_findings: int = 0
    raw: Tier = Tier.UNRESTRICTED
    tier: Tier = Tier.UNRESTRICTED
    regulations: Counter = field(default_factory=Counter)
    rules: dict[str, dict] = field(default_factory=dict)
    waived: Counter = field(default_factory=Counter)

    def add(self, result: RecordResult, waivers: ActiveWaivers) -> None:
        """Count one record, dropping waived rules and rules fired only by waived fingerprints."""
        self.records += 1
        self.records_with_findings += bool(result.has_output)
        self.raw = strictest((self.raw, result.decision))
        kept = [h for h in result.evaluation.rules if not self._waived(h, result, waivers)]
        tier = strictest(h.decision for h in kept) if result.evaluation.rules else result.decision
        self.tier = strictest((self.tier, tier))
        for hit in {rule_id(h): h for h in kept}.values():  # a rule counts once per record, as in policy.aggregate
            self._count(hit)

    def _waived(self, hit: RuleHit, result: RecordResult, waivers: ActiveWaivers) -> bool:
        if waivers.covers_rule(hit):
            self.waived["rule"] += 1
            return True
        prints = {result.findings[i].fingerprint for i in hit.findings if i < len(result.findings)}
        if prints and prints <= waivers.fingerprints:
            self.waived["fingerprint"] += 1
            return True
        return False

    def _count(self, hit: RuleHit) -> None:
        entry = self.rules.setdefault(
            rule_id(hit),
            {"rule": rule_id(hit), "policy": hit.policy, "regulation": hit.regulation, "citation": hit.citation,
             "decision": hit.decision.value, "description": hit.description, "records": 0},
        )  # fmt: skip
        entry["records"] += 1
        self.regulations[hit.regulation] += 1

    def rationale(self) -> dict:
        """JSON for the decisions table: the top reasons, every rule, and what was waived."""
        rules = sorted(self.rules.values(), key=lambda r: (Tier(r["decision"]).rank, -r["records"], r["rule"]))
        return {"top": rules[:TOP_REASONS], "rules": rules, "waived": dict(self.waived)}


def effective_tier(stored_tier: str, rules: list[dict], waived_rules: set[str]) -> Tier:
    """A stored decision re-read under today's rule waivers (fingerprint waivers apply from the next scan)."""
    if not rules:
        return Tier(stored_tier)
    waived = {bare(r) for r in waived_rules}
    return strictest(Tier(r["decision"]) for r in rules if bare(r["rule"]) not in waived)


def is_violation(hosting: str | None, tier: Tier) -> bool:
    """A closed-API workload whose data must stay self-hosted (or be stripped)."""
    return hosting == "closed_api" and tier in VIOLATING_TIERS


@dataclass
class SourceTally(WorkloadTally):
    """A workload's counts from one source of a scan, plus its findings by entity type."""

    entities: Counter = field(default_factory=Counter)

    def add(self, result: RecordResult, waivers: ActiveWaivers) -> None:
        """Count one record as `WorkloadTally.add` does, and its findings by entity type."""
        super().add(result, waivers)
        self.entities.update(f.entity_type for f in result.findings)

    def entry(self) -> dict:
        """This source's entry in the decision's rationale (`sources`): what the scan showed for the workload."""
        return {
            "tier": self.tier.value, "raw_tier": self.raw.value, "regulations": sorted(self.regulations),
            "records": self.records, "records_with_findings": self.records_with_findings,
            "rules": self.rationale()["rules"], "entities": dict(self.entities.most_common()),
        }  # fmt: skip


def hosting_tier(stored_tier: str, rules: list[dict], waived_rules: set[str]) -> Tier:
    """Where a workload may run given what a scan decided, the one reading recommend, route export, flows and
    the report share with the router: `strip` removes those values (the gateway blocks those requests, as
    `audit.route` does), then the strictest of the other rules decides hosting (unrestricted when only strip
    rules fired). A decision kept without its rules stays as stored."""
    if not rules:
        return Tier(stored_tier)
    waived = {bare(r) for r in waived_rules}
    kept = [Tier(r["decision"]) for r in rules if bare(r["rule"]) not in waived and r["decision"] != Tier.STRIP.value]
    return strictest(kept) if kept else Tier.UNRESTRICTED
