"""Dry run of the router over historical logs: tiers, drivers, and monthly cost under three deployments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from audit.cost import Pricing, Volume, closed_monthly
from audit.errors import UnscannedText
from audit.model import ReadError
from audit.readers import ReadOptions, read_paths
from audit.routing.router import TARGETS, Router

CHARS_PER_TOKEN = 4  # a rough English average; good enough to compare deployments


@dataclass
class ReplayReport:
    """What routing the logs would have done, and what it would cost per month."""

    requests: int = 0
    skipped: int = 0  # unreadable records
    unscanned: list[ReadError] = field(default_factory=list)  # records the router could not scan: not decided
    by_target: Counter = field(default_factory=Counter)
    by_workload_target: dict[str, Counter] = field(default_factory=dict)
    entities: Counter = field(default_factory=Counter)  # entity types in requests not routed closed as is
    rules: Counter = field(default_factory=Counter)  # rules behind those decisions
    tokens: Counter = field(default_factory=Counter)  # "<target>:input" / "<target>:output"
    scale: float = 1.0  # multiply observed volume by this to get a month
    costs: dict[str, float] = field(default_factory=dict)

    def share(self, target: str) -> float:
        """Share of requests routed to `target`."""
        return self.by_target[target] / self.requests if self.requests else 0.0

    def volume(self, targets: tuple[str, ...]) -> Volume:
        """Monthly tokens routed to any of `targets`."""
        i = sum(self.tokens[f"{t}:input"] for t in targets) * self.scale
        o = sum(self.tokens[f"{t}:output"] for t in targets) * self.scale
        return Volume(i, o)


def replay(
    router: Router,
    paths: list[str],
    pricing: Pricing,
    options: ReadOptions | None = None,
    workload: str | None = None,
    monthly_requests: float | None = None,
) -> ReplayReport:
    """Route every record of `paths` (nothing is sent anywhere) and cost the result.

    A record the router cannot scan is counted in `unscanned`, never routed on the texts it could."""
    report = ReplayReport()
    for item in read_paths(paths, options or ReadOptions()):
        if isinstance(item, ReadError):
            report.skipped += 1
            continue
        if workload:
            item = item.__class__(item.source, item.record_id, item.line, item.messages, workload)
        try:
            decision = router.route_record(item)
        except UnscannedText as exc:
            report.unscanned.append(ReadError(item.source, item.line, str(exc)))
            continue
        _count(report, item, decision, pricing)
    if monthly_requests and report.requests:
        report.scale = monthly_requests / report.requests
    _cost(report, pricing)
    return report


def _count(report: ReplayReport, record, decision, pricing: Pricing) -> None:
    report.requests += 1
    report.by_target[decision.target] += 1
    report.by_workload_target.setdefault(decision.workload or "(none)", Counter())[decision.target] += 1
    if decision.target != "closed" or decision.rules:
        report.entities.update(decision.entities)
        report.rules.update(decision.rules)
    prompt = sum(len(m.text) for m in record.messages if m.role != "assistant") / CHARS_PER_TOKEN
    answer = sum(len(m.text) for m in record.messages if m.role == "assistant") / CHARS_PER_TOKEN
    if not answer:  # logs without completions: assume the configured output share
        share = pricing.closed.output_share
        answer = prompt * share / (1 - share) if share < 1 else 0.0
    report.tokens[f"{decision.target}:input"] += prompt
    report.tokens[f"{decision.target}:output"] += answer


def _cost(report: ReplayReport, pricing: Pricing) -> None:
    sent = tuple(t for t in TARGETS if t != "blocked")
    closed_part = report.volume(("closed", "redact_then_closed"))
    hosted_part = report.volume(("self_hosted",))
    everything = report.volume(sent)
    hosted = pricing.self_hosted
    routed = closed_monthly(closed_part, pricing.closed) + (
        hosted.monthly(hosted_part.total) if hosted_part.total else 0.0
    )
    report.costs = {
        "routed": routed,
        "all_closed": closed_monthly(everything, pricing.closed),
        "all_self_hosted": hosted.monthly(everything.total),
    }
