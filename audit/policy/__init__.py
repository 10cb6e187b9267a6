"""Policy: from findings to a deployment decision with citations.

Interface used by the pipeline:
- `load_policy_set(settings) -> PolicySet`: the built-in packs plus the user's.
- `evaluate(policy_set, record, findings, workload) -> Evaluation`.

Modules: schema (the pack format), shapes (value shapes from masked previews),
loader (YAML -> PolicySet), engine (rules x findings), explain (why),
aggregate (per-workload decision), examples (`audit policy test`), lint.

Semantics. `regulations` lists data-level triggers: PHI-like data yields
"HIPAA" whatever the workload. `decision` weighs the workload: its HIPAA entity
status and the agreements its endpoints hold; with no workload known, no
agreements are assumed. The strictest fired rule wins (audit.model.strictest).
General PII with no regulated context (a name, an email) is decided by the
`ccpa` pack's personal-information baseline: redact_then_closed.
"""

from __future__ import annotations

from audit.model import REGULATIONS, Evaluation, Finding, Record, RuleHit, WorkloadProfile, strictest
from audit.policy.engine import RuleOutcome, evaluate_rules
from audit.policy.explain import explain, explanation_lines, reason
from audit.policy.loader import PolicyError, load_policy_set
from audit.policy.policyset import PolicySet, RuleEntry

__all__ = ["PolicyError", "PolicySet", "RuleEntry", "evaluate", "evaluate_findings", "explain", "load_policy_set"]


def _hit(outcome: RuleOutcome, findings: tuple[Finding, ...]) -> RuleHit:
    e = outcome.entry
    return RuleHit(
        policy=e.pack,
        rule=e.rule.id,
        regulation=e.regulation,
        citation=e.rule.citation,
        decision=outcome.decision,
        description=e.rule.description,
        remediation=e.rule.remediation,
        findings=outcome.findings,
        reason=reason(outcome, findings),
    )


def evaluate_findings(
    policy_set: PolicySet, findings: tuple[Finding, ...], workload: WorkloadProfile | None
) -> Evaluation:
    """Every rule that fires on these findings, the strictest decision, and the explanation."""
    if not findings:
        return Evaluation(explanation=("decision: unrestricted: nothing was found, so no rule can fire",))
    outcomes = evaluate_rules(policy_set.entries, findings, workload)
    hits = tuple(_hit(o, findings) for o in outcomes if o.fired)
    decision = strictest(h.decision for h in hits)
    fired_regs = {h.regulation for h in hits}
    return Evaluation(
        decision=decision,
        regulations=tuple(r for r in REGULATIONS if r in fired_regs),
        rules=hits,
        explanation=explanation_lines(outcomes, findings, decision, workload),
    )


def evaluate(
    policy_set: PolicySet, record: Record, findings: tuple[Finding, ...], workload: WorkloadProfile | None
) -> Evaluation:
    """Every rule that fires on the record, and the strictest tier among them."""
    return evaluate_findings(policy_set, findings, workload)
