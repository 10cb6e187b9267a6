"""Per-workload aggregation: the tier a workload requires, and the reasons behind it.

Used by the registry and the reports: a workload must run at the strictest tier
any of its records requires, and its top reasons say which rules drove that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from audit.model import REGULATIONS, Evaluation, RecordResult, Tier, strictest


@dataclass(frozen=True)
class ReasonCount:
    """One rule, at one decision, and how many records it fired on."""

    policy: str
    rule: str
    regulation: str
    citation: str
    decision: Tier
    records: int


@dataclass(frozen=True)
class WorkloadDecision:
    """What a workload's records add up to."""

    tier: Tier = Tier.UNRESTRICTED
    records: int = 0
    by_tier: tuple[tuple[Tier, int], ...] = ()  # records per decision tier, strictest first
    regulations: tuple[tuple[str, int], ...] = ()  # records per regulation, in REGULATIONS order
    reasons: tuple[ReasonCount, ...] = ()  # strictest decision first, then most records

    def top(self, n: int = 5) -> tuple[ReasonCount, ...]:
        """The first `n` reasons."""
        return self.reasons[:n]


def _evaluation(result: RecordResult | Evaluation) -> Evaluation:
    return result if isinstance(result, Evaluation) else result.evaluation


def aggregate(results: Iterable[RecordResult | Evaluation]) -> WorkloadDecision:
    """The required tier (strictest record), counts per tier and regulation, and reasons with counts."""
    tiers: Counter[Tier] = Counter()
    regs: Counter[str] = Counter()
    reasons: Counter[tuple] = Counter()
    for result in results:
        ev = _evaluation(result)
        tiers[ev.decision] += 1
        regs.update(set(ev.regulations))
        for key in {(h.policy, h.rule, h.regulation, h.citation, h.decision) for h in ev.rules}:
            reasons[key] += 1
    ranked = sorted(reasons.items(), key=lambda kv: (kv[0][4].rank, -kv[1], kv[0][1]))
    return WorkloadDecision(
        tier=strictest(tiers),
        records=sum(tiers.values()),
        by_tier=tuple((t, tiers[t]) for t in sorted(tiers, key=lambda t: t.rank)),
        regulations=tuple((r, regs[r]) for r in REGULATIONS if regs[r]),
        reasons=tuple(ReasonCount(*key, records=n) for key, n in ranked),
    )
