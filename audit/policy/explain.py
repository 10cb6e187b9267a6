"""Explanations: which finding fired which rule, and why each stricter tier did not apply.

Only masked previews and finding indices appear here, never raw values.
"""

from __future__ import annotations

import re

from audit.model import TIER_ORDER, Evaluation, Finding, Tier, WorkloadProfile
from audit.policy.engine import GroupResult, RuleOutcome, inside_any, match_group
from audit.policy.schema import Group
from audit.policy.shapes import has_shape

SHOWN_PER_GROUP = 3
SHOWN_PER_TIER = 4


def describe_finding(findings: tuple[Finding, ...], i: int) -> str:
    """'PERSON "J*** S****" [#0]': a finding by type, masked preview and index."""
    f = findings[i]
    return f'{f.entity_type} "{f.masked}" [#{i}]'


def describe_group(result: GroupResult, findings: tuple[Finding, ...]) -> str:
    """'identifier: PERSON "J***" [#0], ... (+2 more)'."""
    shown = [describe_finding(findings, i) for i in result.matched[:SHOWN_PER_GROUP]]
    more = len(result.matched) - SHOWN_PER_GROUP
    return f"{result.group.name()}: {', '.join(shown)}" + (f" (+{more} more)" if more > 0 else "")


def reason(outcome: RuleOutcome, findings: tuple[Finding, ...]) -> str:
    """Why a fired rule fired, naming the masked findings of each required group."""
    return "; ".join(describe_group(g, findings) for g in outcome.groups)


def _rejected(group: Group, findings: tuple[Finding, ...]) -> str:
    """Findings of the group's types that a score floor or shape excluded, e.g. a year alone."""
    notes = []
    for i, f in enumerate(findings):
        for m in group.any_of:
            if f.entity_type not in m.types:
                continue
            shapes = [s for s in m.not_shapes if has_shape(f, s)]
            if shapes:
                notes.append(f"{describe_finding(findings, i)} is {shapes[0]}")
            elif m.not_within and inside_any(f, findings, m.not_within):
                notes.append(f"{describe_finding(findings, i)} lies inside a {'/'.join(m.not_within)} finding")
            elif f.score < m.min_score:
                notes.append(f"{describe_finding(findings, i)} scored {f.score} < {m.min_score}")
            break
    return f" ({'; '.join(notes[:SHOWN_PER_GROUP])} - not counted)" if notes else ""


def why_not(outcome: RuleOutcome, findings: tuple[Finding, ...]) -> str:
    """Why a rule did not fire: the first missing group, an `unless` match, or the workload."""
    rule = outcome.entry.rule
    if outcome.workload_skipped:
        return f"{rule.id}: does not apply to this workload"
    if outcome.blocked_by is not None:
        return f"{rule.id}: {describe_group(outcome.blocked_by, findings)} rules it out"
    groups = outcome.groups or tuple(match_group(g, findings, []) for g in rule.trigger.require)
    for g in groups:
        if not g.ok:
            found = f", found {len(g.values)}" if g.values else ""
            need = f"{g.group.min_count} distinct " if g.group.min_count > 1 else ""
            return f"{rule.id}: needs {need}{g.group.name()}{found}{_rejected(g.group, findings)}"
    return f"{rule.id}: did not fire"


def _tier_line(tier: Tier, outcomes: list[RuleOutcome], findings: tuple[Finding, ...]) -> str:
    """Why no rule decided `tier`: rules relaxed below it, then rules based at it that did not fire."""
    relaxed = [
        f"{o.entry.rule.id}: fired but decided {o.decision.value} ({o.decision_note})"
        for o in outcomes
        if o.fired and o.entry.rule.tier is tier and o.decision is not tier
    ]
    candidates = [o for o in outcomes if not o.fired and o.entry.rule.tier is tier]
    candidates.sort(key=lambda o: -sum(g.ok for g in o.groups))  # nearly-fired rules first: the useful ones
    total = len(relaxed) + len(candidates)
    if not total:
        return f"not {tier.value}: no enabled rule decides {tier.value} by default"
    shown = relaxed[:SHOWN_PER_TIER]
    shown += [why_not(o, findings) for o in candidates[: SHOWN_PER_TIER - len(shown)]]
    more = total - len(shown)
    return f"not {tier.value}: " + " | ".join(shown) + (f" | (+{more} more rules)" if more > 0 else "")


def _advice(outcome: RuleOutcome, workload: WorkloadProfile | None) -> str | None:
    rule = outcome.entry.rule
    held = workload.agreements if workload else frozenset()
    missing = [a for a in rule.advised if a not in held]
    if outcome.decision is Tier.CLOSED_WITH_AGREEMENT and missing:
        return (
            f"advice: {rule.id}: section 7 also expects {', '.join(rule.advised)}; workload lacks {', '.join(missing)}"
        )
    return None


def cited(regulation: str, citation: str) -> str:
    """`citation` led by its regulation's name, unless it already starts with it ("GDPR Art. 4(1)")."""
    if _letters(citation).startswith(_letters(regulation)):
        return citation
    return f"{regulation} {citation}"


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def explanation_lines(
    outcomes: list[RuleOutcome], findings: tuple[Finding, ...], decision: Tier, workload: WorkloadProfile | None
) -> tuple[str, ...]:
    """Fired rules with their findings, the decision, then why each stricter tier did not apply."""
    fired = [o for o in outcomes if o.fired]
    lines = [
        f"fired {o.entry.rule.id} [{cited(o.entry.regulation, o.entry.rule.citation)}] -> {o.decision.value}: "
        + reason(o, findings)
        + (f" ({o.decision_note})" if o.decision_note else "")
        for o in fired
    ]
    if fired:
        lines.append(f"decision: {decision.value} (strictest of {len(fired)} fired rule{'s' * (len(fired) > 1)})")
    else:
        lines.append(f"decision: unrestricted: no rule fired on {len(findings)} finding{'s' * (len(findings) != 1)}")
    lines += [_tier_line(t, outcomes, findings) for t in TIER_ORDER if t.stricter_than(decision)]
    lines += [a for a in (_advice(o, workload) for o in fired) if a]
    return tuple(lines)


def explain(evaluation: Evaluation) -> str:
    """A readable multi-line explanation of one record's evaluation."""
    regs = ", ".join(evaluation.regulations) or "none"
    head = f"decision {evaluation.decision.value}; regulations {regs}; {len(evaluation.rules)} rule(s) fired"
    return "\n".join([head, *(f"  {line}" for line in evaluation.explanation)])
