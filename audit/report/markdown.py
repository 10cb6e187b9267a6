"""The Markdown report: the HTML report's content as GitHub-flavoured Markdown (no charts).

Prompt- and user-derived strings are escaped so they render as text: Markdown
punctuation is backslash-escaped and `<`, `>`, `&` become entities (GitHub
renders inline HTML).
"""

from __future__ import annotations

import re

from audit.report import flows_section, gateway_section
from audit.report.registry_report import ReportData, WorkloadReport
from audit.report.wording import (
    KIND_LABELS,
    count,
    describe_policy,
    hosting_label,
    plain,
    refusal_label,
    target_label,
    tier_label,
)

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
    out = [f"### {md(w.name)}: {md(tier_label(w.decision))}", ""]
    facts = [f"{count(w.records, 'record')}, {w.records_with_findings} with findings"]
    if w.owner:
        facts.insert(0, f"owner {md(w.owner)}")
    if w.hosting:
        facts.append(f"hosting: {md(hosting_label(w.hosting))}")
    if w.violation:
        facts.append("**violation**")
    out += [" · ".join(facts), ""]
    if w.tiers:
        out += [f"Records with findings, each at its own strictest tier: {md(_by_tier(w))}", ""]
    out += ["**Endpoints**", ""] + _table(
        ["endpoint", "provider", "model", "hosting", "agreements"],
        [
            [
                md(p.name),
                md(p.provider),
                md(p.model),
                md(hosting_label(p.hosting)),
                md(", ".join(p.agreements) or "none"),
            ]
            for p in w.endpoints
        ],
        "no endpoints declared",
    )
    out += ["**Reasons**", ""] + _table(
        ["rule", "decision", "regulation", "citation", "records"],
        [[md(r.rule), md(tier_label(r.decision)), md(r.regulation), md(r.citation), str(r.records)] for r in w.reasons],
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
                md(tier_label(s.decision)) if s.decision else "-",
                str(s.records_with_findings),
                md(describe_policy(s.policy)),
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
            [md(r.workload), f"**{md(KIND_LABELS.get(r.kind, r.kind))}**", md(r.category),
             md(flows_section.seen(r) or r.flow or "-"), md(r.endpoint), md(tier_label(r.required)) if r.required else "-",
             md(", ".join(r.regulations) or "-"), md(r.citation or "-"), md(plain(r.explanation))]
            for r in s.blocking()
        ],
    )  # fmt: skip
    out += ["**Undeclared (advisory)**", ""] + _table(
        ["workload", "category", "observed", "endpoint", "why"],
        [
            [md(r.workload), md(r.category), md(flows_section.seen(r)), md(r.endpoint), md(plain(r.explanation))]
            for r in s.advisory()
        ],
    )
    return out


def _gateway(data: ReportData) -> list[str]:
    s = data.gateway
    out = ["## Enforced at the gateway", "", md(gateway_section.summary_line(s)), ""]
    if not s.workloads:
        return out
    return out + _table(
        ["workload", "decision from scans", "requests", "target", "tier", "refused", "top rules"],
        [
            [md(w.workload) if w.workload is not None else f"_{md('(no workload named)')}_",
             md(tier_label(w.scan_decision)) if w.scan_decision else "not scanned", str(w.requests),
             _counts(w.by_target, target_label), _counts(w.by_tier, tier_label), _counts(w.refusals, refusal_label),
             ", ".join(f"{md(r.rule)} x{r.requests}" for r in w.top_rules) or "-"]
            for w in s.workloads
        ],
    )  # fmt: skip


def _counts(counts: dict, label) -> str:
    """'2 blocked, 38 self\\-hosted model' (escaped), or '-'."""
    return md(", ".join(f"{n} {label(k)}" for k, n in counts.items())) or "-"


def _head(data: ReportData) -> list[str]:
    if not data.event_head:
        return []
    return ["", f"Audit trail head `{data.event_head}`; check it with `{data.head_check()}`."]


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
        f"- {count(len(data.workloads), 'workload')}; {len(data.stripped())} must strip identifiers before any "
        f"model; {len(data.self_hosted())} must stay on self-hosted models; {count(len(data.violations()), 'violation')}; "
        f"{count(len(data.expiring_waivers()), 'waiver')} expiring within 30 days.",
        "",
        "**Must strip identifiers before any model, self-hosted or not (the gateway blocks those requests)**",
        "",
        *_table(
            ["workload", "regulations", "records by tier", "the rest"],
            [
                [
                    md(w.name),
                    md(", ".join(w.regulations)),
                    md(_by_tier(w)),
                    md(tier_label(w.hosting_tier) if w.hosting_tier else "-"),
                ]
                for w in data.stripped()
            ],
        ),
        "**Must stay on self-hosted models**",
        "",
        *_table(
            ["workload", "regulations", "records by tier"],
            [[md(w.name), md(", ".join(w.regulations)), md(_by_tier(w))] for w in data.self_hosted()],
        ),
        "**Violations**",
        "",
        *_table(
            ["workload", "decision", "declared hosting"],
            [[md(w.name), md(tier_label(w.decision)), md(hosting_label(w.hosting))] for w in data.violations()],
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
        *_gateway(data),
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
                md(describe_policy(s.policy)),
            ]
            for s in data.scans
        ],
    )
    return "\n".join(out + _evidence(data))


def _by_tier(w: WorkloadReport) -> str:
    return ", ".join(f"{n} {tier_label(t)}" for t, n in w.tiers.items()) or "-"


def _evidence(data: ReportData) -> list[str]:
    """The audit trail head and the policy packs (ids, versions, content hashes) behind the scans."""
    out = ["## Evidence", ""]
    if data.event_head:
        out += [f"Audit trail head `{data.event_head}`: `{data.head_check()}` exits 0 only while the registry "
                "still holds everything this report was built from.", ""]  # fmt: skip
    else:
        out += ["Built from a scan file: there is no audit trail to check it against.", ""]
    packs = [[md(p.id), md(p.version), f"`{p.digest}`" if p.digest else "-"] for p in data.policy_packs()]
    return out + ["**Policy packs**", "", *_table(["pack", "version", "content hash"], packs)]
