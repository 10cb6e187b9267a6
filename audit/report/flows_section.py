"""The report's "Data flows" section: flow violations, drift and advisory undeclared categories per workload.

Collected from the registry alone (audit.flows.stored), so the report does not need
the manifest file. Rows carry categories, entity types and counts, never values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.flows.check import describe_counts
from audit.model import Tier
from audit.report.wording import count

BLOCKING = ("violation", "unknown_category", "drift")


@dataclass
class FlowRow:
    """One flow violation, drift finding or undeclared category of one workload."""

    workload: str
    kind: str  # "violation" | "unknown_category" | "drift" | "undeclared"
    category: str
    endpoint: str
    required: Tier | None
    explanation: str
    flow: str = ""  # violations: the flow's name or source
    entities: dict[str, int] = field(default_factory=dict)  # drift: entity type -> findings in the latest scan
    regulations: list[str] = field(default_factory=list)
    citation: str = ""

    @property
    def blocking(self) -> bool:
        """True when the row fails `audit flows check` (violations and drift; undeclared rows are advisory)."""
        return self.kind in BLOCKING


@dataclass
class FlowSection:
    """What the report says about data flows. `checked` is False for reports built from a scan file."""

    checked: bool = False
    flows_declared: int = 0
    rows: list[FlowRow] = field(default_factory=list)
    error: str = ""  # why the registry's flows could not be checked, if they could not

    def blocking(self) -> list[FlowRow]:
        """Violations and drift, in workload order."""
        return [r for r in self.rows if r.blocking]

    def advisory(self) -> list[FlowRow]:
        """Undeclared categories the endpoints may receive."""
        return [r for r in self.rows if not r.blocking]

    def count(self, kind: str) -> int:
        """How many rows of `kind`."""
        return sum(r.kind == kind for r in self.rows)


def collect(registry) -> FlowSection:
    """The section from an open registry: every workload's flow checks, drift against its latest scan."""
    from audit.errors import ConfigError
    from audit.flows.stored import check_registry

    try:
        report = check_registry(registry)
    except ConfigError as exc:  # e.g. a flow naming an endpoint the registry lacks: say so, keep the report
        return FlowSection(checked=False, error=str(exc))
    rows = [
        FlowRow(i.workload, i.kind, i.category, i.endpoint, i.required, i.explanation, i.flow,
                regulations=list(i.regulations), citation=i.citation)
        for i in report.issues
    ]  # fmt: skip
    rows += [
        FlowRow(d.workload, d.kind, d.category, d.endpoint, d.required, d.explanation, entities=dict(d.entities),
                regulations=list(d.regulations), citation=d.citation)
        for d in (*report.drift, *report.undeclared)
    ]  # fmt: skip
    rows.sort(key=lambda r: (r.workload, not r.blocking, r.kind, r.category))
    return FlowSection(checked=True, flows_declared=report.flows_checked, rows=rows)


def seen(row: FlowRow) -> str:
    """'API_KEY x3, CONNECTION_STRING x1', or '' for a declared flow's violation."""
    return describe_counts(row.entities)


def summary_line(section: FlowSection) -> str:
    """One sentence for the report: declared flows, violations, drift and advisory rows."""
    if not section.checked:
        return section.error or "Data flows are checked from the registry; this report was built from a scan file."
    violations = len(section.blocking()) - section.count("drift")
    undeclared = count(section.count("undeclared"), "undeclared data category", "undeclared data categories")
    return (
        f"{count(section.flows_declared, 'declared data flow')}: {count(violations, 'flow violation')}, "
        f"{count(section.count('drift'), 'drift finding')}, {undeclared} "
        "(advisory: seen in the logs, not declared, but the endpoints' agreements allow them)."
    )
