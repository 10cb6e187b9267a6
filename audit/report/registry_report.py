"""The report's data: a plain `ReportData`, filled from the registry (`registry_source`) or from a JSON scan file.

Renderers (html, markdown, json_report) take only ReportData, so they are
tested with constructed data and never touch the database. Findings arrive
masked: the registry keeps no raw values. A JSON scan made with --show-values
does carry values; they are used only when the report asks for --show-values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from audit.errors import InputError
from audit.model import TIER_ORDER, Tier, strictest
from audit.report.flows_section import FlowSection
from audit.report.gateway_section import GatewaySection
from audit.report.wording import PolicyPack, policy_packs

EXPIRING_DAYS = 30
EXAMPLES_PER_TYPE = 3
TREND_SCANS = 30
UNASSIGNED = "(no workload)"


@dataclass
class EndpointInfo:
    """A declared model endpoint of a workload."""

    name: str
    provider: str = ""
    model: str = ""
    hosting: str = ""
    region: str | None = None
    agreements: list[str] = field(default_factory=list)


@dataclass
class Reason:
    """A rule behind a workload's decision."""

    rule: str
    regulation: str
    citation: str
    decision: Tier
    description: str = ""
    records: int = 0


@dataclass
class EntityCount:
    """Findings of one entity type in a workload, with a few masked examples."""

    entity_type: str
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass
class WaiverInfo:
    """A waiver of a rule or a fingerprint."""

    workload: str
    owner: str
    reason: str
    expires: dt.date
    rule: str | None = None
    fingerprint: str | None = None

    def days_left(self, today: dt.date) -> int:
        """Days until it expires (negative once expired)."""
        return (self.expires - today).days


@dataclass
class ScanPoint:
    """One scan: for the history table and the trend chart."""

    id: int
    started_at: str
    records_read: int
    records_with_findings: int
    findings: int
    policy: str
    tool_version: str = ""
    status: str = "completed"
    decision: Tier | None = None  # the workload's decision in this scan (per-workload history only)


@dataclass
class WorkloadReport:
    """Everything the report says about one workload."""

    name: str
    decision: Tier = Tier.UNRESTRICTED
    owner: str = ""
    description: str = ""
    hosting: str | None = None
    violation: bool = False
    records: int = 0
    records_with_findings: int = 0
    regulations: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    endpoints: list[EndpointInfo] = field(default_factory=list)
    findings: list[EntityCount] = field(default_factory=list)
    waivers: list[WaiverInfo] = field(default_factory=list)
    history: list[ScanPoint] = field(default_factory=list)
    tiers: dict[Tier, int] = field(default_factory=dict)  # records with findings by their own strictest tier
    hosting_tier: Tier | None = None  # strip removed (those requests blocked at the gateway): what remains needs this


@dataclass
class ReportData:
    """The whole report."""

    generated_at: str
    tool_version: str
    source: str  # where the data came from (registry URL without credentials, or a scan file)
    workloads: list[WorkloadReport] = field(default_factory=list)
    scans: list[ScanPoint] = field(default_factory=list)
    by_regulation: dict[str, int] = field(default_factory=dict)
    by_entity: dict[str, int] = field(default_factory=dict)
    policy_versions: list[str] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)
    flows: FlowSection = field(default_factory=FlowSection)  # registry reports only
    gateway: GatewaySection = field(default_factory=GatewaySection)  # registry reports only
    event_head: str | None = None  # registry reports only: the event log's head as SEQ:HASH (only hex), unverified

    def head_check(self) -> str | None:
        """The command that proves the registry still holds what this report was built from."""
        return f"audit registry verify --expect-head {self.event_head}" if self.event_head else None

    def stripped(self) -> list[WorkloadReport]:
        """Workloads whose data must be stripped before any model sees it."""
        return [w for w in self.workloads if w.decision is Tier.STRIP]

    def self_hosted(self) -> list[WorkloadReport]:
        """Workloads that must stay on self-hosted models (strip workloads are listed by `stripped`)."""
        return [w for w in self.workloads if w.decision is Tier.SELF_HOSTED]

    def has_trend(self) -> bool:
        """True when there are at least two scans, so findings over scans is a trend and not a dot."""
        return len(self.scans) >= 2

    def policy_packs(self) -> list[PolicyPack]:
        """Every policy pack (id, version, content hash) the report's scans used, by id then version."""
        packs = {p for identity in self.policy_versions for p in policy_packs(identity)}
        return sorted(packs, key=lambda p: (p.id, p.version, p.digest))

    def violations(self) -> list[WorkloadReport]:
        """Workloads whose declared hosting does not allow their decision."""
        return [w for w in self.workloads if w.violation]

    def expiring_waivers(self, days: int = EXPIRING_DAYS) -> list[WaiverInfo]:
        """Waivers expired or expiring within `days`, soonest first."""
        found = [v for w in self.workloads for v in w.waivers if v.days_left(self.today) <= days]
        return sorted(found, key=lambda v: v.expires)


