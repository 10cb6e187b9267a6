"""Evaluate rules against one record's findings: which fire, with what decision, and why.

A rule fires when, within one scope (a message, or the whole record = the
conversation replayed in one request), every `require` group matches and no
`unless` group does. Groups count distinct values (entity type + fingerprint),
so a name repeated across turns counts once. Its decision then weighs the
workload: a matching `workload_decisions` entry wins, else holding every
`unlocked_by` agreement relaxes it; with no workload known, no agreements.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.model import Finding, Tier, WorkloadProfile
from audit.policy.policyset import RuleEntry
from audit.policy.schema import Group, Match, Rule, WorkloadMatch
from audit.policy.shapes import has_shape


@dataclass(frozen=True)
class GroupResult:
    """How one group fared in one scope: the findings it matched and their distinct values."""

    group: Group
    matched: tuple[int, ...]
    values: frozenset = frozenset()

    @property
    def ok(self) -> bool:
        """True when enough distinct values matched."""
        return len(self.values) >= self.group.min_count


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's result on one record, fired or not, with what it saw."""

    entry: RuleEntry
    fired: bool
    groups: tuple[GroupResult, ...] = ()  # the best scope's require groups
    blocked_by: GroupResult | None = None  # an `unless` group that matched
    workload_skipped: bool = False
    decision: Tier = Tier.UNRESTRICTED
    decision_note: str = ""
    findings: tuple[int, ...] = ()


def match_finding(match: Match, finding: Finding, findings: tuple[Finding, ...] = ()) -> bool:
    """True when the finding has one of the types, the score, none of the excluded shapes and containers."""
    return (
        finding.entity_type in match.types
        and finding.score >= match.min_score
        and not any(has_shape(finding, s) for s in match.not_shapes)
        and not (match.not_within and inside_any(finding, findings, match.not_within))
    )


def inside_any(finding: Finding, findings: tuple[Finding, ...], types: tuple[str, ...]) -> bool:
    """True when another finding of `types` in the same message covers this finding's span."""
    return any(
        o is not finding
        and o.entity_type in types
        and o.message == finding.message
        and o.start <= finding.start
        and finding.end <= o.end
        for o in findings
    )


def covered(findings: tuple[Finding, ...], types: tuple[str, ...]) -> set[int]:
    """Indices i for which `inside_any(findings[i], findings, types)`, in O(n log n) rather than O(n^2)."""
    out: set[int] = set()
    by_message: dict[int, list[int]] = {}
    for i, f in enumerate(findings):
        by_message.setdefault(f.message, []).append(i)
    for indices in by_message.values():
        containers = sorted((findings[j].start, j) for j in indices if findings[j].entity_type in types)
        best: list[tuple[int, int]] = []  # the two longest-reaching (end, index) of the containers seen so far
        k = 0
        for i in sorted(indices, key=lambda i: findings[i].start):
            f = findings[i]
            while k < len(containers) and containers[k][0] <= f.start:
                j = containers[k][1]
                best = sorted([*best, (findings[j].end, j)], reverse=True)[:2]
                k += 1
            if any(j != i and end >= f.end for end, j in best):
                out.add(i)
    return out


def match_group(group: Group, findings: tuple[Finding, ...], indices: list[int]) -> GroupResult:
    """The group's matches among findings[indices]."""
    # what match_finding answers, with `inside_any` for all findings at once: one message can hold 50,000
    inside = {m.not_within: covered(findings, m.not_within) for m in group.any_of if m.not_within}
    hit = tuple(
        i
        for i in indices
        if any(match_finding(m, findings[i]) and i not in inside.get(m.not_within, ()) for m in group.any_of)
    )
    values = frozenset((findings[i].entity_type, findings[i].fingerprint) for i in hit)
    return GroupResult(group, hit, values)


def workload_matches(cond: WorkloadMatch, workload: WorkloadProfile | None) -> bool:
    """True when every field given matches; 'unknown' stands for a missing profile."""
    if cond.hipaa_entity is not None:
        entity = workload.hipaa_entity if workload else "unknown"
        if entity not in cond.hipaa_entity:
            return False
    held = workload.agreements if workload else frozenset()
    if any(a in held for a in cond.lacks):
        return False
    if cond.domain is not None:
        domain = (workload.domain if workload else None) or "unknown"
        if domain not in cond.domain:
            return False
    return True


def _scopes(rule: Rule, findings: tuple[Finding, ...]) -> list[list[int]]:
    if rule.trigger.scope == "record":
        return [list(range(len(findings)))]
    by_message: dict[int, list[int]] = {}
    for i, f in enumerate(findings):
        by_message.setdefault(f.message, []).append(i)
    return list(by_message.values())


def decide(rule: Rule, workload: WorkloadProfile | None) -> tuple[Tier, str]:
    """The rule's decision for this workload, and a note saying what changed it."""
    for wd in rule.workload_decisions:
        if workload_matches(wd.when, workload):
            return Tier(wd.decision), wd.note or "workload exception"
    held = workload.agreements if workload else frozenset()
    if rule.unlocked_by and set(rule.unlocked_by) <= held:
        return Tier(
            rule.unlocked_decision
        ), f"relaxed from {rule.decision}: workload holds {', '.join(rule.unlocked_by)}"
    return rule.tier, ""


def _progress(groups: tuple[GroupResult, ...]) -> tuple[int, int]:
    return sum(g.ok for g in groups), sum(len(g.values) for g in groups)


def evaluate_rule(
    entry: RuleEntry, findings: tuple[Finding, ...], workload: WorkloadProfile | None, present: frozenset | None = None
) -> RuleOutcome:
    """Whether one rule fires on the findings, and with which decision. `present`: their entity types."""
    rule = entry.rule
    if rule.trigger.workload and not workload_matches(rule.trigger.workload, workload):
        return RuleOutcome(entry, False, workload_skipped=True)
    if present is not None and not all(types & present for types in entry.group_types):
        return RuleOutcome(entry, False)  # some required group cannot match: no need to look closer
    best: tuple[GroupResult, ...] = ()
    blocked = None
    fired_indices: set[int] = set()
    for indices in _scopes(rule, findings):
        groups = tuple(match_group(g, findings, indices) for g in rule.trigger.require)
        if all(g.ok for g in groups):
            unless = next((u for u in (match_group(g, findings, indices) for g in rule.trigger.unless) if u.ok), None)
            if unless is None:
                best = best if fired_indices else groups
                fired_indices.update(i for g in groups for i in g.matched)
                continue
            blocked = unless
        if not fired_indices and (not best or _progress(groups) > _progress(best)):
            best = groups
    if not fired_indices:
        return RuleOutcome(entry, False, groups=best, blocked_by=blocked)
    decision, note = decide(rule, workload)
    return RuleOutcome(entry, True, best, None, False, decision, note, tuple(sorted(fired_indices)))


def evaluate_rules(
    entries: tuple[RuleEntry, ...], findings: tuple[Finding, ...], workload: WorkloadProfile | None
) -> list[RuleOutcome]:
    """Every rule's outcome, in policy-set order."""
    present = frozenset(f.entity_type for f in findings)
    return [evaluate_rule(e, findings, workload, present) for e in entries]
