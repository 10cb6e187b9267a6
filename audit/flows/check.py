"""Flow checks: declared categories vs the endpoint they reach, and declarations vs what scans saw.

`check_flows` needs no scan: a category whose requirement is stricter than what
its endpoint allows is a violation. `check_drift` compares the entity types a
workload's latest scan observed with the categories its flows admit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from audit.flows.model import DataFlow, Endpoint, FlowManifest, WorkloadFlows
from audit.flows.taxonomy import Requirement, Taxonomy, related
from audit.model import Tier


@dataclass(frozen=True)
class CategoryVerdict:
    """What one category needs on one endpoint, and whether the flow provides it."""

    category: str
    required: Tier
    allowed: bool
    reason: str
    requirement: Requirement


@dataclass(frozen=True)
class FlowIssue:
    """A declared flow carrying a category its endpoint may not receive."""

    kind: str  # "violation" | "unknown_category"
    workload: str
    flow: str
    endpoint: str
    category: str
    required: Tier | None
    explanation: str
    regulations: tuple[str, ...] = ()
    citation: str = ""


@dataclass(frozen=True)
class DriftIssue:
    """Regulated data seen in a workload's logs that none of its flows declares."""

    kind: str  # always "drift"
    workload: str
    entity_type: str
    category: str
    count: int
    required: Tier
    explanation: str
    regulations: tuple[str, ...] = ()


@dataclass
class FlowReport:
    """Everything `audit flows check` found."""

    flows_checked: int = 0
    issues: list[FlowIssue] = field(default_factory=list)
    drift: list[DriftIssue] = field(default_factory=list)
    drift_checked: bool = False

    @property
    def failed(self) -> bool:
        """True when CI should fail: any violation or drift."""
        return bool(self.issues or self.drift)


def verdict(
    taxonomy: Taxonomy, category: str, endpoint: Endpoint, agreements: frozenset[str], redaction: bool
) -> CategoryVerdict:
    """Whether `category` may reach `endpoint` under `agreements`, and the tier it requires there."""
    req = taxonomy.requirement(category)
    if req.strip:
        return CategoryVerdict(
            category, Tier.STRIP, False, "must be removed before any model or log sees it, self-hosted included", req
        )
    if not endpoint.closed:
        return CategoryVerdict(category, req.strictest, True, "self-hosted endpoint", req)
    if req.otherwise is Tier.UNRESTRICTED:
        return CategoryVerdict(category, Tier.UNRESTRICTED, True, "no regulated trigger", req)
    missing = sorted(req.closed_requires - agreements)
    if req.closed_requires and not missing:
        return CategoryVerdict(
            category,
            Tier.CLOSED_WITH_AGREEMENT,
            True,
            f"closed API with {', '.join(sorted(req.closed_requires))} on file",
            req,
        )
    if redaction and req.redactable:
        return CategoryVerdict(category, Tier.REDACT_THEN_CLOSED, True, "redacted before the closed API", req)
    why = f"needs {', '.join(missing)} for a closed API" if missing else "no agreement makes a closed API acceptable"
    if req.redactable and req.otherwise is not Tier.REDACT_THEN_CLOSED:
        why += ", or redaction before it"
    return CategoryVerdict(category, req.otherwise, False, why, req)


def check_flows(manifest: FlowManifest, taxonomy: Taxonomy, workloads: list[str] | None = None) -> FlowReport:
    """Every declared flow checked against its endpoint; unknown category keys are issues too."""
    report = FlowReport()
    for w in _selected(manifest, workloads):
        for flow in w.data_flows:
            report.flows_checked += 1
            report.issues.extend(_flow_issues(manifest, taxonomy, w, flow))
    return report


def _flow_issues(manifest: FlowManifest, taxonomy: Taxonomy, w: WorkloadFlows, flow: DataFlow) -> list[FlowIssue]:
    endpoint = manifest.endpoint_for(w, flow)
    agreements = manifest.agreements_for(w, endpoint)
    label = flow.name or flow.source
    issues = []
    for category in flow.categories:
        if not taxonomy.known(category):
            issues.append(
                FlowIssue(
                    "unknown_category",
                    w.name,
                    label,
                    endpoint.name,
                    category,
                    None,
                    f"{category!r} is not a fideslang data category or a known extension",
                )
            )
            continue
        v = verdict(taxonomy, category, endpoint, agreements, flow.redaction)
        if v.allowed:
            continue
        where = f"{endpoint.hosting} endpoint {endpoint.name!r}"
        on_file = ", ".join(sorted(agreements)) or "none"
        text = f"{flow.source} sends {category} to {where} (agreements: {on_file}); it requires {v.required.value}: {v.reason}"
        issues.append(
            FlowIssue(
                "violation",
                w.name,
                label,
                endpoint.name,
                category,
                v.required,
                text,
                v.requirement.regulations,
                v.requirement.citation,
            )
        )
    return issues


def check_drift(
    manifest: FlowManifest,
    taxonomy: Taxonomy,
    observed: Mapping[str, Mapping[str, int]],
    workloads: list[str] | None = None,
    min_count: int = 1,
) -> list[DriftIssue]:
    """Entity types seen in each workload's latest scan whose category no declared flow admits."""
    out = []
    for w in _selected(manifest, workloads):
        declared = w.categories
        for entity, count in sorted((observed.get(w.name) or {}).items()):
            category = taxonomy.category_of(entity)
            if category is None or count < min_count or any(related(d, category) for d in declared):
                continue
            out.append(_drift(manifest, taxonomy, w, entity, category, count))
    return out


def _drift(
    manifest: FlowManifest, taxonomy: Taxonomy, w: WorkloadFlows, entity: str, category: str, count: int
) -> DriftIssue:
    worst = None
    for flow in w.data_flows or (DataFlow(source="(undeclared)"),):
        endpoint = manifest.endpoint_for(w, flow)
        v = verdict(taxonomy, category, endpoint, manifest.agreements_for(w, endpoint), flow.redaction)
        if worst is None or v.required.stricter_than(worst[0].required):
            worst = (v, endpoint)
    v, endpoint = worst
    declared = ", ".join(sorted(w.categories)) or "none"
    text = f"{entity} seen {count}x in the latest scan ({category}) but the workload declares only: {declared}"
    if not v.allowed:
        text += f"; on {endpoint.name!r} it would require {v.required.value} ({v.reason})"
    return DriftIssue("drift", w.name, entity, category, count, v.required, text, v.requirement.regulations)


def _selected(manifest: FlowManifest, names: list[str] | None) -> list[WorkloadFlows]:
    if not names:
        return list(manifest.workloads)
    return [manifest.workload(n) for n in names]
