"""The Markdown report: the HTML report's content as GitHub-flavoured Markdown (no charts).

Prompt- and user-derived strings are escaped so they render as text: Markdown
punctuation is backslash-escaped and `<`, `>`, `&` become entities (GitHub
renders inline HTML).
"""

from __future__ import annotations

import re

from audit.report import flows_section
from audit.report.registry_report import ReportData, WorkloadReport

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md(value: object) -> str:
    """Text safe in a Markdown table cell."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")


def _table(headers: list[str], rows: list[list[str]], empty: str = "none") -> list[str]:
    if not rows:
        return [f"_{empty}_", ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _workload(w: WorkloadReport) -> list[str]:
    out = [f"### {md(w.name)}: `{w.decision.value}`", ""]
    facts = [f"{w.records} records, {w.records_with_findings} with findings"]
    if w.owner:
        facts.insert(0, f"owner {md(w.owner)}")
    if w.hosting:
        facts.append(f"hosting {md(w.hosting)}")
    if w.violation:
        facts.append("**violation**")
    out += [" · ".join(facts), ""]
    out += ["**Endpoints**", ""] + _table(
        ["endpoint", "provider", "model", "hosting", "agreements"],
        [
            [md(p.name), md(p.provider), md(p.model), md(p.hosting), md(", ".join(p.agreements) or "none")]
            for p in w.endpoints
        ],
        "no endpoints declared",
    )
    out += ["**Reasons**", ""] + _table(
        ["rule", "decision", "regulation", "citation", "records"],
        [[md(r.rule), r.decision.value, md(r.regulation), md(r.citation), str(r.records)] for r in w.reasons],
        "no rule fired",
    )
    out += ["**Findings (masked examples)**", ""] + _table(
        ["entity type", "count", "examples"],
        [[md(f.entity_type), str(f.count), ", ".join(md(x) for x in f.examples)] for f in w.findings],
    )
    out += ["**Waivers**", ""] + _table(
        ["waives", "owner", "reason", "expires"],
        [[md(v.rule or f"fingerprint {v.fingerprint}"), md(v.owner), md(v.reason), str(v.expires)] for v in w.waivers],
    )
    out += ["**Scan history**", ""] + _table(
        ["scan", "started", "decision", "flagged", "policy"],
        [
            [
                str(s.id),
                md(s.started_at),
                s.decision.value if s.decision else "-",
                str(s.records_with_findings),
                md(s.policy),
            ]
            for s in w.history
        ],
    )
    return out


def _flows(data: ReportData) -> list[str]:
    s = data.flows
    out = ["## Data flows", "", md(flows_section.summary_line(s)), "", "**Flow violations and drift**", ""]
    out += _table(
        ["workload", "finding", "category", "flow / observed", "endpoint", "requires", "regulation", "citation", "why"],
        [
            [md(r.workload), f"**{md(r.kind)}**", md(r.category), md(flows_section.seen(r) or r.flow or "-"),
             md(r.endpoint), r.required.value if r.required else "-", md(", ".join(r.regulations) or "-"),
             md(r.citation or "-"), md(r.explanation)]
            for r in s.blocking()
        ],
    )  # fmt: skip
    out += ["**Undeclared (advisory)**", ""] + _table(
        ["workload", "category", "observed", "endpoint", "why"],
        [
            [md(r.workload), md(r.category), md(flows_section.seen(r)), md(r.endpoint), md(r.explanation)]
            for r in s.advisory()
        ],
    )
    return out


def _head(data: ReportData) -> list[str]:
    if not data.event_head:
        return []
    return ["", f"Event log head `{data.event_head}`; check it with `{data.head_check()}`."]


def render(data: ReportData) -> str:
    """The complete Markdown document."""
    out = [
        "# LLM audit report",
        "",
        f"Generated {md(data.generated_at)} by llm-audit {md(data.tool_version)} from {md(data.source)}.",
        *_head(data),
        "",
        "## Executive summary",
        "",
        f"- {len(data.workloads)} workloads; {len(data.self_hosted())} must stay self-hosted; "
        f"{len(data.violations())} violations; {len(data.expiring_waivers())} waivers expiring within 30 days.",
        "",
        "**Must stay self-hosted**",
        "",
        *_table(
            ["workload", "decision", "regulations"],
            [[md(w.name), w.decision.value, md(", ".join(w.regulations))] for w in data.self_hosted()],
        ),
        "**Violations**",
        "",
        *_table(
            ["workload", "decision", "hosting"],
            [[md(w.name), w.decision.value, md(w.hosting or "unknown")] for w in data.violations()],
        ),
        "**Expiring waivers**",
        "",
        *_table(
            ["workload", "waives", "owner", "expires", "days left"],
            [
                [md(v.workload), md(v.rule or v.fingerprint), md(v.owner), str(v.expires), str(v.days_left(data.today))]
                for v in data.expiring_waivers()
            ],
        ),
        *_flows(data),
        "## Findings by regulation",
        "",
        *_table(["regulation", "findings"], [[md(k), str(v)] for k, v in sorted(data.by_regulation.items())]),
        "## Findings by entity type",
        "",
        *_table(
            ["entity type", "findings"],
            [[md(k), str(v)] for k, v in sorted(data.by_entity.items(), key=lambda kv: -kv[1])],
        ),
        "## Workloads",
        "",
    ]
    for w in data.workloads:
        out += _workload(w)
    out += ["## Scans", ""] + _table(
        ["scan", "started", "records", "flagged", "findings", "policy"],
        [
            [
                str(s.id),
                md(s.started_at),
                str(s.records_read),
                str(s.records_with_findings),
                str(s.findings),
                md(s.policy),
            ]
            for s in data.scans
        ],
    )
    out += ["## Policy versions used", "", *(f"- {md(p)}" for p in data.policy_versions), ""]
    return "\n".join(out)
