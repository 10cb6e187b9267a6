"""Flow checks: declared categories vs the endpoint they reach, and declarations vs what scans saw.

`check_flows` needs no scan: a category whose requirement is stricter than what
its endpoint allows is a violation. `check_drift` groups the entity types a
workload's latest scan observed by data category and keeps the categories no
declared flow admits: "drift" when an endpoint of the workload may not receive
the category (fails CI), "undeclared" when its agreements already allow it
(advisory: complete the declaration).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from audit.flows.taxonomy import Requirement, Taxonomy, related
from audit.manifest import DataFlow, Endpoint, Manifest, Workload
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
    """One data category seen in a workload's latest scan that none of its declared flows admits.

    `kind` is "drift" (blocking: an endpoint of the workload may not receive the category under its
    agreements) or "undeclared" (advisory: every endpoint may receive it; the declaration is incomplete).
    `entities` are the entity types behind the category, with their counts; never values.
    """

    kind: str  # "drift" | "undeclared"
    workload: str
    category: str
    entities: dict[str, int]
    count: int
    endpoint: str
    required: Tier
    explanation: str
    regulations: tuple[str, ...] = ()
    citation: str = ""

    @property
    def blocking(self) -> bool:
        """True for drift that fails CI."""
        return self.kind == "drift"

    @property
    def seen(self) -> str:
        """The entity types behind the category with their counts: 'API_KEY x3, CONNECTION_STRING x1'."""
        return describe_counts(self.entities)


def describe_counts(entities: Mapping[str, int]) -> str:
    """'API_KEY x3, CONNECTION_STRING x1': entity types and how often the latest scan of each source saw them."""
    return ", ".join(f"{k} x{n}" for k, n in entities.items())


@dataclass
class FlowReport:
    """Everything `audit flows check` found: violations, blocking drift and advisory undeclared categories."""

    flows_checked: int = 0
    issues: list[FlowIssue] = field(default_factory=list)
    drift: list[DriftIssue] = field(default_factory=list)
    undeclared: list[DriftIssue] = field(default_factory=list)
    drift_checked: bool = False

    @property
    def failed(self) -> bool:
        """True when CI should fail: any violation or blocking drift (undeclared rows are advisory)."""
        return bool(self.issues or self.drift)

    def add_drift(self, found: list[DriftIssue]) -> None:
        """Record drift results, split into blocking and advisory, and mark drift as checked."""
        self.drift.extend(d for d in found if d.blocking)
        self.undeclared.extend(d for d in found if not d.blocking)
        self.drift_checked = True

    def as_dict(self) -> dict:
        """JSON-ready form: tiers as their string values, entity counts but never values."""

        def row(item) -> dict:
            d = asdict(item)
            d["required"] = item.required.value if item.required else None
            return d

        return {
            "flows_checked": self.flows_checked,
            "violations": [row(i) for i in self.issues],
            "drift_checked": self.drift_checked,
            "drift": [row(d) for d in self.drift],
            "undeclared": [row(d) for d in self.undeclared],
            "failed": self.failed,
        }

    def by_workload(self) -> dict[str, dict[str, int]]:
        """workload -> {"violations", "drift", "undeclared"} counts, for workloads with any of them."""
        out: dict[str, dict[str, int]] = {}
        for key, items in (("violations", self.issues), ("drift", self.drift), ("undeclared", self.undeclared)):
            for item in items:
                out.setdefault(item.workload, {"violations": 0, "drift": 0, "undeclared": 0})[key] += 1
        return out


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


def check_flows(manifest: Manifest, taxonomy: Taxonomy, workloads: list[str] | None = None) -> FlowReport:
    """Every declared flow checked against its endpoint; unknown category keys are issues too."""
    report = FlowReport()
    for w in _selected(manifest, workloads):
        for flow in w.data_flows:
            report.flows_checked += 1
            report.issues.extend(_flow_issues(manifest, taxonomy, w, flow))
    return report


def _flow_issues(manifest: Manifest, taxonomy: Taxonomy, w: Workload, flow: DataFlow) -> list[FlowIssue]:
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
    manifest: Manifest,
    taxonomy: Taxonomy,
    observed: Mapping[str, Mapping[str, int]],
    workloads: list[str] | None = None,
    min_count: int = 1,
) -> list[DriftIssue]:
    """Categories seen in each workload's latest scan that no declared flow admits, one row per category.

    `observed` maps workload -> {entity type: findings}. A category is admitted when a declared
    category is on the same taxonomy branch (`admits`: never a strip category through a relative). Categories seen fewer than `min_count`
    times in total are ignored. Workloads with no (or an empty list of) data flows are checked too.
    """
    out = []
    for w in _selected(manifest, workloads):
        for category, entities in _by_category(taxonomy, observed.get(w.name) or {}).items():
            if sum(entities.values()) < min_count or any(admits(taxonomy, d, category) for d in w.categories):
                continue
            out.append(_drift(manifest, taxonomy, w, category, entities))
    return out


def admits(taxonomy: Taxonomy, declared: str, observed: str) -> bool:
    """A declared category admits an observed one on its taxonomy branch (fideslang's rule), except a category
    that must be stripped everywhere (credentials, card security codes): no parent or child declaration admits
    it to any endpoint, only its own name does, and that declaration is itself a flow violation on a closed API."""
    if taxonomy.requirement(observed).strip:
        return declared == observed
    return related(declared, observed)


def _by_category(taxonomy: Taxonomy, counts: Mapping[str, int]) -> dict[str, dict[str, int]]:
    grouped: dict[str, dict[str, int]] = {}
    for entity, count in sorted(counts.items()):
        category = taxonomy.category_of(entity)
        if category is not None and count > 0:
            grouped.setdefault(category, {})[entity] = count
    return dict(sorted(grouped.items()))


def _drift(manifest: Manifest, taxonomy: Taxonomy, w: Workload, category: str, entities: dict[str, int]) -> DriftIssue:
    """Blocking when any endpoint the workload reaches may not receive the category (no redaction assumed)."""
    endpoints = manifest.endpoints_of(w) or [manifest.endpoint_for(w, DataFlow(source="(undeclared)"))]
    verdicts = [(verdict(taxonomy, category, e, manifest.agreements_for(w, e), False), e) for e in endpoints]
    refused = [(v, e) for v, e in verdicts if not v.allowed]
    v, endpoint = min(refused or verdicts, key=lambda pair: pair[0].required.rank)  # the strictest
    seen = describe_counts(entities)
    declared = ", ".join(sorted(w.categories)) or "none"
    on_file = ", ".join(sorted(manifest.agreements_for(w, endpoint))) or "none"
    where = f"{endpoint.hosting} endpoint {endpoint.name!r} (agreements: {on_file})"
    text = f"its logs' latest scans saw {category} ({seen}); no declared flow admits it (declared: {declared})"
    if refused:
        text += f", and {where} may not receive it: it requires {v.required.value}: {v.reason}"
    else:
        text += f"; {where} may receive it ({v.reason}): add it to a data flow"
    kind = "drift" if refused else "undeclared"
    req = v.requirement
    return DriftIssue(
        kind, w.name, category, entities, sum(entities.values()), endpoint.name, v.required, text,
        req.regulations, req.citation,
    )  # fmt: skip


def _selected(manifest: Manifest, names: list[str] | None) -> list[Workload]:
    if not names:
        return list(manifest.workloads)
    return [manifest.workload(n) for n in names]
