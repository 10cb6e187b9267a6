"""`audit policy test`: run every rule's examples through the real scanner and the engine.

The scanner is injected (`findings_for`) so this module needs no scanner import:
the CLI builds the engine once and passes a function from message texts to findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from audit.model import Finding
from audit.policy import evaluate_findings
from audit.policy.engine import evaluate_rule
from audit.policy.explain import reason, why_not
from audit.policy.policyset import PolicySet, RuleEntry
from audit.policy.schema import Example

FindingsFor = Callable[[tuple[str, ...]], tuple[Finding, ...]]


@dataclass(frozen=True)
class ExampleResult:
    """One example's verdict. `detail` says what went wrong (or what fired) in masked terms."""

    pack: str
    rule: str
    kind: str  # "fires" | "silent"
    number: int  # 1-based within its kind
    passed: bool
    detail: str
    preview: str  # the example's first words: examples are pack data, never user data
    skipped: bool = False  # no registered recognizer emits a type the rule requires


def _preview(example: Example) -> str:
    text = " / ".join(example.texts())
    return text if len(text) <= 60 else text[:57] + "..."


def check_example(policy_set: PolicySet, rule_id: str, kind: str, example: Example, findings_for: FindingsFor):
    """(passed, detail) for one example of one rule."""
    findings = findings_for(example.texts())
    workload = example.workload.profile() if example.workload else None
    entry = policy_set.entry(rule_id)
    outcome = evaluate_rule(entry, findings, workload)
    if kind == "fires" and not outcome.fired:
        return False, "expected to fire; " + why_not(outcome, findings)
    if kind == "silent" and outcome.fired:
        return False, "expected not to fire; fired on " + reason(outcome, findings)
    if example.decision:
        got = evaluate_findings(policy_set, findings, workload).decision.value
        if got != example.decision:
            return False, f"expected record decision {example.decision}, got {got}"
    return True, reason(outcome, findings) if outcome.fired else "silent"


def unsupported(entry: RuleEntry, supported: frozenset[str] | None) -> list[str]:
    """Required groups no registered recognizer can satisfy, by label (none when `supported` is None)."""
    if supported is None:
        return []
    return [g.name() for g in entry.rule.trigger.require if not set(g.types()) & supported]


def run_examples(
    policy_set: PolicySet,
    findings_for: FindingsFor,
    packs: tuple[str, ...] = (),
    supported: frozenset[str] | None = None,
) -> list[ExampleResult]:
    """Every example of every enabled rule (of `packs`, when given), in pack order.

    With `supported` (the entity types the engine's recognizers emit), a rule that
    requires a type no recognizer emits yet is reported as skipped, not failed.
    """
    results = []
    for entry in policy_set.entries:
        if packs and entry.pack not in packs:
            continue
        missing = unsupported(entry, supported)
        for kind in ("fires", "silent"):
            for n, example in enumerate(getattr(entry.rule.examples, kind), 1):
                if missing:
                    detail = f"no registered recognizer emits {', '.join(missing)}"
                    results.append(
                        ExampleResult(entry.pack, entry.rule.id, kind, n, True, detail, _preview(example), True)
                    )
                    continue
                passed, detail = check_example(policy_set, entry.rule.id, kind, example, findings_for)
                results.append(ExampleResult(entry.pack, entry.rule.id, kind, n, passed, detail, _preview(example)))
    return results
