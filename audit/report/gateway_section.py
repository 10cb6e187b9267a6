"""The report's "Enforced at the gateway" section: what `audit serve` and the LiteLLM guardrail decided, per workload.

Read from the registry's gateway_decisions counts (audit.store.enforcement) over every period recorded, next to
each workload's decision from its scans. Counts, codes and rule ids only: the registry holds no request text.
Workload names are whatever the requests said, so renderers escape them like any other input.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from audit.model import TIER_ORDER, Tier
from audit.report.wording import count

TOP_RULES = 5
TARGET_ORDER = ("blocked", "self_hosted", "redact_then_closed", "closed")  # strictest first, as the router's TARGETS


@dataclass
class RuleCount:
    """A rule and how many of a workload's requests it drove."""

    rule: str
    requests: int


@dataclass
class GatewayWorkload:
    """One workload as the gateway saw it (None: requests that named no workload)."""

    workload: str | None
    requests: int = 0  # routed and refused
    scan_decision: Tier | None = None  # its decision from scans; None: not scanned (or not registered)
    by_target: dict[str, int] = field(default_factory=dict)  # decided requests (a refused one may have a target)
    by_tier: dict[Tier, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)  # by reason code, decided or not
    top_rules: list[RuleCount] = field(default_factory=list)

    @property
    def refused(self) -> int:
        """Requests the gateway refused."""
        return sum(self.refusals.values())


@dataclass
class GatewaySection:
    """What the report says about gateway decisions. `recorded` is False for reports built from a scan file."""

    recorded: bool = False
    sources: list[str] = field(default_factory=list)
    period_start: str | None = None  # the earliest recorded period's start, ISO 8601 UTC
    period_end: str | None = None
    requests: int = 0
    refused: int = 0
    workloads: list[GatewayWorkload] = field(default_factory=list)


def collect(registry, scan_decisions: dict[str, Tier]) -> GatewaySection:
    """The section from an open registry: every recorded period summed per workload, with its scan decision."""
    from audit.store.enforcement import read_gateway

    record = read_gateway(registry)
    rows: dict[str | None, GatewayWorkload] = {}
    rules: dict[str | None, Counter] = {}
    for c in record.counts:
        w = rows.setdefault(c.workload, GatewayWorkload(c.workload, scan_decision=scan_decisions.get(c.workload)))
        if c.rule is not None:
            rules.setdefault(c.workload, Counter())[c.rule] += c.count
            continue
        w.requests += c.count
        if c.target is not None:  # decided (then perhaps refused, e.g. blocked)
            w.by_target[c.target] = w.by_target.get(c.target, 0) + c.count
        if c.tier is not None:
            w.by_tier[Tier(c.tier)] = w.by_tier.get(Tier(c.tier), 0) + c.count
        if c.refusal is not None:
            w.refusals[c.refusal] = w.refusals.get(c.refusal, 0) + c.count
    for name, w in rows.items():
        w.by_target = _ordered(w.by_target, TARGET_ORDER)
        w.by_tier = _ordered(w.by_tier, TIER_ORDER)
        w.refusals = dict(sorted(w.refusals.items()))
        top = sorted(rules.get(name, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]
        w.top_rules = [RuleCount(rule, n) for rule, n in top]
    workloads = sorted(rows.values(), key=lambda w: (w.workload is None, -w.requests, w.workload or ""))
    return GatewaySection(
        recorded=True, sources=record.sources, period_start=_stamp(record.period_start),
        period_end=_stamp(record.period_end), requests=sum(w.requests for w in workloads),
        refused=sum(w.refused for w in workloads), workloads=workloads,
    )  # fmt: skip


def _ordered(counts: dict, order) -> dict:
    """`counts` in `order`, anything unknown after it."""
    known = {k: counts[k] for k in order if k in counts}
    return {**known, **{k: v for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])) if k not in known}}


def _stamp(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def summary_line(section: GatewaySection) -> str:
    """One sentence for the report: requests decided, refused, by whom and over which period."""
    if not section.recorded:
        return "Gateway decisions are read from the registry; this report was built from a scan file."
    if not section.workloads:
        return (
            "No gateway decisions recorded: `audit serve` and the LiteLLM guardrail record them "
            "when they have a registry."
        )
    return (
        f"{count(section.requests, 'request')} decided at the gateway ({', '.join(section.sources)}) "
        f"from {section.period_start} to {section.period_end}, {section.refused} of them refused. "
        "Counts only: the registry keeps no request text."
    )