def redact_url(url: str) -> str:
    """A database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def utc_now() -> str:
    """Now, as the report's 'generated' line shows it."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# From a JSON scan file (`audit scan --json -o scan.json`): no registry needed.


def from_scan_json(path: str | Path, show_values: bool = False, tool_version: str = "") -> ReportData:
    """ReportData from one `audit scan --json` document (decisions per workload, no endpoints)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        records, summary = doc["records"], doc["summary"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not an `audit scan --json` document: {exc}") from None
    by_workload: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        by_workload[rec.get("workload") or UNASSIGNED].append(rec)
    workloads = [_workload_from_records(name, recs, show_values) for name, recs in sorted(by_workload.items())]
    findings = sum(len(r["findings"]) for r in records)
    policy = str(doc.get("policy") or "none")
    scan = ScanPoint(1, "", summary["records_read"], summary["records_with_findings"], findings, policy)
    return ReportData(
        generated_at=utc_now(),
        tool_version=tool_version or doc.get("tool", {}).get("version", ""),
        source=str(path),
        workloads=workloads,
        scans=[scan],
        by_regulation=dict(summary.get("by_regulation", {})),
        by_entity=dict(summary.get("by_entity", {})),
        policy_versions=[policy],
    )


def _workload_from_records(name: str, records: list[dict], show_values: bool) -> WorkloadReport:
    reasons: dict[str, Reason] = {}
    for rec in records:
        for r in rec["rules"]:
            rid = f"{r['policy']}/{r['rule']}"
            reason = reasons.setdefault(
                rid,
                Reason(
                    rid, r.get("regulation", ""), r.get("citation", ""), Tier(r["decision"]), r.get("description", "")
                ),
            )
            reason.records += 1
    counts: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for rec in records:
        for f in rec["findings"]:
            counts[f["entity_type"]] += 1
            shown = f.get("value") if show_values and f.get("value") else f["masked"]
            if shown not in examples[f["entity_type"]] and len(examples[f["entity_type"]]) < EXAMPLES_PER_TYPE:
                examples[f["entity_type"]].append(shown)
    regulations = sorted({reg for rec in records for reg in rec.get("regulations", [])})
    tiers = Counter(Tier(rec["decision"]) for rec in records)
    return WorkloadReport(
        name=name,
        decision=strictest(Tier(r["decision"]) for r in records),
        records=len(records),
        records_with_findings=len(records),
        regulations=regulations,
        reasons=sorted(reasons.values(), key=lambda r: (r.decision.rank, -r.records, r.rule)),
        findings=[EntityCount(t, n, examples[t]) for t, n in counts.most_common()],
        tiers=in_tier_order(tiers),
    )


def in_tier_order(counts: Counter) -> dict[Tier, int]:
    """Record counts keyed by tier, strictest first, without the empty tiers."""
    return {t: counts[t] for t in TIER_ORDER if counts[t]}


def from_registry(url: str, tool_version: str = "", today: dt.date | None = None) -> ReportData:
    """ReportData from the registry at `url` (masked findings only: the registry keeps no values)."""
    from audit.report.registry_source import read_registry

    return read_registry(url, tool_version, today)
